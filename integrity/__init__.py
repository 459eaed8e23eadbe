"""The integrity ledger: leaves, Merkle tree, signed heads, proofs and verification."""

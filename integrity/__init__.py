"""The integrity ledger: Merkle log, leaf encoding, signed heads, evidence packs."""

"""RFC 9162 (RFC 6962) Merkle tree hashing, proofs and their verifiers.

The tree stores the hash of every complete, aligned subtree: node (level, index)
covers leaves [index * 2**level, (index + 1) * 2**level). Appending a leaf adds
one level-0 node and hashes only the subtrees it completes (amortised one hash),
and any root or proof over the first n leaves is assembled from O(log n) stored
nodes, so nothing is ever rehashed from the leaves.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator, Sequence
from typing import Final, Protocol, cast

HASH_SIZE: Final = 32
EMPTY_ROOT: Final = hashlib.sha256(b"").digest()


class LedgerError(ValueError):
    """A ledger operation was asked for something outside the tree or format."""


def leaf_hash(data: bytes) -> bytes:
    """Hash leaf data as SHA-256(0x00 || data)."""
    return hashlib.sha256(b"\x00" + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """Hash two child hashes as SHA-256(0x01 || left || right)."""
    return hashlib.sha256(b"\x01" + left + right).digest()


def split_point(n: int) -> int:
    """Return the largest power of two smaller than n (n >= 2), the RFC's split."""
    return 1 << ((n - 1).bit_length() - 1)


class NodeStore(Protocol):
    """Where a tree keeps its complete-subtree hashes, keyed by (level, index)."""

    def get(self, level: int, index: int) -> bytes:
        """Return the stored hash; raise KeyError if it was never put."""
        ...

    def put_many(self, nodes: Iterable[tuple[int, int, bytes]]) -> None:
        """Store (level, index, hash) triples; all of one append arrive together."""
        ...


class MemoryNodeStore:
    """A NodeStore in a dict, for tests and offline tools."""

    def __init__(self) -> None:
        self._nodes: dict[tuple[int, int], bytes] = {}

    def get(self, level: int, index: int) -> bytes:
        """Return the stored hash; raise KeyError if it was never put."""
        return self._nodes[(level, index)]

    def put_many(self, nodes: Iterable[tuple[int, int, bytes]]) -> None:
        """Store (level, index, hash) triples."""
        for level, index, digest in nodes:
            self._nodes[(level, index)] = digest

    def __len__(self) -> int:
        return len(self._nodes)


def _aligned_blocks(start: int, end: int) -> Iterator[tuple[int, int]]:
    """Yield (level, index) of the complete subtrees covering [start, end), in order.

    Only valid when start is a multiple of the largest block, which holds for
    every range the RFC recursion produces.
    """
    remaining = end - start
    while remaining:
        level = remaining.bit_length() - 1
        yield level, start >> level
        start += 1 << level
        remaining -= 1 << level


class Frontier:
    """The right edge of a tree: per level, the complete subtree awaiting a sibling.

    `pending[level]` is set exactly when bit `level` of `size` is set. Appending
    works level by level over whole lists, so a batch of n leaves costs n - 1
    pair hashes in a few list comprehensions rather than per-node calls.
    """

    def __init__(self, size: int = 0, pending: Sequence[bytes | None] = ()) -> None:
        self.size = size
        self.pending: list[bytes | None] = list(pending)

    @classmethod
    def load(cls, store: NodeStore, size: int) -> Frontier:
        """The frontier of a tree of `size` leaves whose nodes are in `store`."""
        pending: list[bytes | None] = [None] * size.bit_length()
        for level, index in _aligned_blocks(0, size):
            pending[level] = store.get(level, index)
        return cls(size, pending)

    def extend(self, leaves: Sequence[bytes]) -> list[tuple[int, int, list[bytes]]]:
        """Append leaf hashes; return (level, first index, hashes) of every new node.

        Level 0 holds the leaves themselves; each level's nodes are consecutive.
        """
        created: list[tuple[int, int, list[bytes]]] = []
        current, level, sha256 = list(leaves), 0, hashlib.sha256
        while current:
            before = self.size >> level  # nodes this level held before the batch
            created.append((level, before, current))
            if level == len(self.pending):
                self.pending.append(None)
            if before & 1:  # the waiting left sibling pairs with the first new node
                current = [cast(bytes, self.pending[level]), *current]
            paired = len(current) & ~1
            self.pending[level] = None if paired == len(current) else current[-1]
            current = [
                sha256(b"\x01" + left + right).digest()
                for left, right in zip(
                    current[0:paired:2], current[1:paired:2], strict=True
                )
            ]
            level += 1
        self.size += len(leaves)
        return created

    def root(self) -> bytes:
        """The root hash of the whole tree (EMPTY_ROOT when it has no leaves)."""
        digest: bytes | None = None
        for node in self.pending:
            if node is not None:
                digest = node if digest is None else node_hash(node, digest)
        return EMPTY_ROOT if digest is None else digest


class MerkleTree:
    """An append-only RFC 9162 tree over a NodeStore holding `size` leaves."""

    def __init__(self, store: NodeStore, size: int = 0) -> None:
        if size < 0:
            raise LedgerError(f"tree size must not be negative, got {size}")
        self._store = store
        # The stored node for each 1-bit of size: the left siblings the next
        # appends will need, kept here to avoid store reads.
        self._edge = Frontier.load(store, size)

    @property
    def size(self) -> int:
        """Return the number of leaves appended so far."""
        return self._edge.size

    def append(self, leaf: bytes) -> int:
        """Append one leaf hash and return its index."""
        return self.extend([leaf])[0]

    def extend(self, leaves: Iterable[bytes]) -> list[int]:
        """Append leaf hashes, storing every completed subtree in one put_many."""
        leaves = list(leaves)
        for leaf in leaves:  # all checked first, so a bad one changes nothing
            _check_hash("leaf hash", leaf)
        first = self.size
        created = self._edge.extend(leaves)
        self._store.put_many(
            (level, start + i, digest)
            for level, start, digests in created
            for i, digest in enumerate(digests)
        )
        return list(range(first, first + len(leaves)))

    def root(self, size: int | None = None) -> bytes:
        """Return the root hash of the first `size` leaves (default: all)."""
        size = self.size if size is None else size
        if size == self.size:
            return self._edge.root()
        self._check_size(size)
        return self._range_hash(0, size) if size else EMPTY_ROOT

    def leaf(self, index: int) -> bytes:
        """Return the stored hash of leaf `index`."""
        if not 0 <= index < self.size:
            raise LedgerError(f"leaf index {index} is outside a tree of {self.size}")
        return self._store.get(0, index)

    def inclusion_proof(self, index: int, size: int) -> list[bytes]:
        """Return the RFC 9162 inclusion path of leaf `index` in the first `size`."""
        self._check_size(size)
        if not 0 <= index < size:
            raise LedgerError(f"leaf index {index} is outside a tree of {size}")
        path: list[bytes] = []
        start, end = 0, size
        while end - start > 1:
            k = split_point(end - start)
            if index < start + k:
                path.append(self._range_hash(start + k, end))
                end = start + k
            else:
                path.append(self._range_hash(start, start + k))
                start += k
        path.reverse()
        return path

    def consistency_proof(self, first: int, second: int) -> list[bytes]:
        """Return the RFC 9162 consistency proof from size `first` to `second`."""
        self._check_size(second)
        if not 0 <= first <= second:
            raise LedgerError(f"cannot prove {first} -> {second}")
        if first in (0, second):
            return []
        path: list[bytes] = []
        start, end, complete = 0, second, True
        while first != end:
            k = split_point(end - start)
            if first - start <= k:
                path.append(self._range_hash(start + k, end))
                end = start + k
            else:
                path.append(self._range_hash(start, start + k))
                start, complete = start + k, False
        if not complete:
            path.append(self._range_hash(start, end))
        path.reverse()
        return path

    def _range_hash(self, start: int, end: int) -> bytes:
        blocks = [
            self._store.get(level, index)
            for level, index in _aligned_blocks(start, end)
        ]
        digest = blocks.pop()
        while blocks:
            digest = node_hash(blocks.pop(), digest)
        return digest

    def _check_size(self, size: int) -> None:
        if not 0 <= size <= self.size:
            raise LedgerError(f"size {size} is outside a tree of {self.size}")


def _check_hash(name: str, value: object) -> None:
    if not isinstance(value, bytes):
        raise TypeError(f"{name} must be bytes, not {type(value).__name__}")
    if len(value) != HASH_SIZE:
        raise LedgerError(f"{name} must be {HASH_SIZE} bytes, got {len(value)}")


def _check_types(
    ints: Sequence[object], hashes: Sequence[object], proof: object
) -> None:
    """Raise TypeError for wrong types; malformed values are left to the caller."""
    for value in ints:
        if isinstance(value, bool) or not isinstance(value, int):
            raise TypeError(f"expected int, not {type(value).__name__}")
    for value in hashes:
        if not isinstance(value, bytes):
            raise TypeError(f"expected bytes, not {type(value).__name__}")
    if not isinstance(proof, list | tuple):
        raise TypeError(f"proof must be a list or tuple, not {type(proof).__name__}")
    for value in proof:
        if not isinstance(value, bytes):
            raise TypeError(f"proof element must be bytes, not {type(value).__name__}")


def _well_formed(hashes: Iterable[bytes]) -> bool:
    return all(len(value) == HASH_SIZE for value in hashes)


def verify_inclusion(
    leaf: bytes, index: int, size: int, proof: Sequence[bytes], root: bytes
) -> bool:
    """Check an inclusion path as in RFC 9162 section 2.1.3.2."""
    _check_types((index, size), (leaf, root), proof)
    if not 0 <= index < size or not _well_formed([leaf, root, *proof]):
        return False
    fn, sn, r = index, size - 1, leaf
    for p in proof:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            while not fn & 1 and fn:
                fn, sn = fn >> 1, sn >> 1
        else:
            r = node_hash(r, p)
        fn, sn = fn >> 1, sn >> 1
    return sn == 0 and r == root


def verify_consistency(
    first: int,
    second: int,
    first_root: bytes,
    second_root: bytes,
    proof: Sequence[bytes],
) -> bool:
    """Check a consistency proof as in RFC 9162 section 2.1.4.2.

    The RFC covers 0 < first < second; the edge cases follow its intent: equal
    sizes need equal roots and an empty proof, and size 0 needs the empty root.
    """
    _check_types((first, second), (first_root, second_root), proof)
    if not 0 <= first <= second or not _well_formed([first_root, second_root, *proof]):
        return False
    if first == second:
        return not proof and first_root == second_root
    if first == 0:
        return not proof and first_root == EMPTY_ROOT
    if not proof:
        return False
    path = list(proof)
    if first & (first - 1) == 0:
        path.insert(0, first_root)
    fn, sn = first - 1, second - 1
    while fn & 1:
        fn, sn = fn >> 1, sn >> 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr, sr = node_hash(c, fr), node_hash(c, sr)
            while not fn & 1 and fn:
                fn, sn = fn >> 1, sn >> 1
        else:
            sr = node_hash(sr, c)
        fn, sn = fn >> 1, sn >> 1
    return fr == first_root and sr == second_root and sn == 0

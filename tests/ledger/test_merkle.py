"""RFC 6962 / RFC 9162 Merkle hashing: known answers, a naive reference, mutations."""

from __future__ import annotations

import hashlib
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from integrity.tree import (
    EMPTY_ROOT,
    Frontier,
    LedgerError,
    MemoryNodeStore,
    MerkleTree,
    leaf_hash,
    node_hash,
    verify_consistency,
    verify_inclusion,
)

# The reference tree published with the certificate-transparency and
# transparency-dev/merkle test data.
LEAF_DATA = [
    b"",
    b"\x00",
    b"\x10",
    b"\x20\x21",
    b"\x30\x31",
    b"\x40\x41\x42\x43",
    b"\x50\x51\x52\x53\x54\x55\x56\x57",
    bytes(range(0x60, 0x70)),
]
LEAVES = [leaf_hash(data) for data in LEAF_DATA]
ROOTS = [
    bytes.fromhex(h)
    for h in (
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
        "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
        "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
        "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
        "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
        "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
    )
]
H = {
    "l0": "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "l1": "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
    "l4": "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
    "l6l7": "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
    "l4l5": "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
    "l2l3": "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
    "l4-7": "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
    "l0-3": "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "l0l1": "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
}
# (leaf index, tree size, path), 0-based indices.
INCLUSION_VECTORS = [
    (0, 8, ["l1", "l2l3", "l4-7"]),
    (5, 8, ["l4", "l6l7", "l0-3"]),
    (2, 3, ["l0l1"]),
    (1, 5, ["l0", "l2l3", "l4"]),
]
# (first size, second size, proof).
CONSISTENCY_VECTORS = [
    (1, 1, []),
    (1, 8, ["l1", "l2l3", "l4-7"]),
    (6, 8, ["l4l5", "l6l7", "l0-3"]),
    (2, 5, ["l2l3", "l4"]),
]


# The naive reference: RFC 6962 section 2.1 written as literally as possible.
def ref_root(leaves: list[bytes]) -> bytes:
    if not leaves:
        return hashlib.sha256(b"").digest()
    if len(leaves) == 1:
        return leaves[0]
    k = 2 ** (math.ceil(math.log2(len(leaves))) - 1)
    return node_hash(ref_root(leaves[:k]), ref_root(leaves[k:]))


def ref_path(m: int, leaves: list[bytes]) -> list[bytes]:
    if len(leaves) == 1:
        return []
    k = 2 ** (math.ceil(math.log2(len(leaves))) - 1)
    if m < k:
        return [*ref_path(m, leaves[:k]), ref_root(leaves[k:])]
    return [*ref_path(m - k, leaves[k:]), ref_root(leaves[:k])]


def ref_subproof(m: int, leaves: list[bytes], complete: bool) -> list[bytes]:
    n = len(leaves)
    if m == n:
        return [] if complete else [ref_root(leaves)]
    k = 2 ** (math.ceil(math.log2(n)) - 1)
    if m <= k:
        return [*ref_subproof(m, leaves[:k], complete), ref_root(leaves[k:])]
    return [*ref_subproof(m - k, leaves[k:], False), ref_root(leaves[:k])]


def ref_consistency(m: int, leaves: list[bytes]) -> list[bytes]:
    return ref_subproof(m, leaves, True) if 0 < m < len(leaves) else []


def tree_of(leaves: list[bytes]) -> MerkleTree:
    tree = MerkleTree(MemoryNodeStore())
    tree.extend(leaves)
    return tree


def hexes(names: list[str]) -> list[bytes]:
    return [bytes.fromhex(H[name]) for name in names]


def flip(value: bytes, bit: int = 0) -> bytes:
    return (
        value[: bit // 8]
        + bytes([value[bit // 8] ^ (1 << bit % 8)])
        + value[bit // 8 + 1 :]
    )


# Known answers.


def test_empty_root_is_sha256_of_nothing() -> None:
    assert EMPTY_ROOT.hex() == ROOTS[0].hex()
    assert MerkleTree(MemoryNodeStore()).root() == EMPTY_ROOT


@pytest.mark.parametrize("size", range(9))
def test_reference_tree_roots(size: int) -> None:
    assert ref_root(LEAVES[:size]) == ROOTS[size]
    assert tree_of(LEAVES).root(size) == ROOTS[size]
    assert tree_of(LEAVES[:size]).root() == ROOTS[size]


def test_named_hashes_are_the_subtrees_they_name() -> None:
    assert leaf_hash(b"").hex() == H["l0"]
    assert ref_root(LEAVES[4:8]).hex() == H["l4-7"]
    assert ref_root(LEAVES[6:8]).hex() == H["l6l7"]


@pytest.mark.parametrize(("index", "size", "names"), INCLUSION_VECTORS)
def test_inclusion_vectors(index: int, size: int, names: list[str]) -> None:
    expected = hexes(names)
    assert ref_path(index, LEAVES[:size]) == expected
    assert tree_of(LEAVES).inclusion_proof(index, size) == expected
    assert verify_inclusion(LEAVES[index], index, size, expected, ROOTS[size])


@pytest.mark.parametrize(("first", "second", "names"), CONSISTENCY_VECTORS)
def test_consistency_vectors(first: int, second: int, names: list[str]) -> None:
    expected = hexes(names)
    assert ref_consistency(first, LEAVES[:second]) == expected
    assert tree_of(LEAVES).consistency_proof(first, second) == expected
    assert verify_consistency(first, second, ROOTS[first], ROOTS[second], expected)


# A tree size only shapes the path (sizes 5..8 share leaf 0's path); the signed
# root is what binds the size, so a wrong size is paired with that size's root.
def inclusion_mutations(
    leaves: list[bytes], index: int, size: int, proof: list[bytes]
) -> list[tuple[str, tuple[bytes, int, int, list[bytes], bytes]]]:
    leaf, root = leaves[index], ref_root(leaves[:size])
    extra = [*proof, proof[-1] if proof else leaf]
    cases = [
        ("wrong index -1", (leaf, index - 1, size, proof, root)),
        ("wrong index +1", (leaf, index + 1, size, proof, root)),
        ("smaller head", (leaf, index, size - 1, proof, ref_root(leaves[: size - 1]))),
        ("larger head", (leaf, index, size + 1, proof, ref_root(leaves[: size + 1]))),
        ("extra element", (leaf, index, size, extra, root)),
        ("flipped root", (leaf, index, size, proof, flip(root))),
        ("flipped leaf", (flip(leaf, 255), index, size, proof, root)),
    ]
    if proof:
        cases.append(("missing last", (leaf, index, size, proof[:-1], root)))
        cases.append(("missing first", (leaf, index, size, proof[1:], root)))
    for i in range(len(proof)):
        mutated = [*proof]
        mutated[i] = flip(mutated[i], 7 + i)
        cases.append((f"flipped element {i}", (leaf, index, size, mutated, root)))
    return cases


def consistency_mutations(
    leaves: list[bytes], first: int, second: int, proof: list[bytes], bit: int
) -> list[tuple[int, int, bytes, bytes, list[bytes]]]:
    r1, r2 = ref_root(leaves[:first]), ref_root(leaves[:second])
    cases = [
        (first, second, r1, r2, [*proof, r2]),
        (first, second, flip(r1, bit), r2, proof),
    ]
    if first < second:
        cases.append((second, first, r2, r1, proof))
    if first:  # size 0 is consistent with every root
        cases.append((first, second, r1, flip(r2, bit), proof))
    if proof:
        cases.append((first, second, r1, r2, proof[:-1]))
        cases.append((first, second, r1, r2, proof[1:]))
        cases += [
            (first, second, r1, r2, [*proof[:i], flip(p, bit), *proof[i + 1 :]])
            for i, p in enumerate(proof)
        ]
    if 0 < first < second:
        for f, s in ((first - 1, second), (first + 1, second), (first, second + 1)):
            cases.append((f, s, ref_root(leaves[:f]), ref_root(leaves[:s]), proof))
    return cases


@pytest.mark.parametrize(("index", "size", "names"), INCLUSION_VECTORS)
def test_mutated_inclusion_vectors_fail(
    index: int, size: int, names: list[str]
) -> None:
    for label, args in inclusion_mutations(EXTENDED, index, size, hexes(names)):
        assert not verify_inclusion(*args), label


@pytest.mark.parametrize(("first", "second", "names"), CONSISTENCY_VECTORS)
def test_mutated_consistency_vectors_fail(
    first: int, second: int, names: list[str]
) -> None:
    for case in consistency_mutations(EXTENDED, first, second, hexes(names), 100):
        assert not verify_consistency(*case), case


def test_verifiers_reject_malformed_input_without_raising() -> None:
    proof = hexes(["l4", "l6l7", "l0-3"])
    assert not verify_inclusion(LEAVES[5], 8, 8, proof, ROOTS[8])
    assert not verify_inclusion(LEAVES[5], -1, 8, proof, ROOTS[8])
    assert not verify_inclusion(LEAVES[5], 0, 0, [], EMPTY_ROOT)
    assert not verify_inclusion(LEAVES[5][:31], 5, 8, proof, ROOTS[8])
    assert not verify_inclusion(LEAVES[5], 5, 8, [proof[0][:31], *proof[1:]], ROOTS[8])
    assert not verify_inclusion(LEAVES[5], 5, 8, proof, ROOTS[8] + b"\x00")
    assert not verify_consistency(6, 8, ROOTS[6], ROOTS[8], [])
    assert not verify_consistency(-1, 8, ROOTS[0], ROOTS[8], [])
    assert not verify_consistency(6, 8, ROOTS[6][:31], ROOTS[8], hexes(["l4"]))


def test_verifiers_raise_type_error_for_wrong_types() -> None:
    proof = hexes(["l4", "l6l7", "l0-3"])
    with pytest.raises(TypeError):
        verify_inclusion(LEAVES[5], "5", 8, proof, ROOTS[8])  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        verify_inclusion(LEAVES[5], True, 8, proof, ROOTS[8])
    with pytest.raises(TypeError):
        verify_inclusion(LEAVES[5].hex(), 5, 8, proof, ROOTS[8])  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        verify_inclusion(LEAVES[5], 5, 8, [p.hex() for p in proof], ROOTS[8])  # type: ignore[misc]
    with pytest.raises(TypeError):
        verify_consistency(6, 8, ROOTS[6], ROOTS[8], b"".join(proof))  # type: ignore[arg-type]


def test_consistency_edge_sizes() -> None:
    assert verify_consistency(0, 8, EMPTY_ROOT, ROOTS[8], [])
    assert not verify_consistency(0, 8, ROOTS[1], ROOTS[8], [])
    assert not verify_consistency(0, 8, EMPTY_ROOT, ROOTS[8], [ROOTS[8]])
    assert verify_consistency(8, 8, ROOTS[8], ROOTS[8], [])
    assert not verify_consistency(8, 8, ROOTS[8], ROOTS[7], [])
    assert not verify_consistency(8, 8, ROOTS[8], ROOTS[8], [ROOTS[8]])
    assert tree_of(LEAVES).consistency_proof(0, 8) == []


def test_tree_refuses_out_of_range_requests() -> None:
    tree = tree_of(LEAVES)
    for call in (
        lambda: tree.root(9),
        lambda: tree.inclusion_proof(8, 8),
        lambda: tree.inclusion_proof(0, 9),
        lambda: tree.consistency_proof(5, 3),
        lambda: tree.leaf(8),
        lambda: tree.append(b"short"),
        lambda: MerkleTree(MemoryNodeStore(), -1),
    ):
        with pytest.raises(LedgerError):
            call()


class CountingStore(MemoryNodeStore):
    """Counts reads, to show roots and proofs touch O(log n) stored nodes."""

    reads = 0

    def get(self, level: int, index: int) -> bytes:
        self.reads += 1
        return super().get(level, index)


def test_appends_store_each_subtree_once_and_proofs_read_log_n_nodes() -> None:
    store = CountingStore()
    tree = MerkleTree(store)
    n = 1000
    tree.extend(leaf_for(i) for i in range(n))
    assert len(store) == 2 * n - bin(n).count("1")
    assert store.reads == 0
    bound = 2 * n.bit_length()
    for size in (1, 513, 777, n):
        store.reads = 0
        tree.root(size)
        tree.inclusion_proof(size // 2, size)
        tree.consistency_proof(size // 3, size)
        assert store.reads <= 3 * bound


def test_a_bad_leaf_in_a_batch_appends_nothing() -> None:
    tree = tree_of(LEAVES[:3])
    with pytest.raises(LedgerError):
        tree.extend([LEAVES[3], b"short"])
    assert tree.size == 3
    tree.extend(LEAVES[3:])
    assert tree.root() == ROOTS[8]


def test_reopened_tree_continues_from_the_store() -> None:
    store = MemoryNodeStore()
    first = MerkleTree(store)
    first.extend(LEAVES[:5])
    again = MerkleTree(store, size=5)
    assert again.extend(LEAVES[5:]) == [5, 6, 7]
    assert again.root() == ROOTS[8]
    assert again.leaf(6) == LEAVES[6]


# Properties against the reference.


def leaf_for(i: int) -> bytes:
    return leaf_hash(i.to_bytes(4, "big"))


BIG = [leaf_for(i) for i in range(301)]
EXTENDED = LEAVES + [leaf_for(1000 + i) for i in range(8)]
BIG_TREE = tree_of(BIG)

sizes = st.integers(min_value=0, max_value=300)


@settings(max_examples=60, deadline=None)
@given(size=sizes)
def test_roots_match_reference(size: int) -> None:
    assert BIG_TREE.root(size) == ref_root(BIG[:size])
    assert tree_of(BIG[:size]).root() == ref_root(BIG[:size])


@settings(max_examples=80, deadline=None)
@given(data=st.data(), size=st.integers(min_value=1, max_value=300))
def test_inclusion_proofs_match_reference_and_mutations_fail(
    data: st.DataObject, size: int
) -> None:
    index = data.draw(st.integers(min_value=0, max_value=size - 1))
    proof = BIG_TREE.inclusion_proof(index, size)
    assert proof == ref_path(index, BIG[:size])
    root = ref_root(BIG[:size])
    assert verify_inclusion(BIG[index], index, size, proof, root)
    for label, args in inclusion_mutations(BIG, index, size, proof):
        assert not verify_inclusion(*args), label


@settings(max_examples=80, deadline=None)
@given(data=st.data(), second=sizes)
def test_consistency_proofs_match_reference_and_mutations_fail(
    data: st.DataObject, second: int
) -> None:
    first = data.draw(st.integers(min_value=0, max_value=second))
    proof = BIG_TREE.consistency_proof(first, second)
    assert proof == ref_consistency(first, BIG[:second])
    r1, r2 = ref_root(BIG[:first]), ref_root(BIG[:second])
    assert verify_consistency(first, second, r1, r2, proof)
    bit = data.draw(st.integers(min_value=0, max_value=255))
    mutations = consistency_mutations(BIG, first, second, proof, bit)
    for case in mutations:
        assert not verify_consistency(*case), case


@settings(max_examples=60, deadline=None)
@given(cuts=st.lists(st.integers(min_value=0, max_value=300), max_size=6))
def test_frontier_extended_in_any_chunks_makes_the_same_nodes_and_root(
    cuts: list[int],
) -> None:
    edge, store, previous = Frontier(), MemoryNodeStore(), 0
    for cut in [*sorted(cuts), len(BIG)]:
        for level, start, digests in edge.extend(BIG[previous:cut]):
            store.put_many((level, start + i, d) for i, d in enumerate(digests))
        previous = max(previous, cut)
        assert edge.size == previous
        assert edge.root() == ref_root(BIG[:previous])
        assert Frontier.load(store, previous).pending == edge.pending
    reference = MemoryNodeStore()
    MerkleTree(reference).extend(BIG)
    assert len(store) == len(reference)
    for level in range(len(BIG).bit_length()):
        for index in range(len(BIG) >> level):
            assert store.get(level, index) == reference.get(level, index)

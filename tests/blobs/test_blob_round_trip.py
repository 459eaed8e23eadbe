"""Content comes back byte-exact, is stored once, and streams in both directions."""

from __future__ import annotations

import hashlib
import io
import tracemalloc
from concurrent.futures import ThreadPoolExecutor

import pytest
from blob_harness import GeneratedStream, Harness, generated_sha256

from service.blobs import CHUNK_SIZE, BlobRef, BlobStore

MiB = 1 << 20
EMPTY_SHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"


def test_store_satisfies_the_protocol(harness: Harness) -> None:
    assert isinstance(harness.store, BlobStore)


def test_empty_content_round_trips(harness: Harness) -> None:
    ref = harness.store.put(io.BytesIO(b""))

    assert ref == BlobRef(EMPTY_SHA256, 0)
    assert harness.store.exists(EMPTY_SHA256)
    assert harness.store.size(EMPTY_SHA256) == 0
    with harness.store.open(EMPTY_SHA256) as reader:
        assert reader.read() == b""
    assert harness.store.verify(EMPTY_SHA256) == "ok"


@pytest.mark.parametrize(
    "size", [1, CHUNK_SIZE - 1, CHUNK_SIZE, CHUNK_SIZE + 1, 3 * CHUNK_SIZE + 123]
)
def test_content_round_trips_byte_exact(harness: Harness, size: int) -> None:
    body = GeneratedStream(size, seed=size).read(size)

    ref = harness.store.put(io.BytesIO(body))

    assert ref == BlobRef(hashlib.sha256(body).hexdigest(), size)
    assert harness.store.size(ref.sha256) == size
    with harness.store.open(ref.sha256) as reader:
        assert reader.read(size + 1) + reader.read() == body
    assert harness.store.verify(ref.sha256) == "ok"


def test_short_reads_from_the_source_still_store_full_chunks(harness: Harness) -> None:
    size = 2 * CHUNK_SIZE + 500
    body = GeneratedStream(size, seed=7).read(size)

    ref = harness.store.put(GeneratedStream(size, seed=7, most=10_000))

    assert ref == BlobRef(hashlib.sha256(body).hexdigest(), size)
    start, end = CHUNK_SIZE - 3, 2 * CHUNK_SIZE + 3
    assert b"".join(harness.store.read_range(ref.sha256, start, end)) == body[start:end]


@pytest.mark.large
def test_fifty_megabytes_round_trip_streaming(harness: Harness) -> None:
    size = 50 * 1000 * 1000 + 17

    ref = harness.store.put(GeneratedStream(size, seed=50))

    assert ref == BlobRef(generated_sha256(size, seed=50), size)
    expected = GeneratedStream(size, seed=50)
    read = 0
    with harness.store.open(ref.sha256) as reader:
        while chunk := reader.read_chunk():
            assert chunk == expected.read(len(chunk))
            read += len(chunk)
    assert read == size


@pytest.mark.large
def test_put_never_holds_the_whole_body_in_memory(harness: Harness) -> None:
    size = 32 * MiB

    tracemalloc.start()
    try:
        ref = harness.store.put(GeneratedStream(size, seed=32))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    assert ref.size == size
    assert peak < 8 * MiB, f"peak {peak / MiB:.1f} MiB while storing {size / MiB} MiB"


def test_identical_content_is_stored_once(harness: Harness) -> None:
    body = b"the approved project initiation document" * 1000

    first = harness.store.put(io.BytesIO(body))
    second = harness.store.put(io.BytesIO(body))

    assert first == second
    assert list(harness.store.iter_hashes()) == [first.sha256]
    assert harness.leftovers() == 0
    with harness.store.open(first.sha256) as reader:
        assert reader.read() == body


def test_announced_digest_that_matches_is_accepted(harness: Harness) -> None:
    body = b"risk register v2"

    ref = harness.store.put(
        io.BytesIO(body), expected_sha256=hashlib.sha256(body).hexdigest(), max_size=16
    )

    assert ref.size == len(body) == 16


def test_iter_hashes_lists_every_blob_in_order(harness: Harness) -> None:
    refs = [harness.store.put(io.BytesIO(b"%d" % n)) for n in range(5)]

    assert list(harness.store.iter_hashes()) == sorted(ref.sha256 for ref in refs)


@pytest.mark.parametrize(
    ("start", "end"),
    [
        (0, 0),
        (0, 1),
        (10, 20),
        (CHUNK_SIZE - 1, CHUNK_SIZE + 1),
        (CHUNK_SIZE, 2 * CHUNK_SIZE),
        (5, 2 * CHUNK_SIZE + 99),
        (2 * CHUNK_SIZE + 99, 2 * CHUNK_SIZE + 100),
        (2 * CHUNK_SIZE + 100, 2 * CHUNK_SIZE + 100),
    ],
)
def test_read_range_returns_the_exact_slice(
    harness: Harness, start: int, end: int
) -> None:
    size = 2 * CHUNK_SIZE + 100
    body = GeneratedStream(size, seed=3).read(size)
    ref = harness.store.put(io.BytesIO(body))

    chunks = list(harness.store.read_range(ref.sha256, start, end))

    assert b"".join(chunks) == body[start:end]
    assert all(len(chunk) <= CHUNK_SIZE for chunk in chunks)


def test_a_reader_closed_early_releases_its_source(harness: Harness) -> None:
    ref = harness.store.put(GeneratedStream(3 * CHUNK_SIZE, seed=1))

    with harness.store.open(ref.sha256) as reader:
        assert len(reader.read(10)) == 10
    assert reader.closed
    unfinished = harness.store.read_range(ref.sha256, 0, 3 * CHUNK_SIZE)
    assert len(next(unfinished)) == CHUNK_SIZE
    unfinished.close()  # type: ignore[attr-defined]


def test_concurrent_puts_of_the_same_content_store_it_once(harness: Harness) -> None:
    size = CHUNK_SIZE + 77
    body = GeneratedStream(size, seed=11).read(size)

    with ThreadPoolExecutor(max_workers=4) as pool:
        refs = list(pool.map(lambda _: harness.store.put(io.BytesIO(body)), range(8)))

    assert set(refs) == {BlobRef(hashlib.sha256(body).hexdigest(), size)}
    assert list(harness.store.iter_hashes()) == [refs[0].sha256]
    assert harness.store.verify(refs[0].sha256) == "ok"
    assert harness.leftovers() == 0

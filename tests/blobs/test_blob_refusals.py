"""Refused content and refused arguments leave nothing stored."""

from __future__ import annotations

import hashlib
import io
from collections.abc import Callable

import pytest
from blob_harness import GeneratedStream, Harness

from service.blobs import (
    CHUNK_SIZE,
    BlobError,
    BlobNotFoundError,
    BlobStore,
    BlobTooLargeError,
    CorruptBlobError,
    DigestMismatchError,
    InvalidDigestError,
    RangeNotSatisfiableError,
)

ABSENT = "0" * 64


def test_every_error_is_a_blob_error() -> None:
    for error in (
        BlobNotFoundError,
        BlobTooLargeError,
        CorruptBlobError,
        DigestMismatchError,
        InvalidDigestError,
        RangeNotSatisfiableError,
    ):
        assert issubclass(error, BlobError)


def test_digest_mismatch_stores_nothing(harness: Harness) -> None:
    body = GeneratedStream(CHUNK_SIZE + 10, seed=4).read(CHUNK_SIZE + 10)
    announced = hashlib.sha256(b"something else").hexdigest()

    with pytest.raises(DigestMismatchError) as raised:
        harness.store.put(io.BytesIO(body), expected_sha256=announced)

    assert raised.value.expected == announced
    assert raised.value.actual == hashlib.sha256(body).hexdigest()
    assert list(harness.store.iter_hashes()) == []
    assert not harness.store.exists(raised.value.actual)
    assert harness.leftovers() == 0


def test_content_over_the_limit_stores_nothing(harness: Harness) -> None:
    limit = 2 * CHUNK_SIZE

    with pytest.raises(BlobTooLargeError) as raised:
        harness.store.put(GeneratedStream(limit + 1, seed=5), max_size=limit)

    assert raised.value.limit == limit
    assert list(harness.store.iter_hashes()) == []
    assert harness.leftovers() == 0


def test_content_at_the_limit_is_accepted(harness: Harness) -> None:
    assert harness.store.put(io.BytesIO(b"12345"), max_size=5).size == 5


def test_a_failing_source_stores_nothing(harness: Harness) -> None:
    class Broken(GeneratedStream):
        """Fails on its third read, as a dropped upload does."""

        reads = 0

        def read(self, size: int | None = -1) -> bytes:
            self.reads += 1
            if self.reads == 3:
                raise OSError("client went away")
            return super().read(size)

    source = Broken(5 * CHUNK_SIZE, seed=6)

    with pytest.raises(OSError, match="client went away"):
        harness.store.put(source)

    assert list(harness.store.iter_hashes()) == []
    assert harness.leftovers() == 0


BAD_DIGESTS = [
    "",
    "../" * 21 + "a",
    "A" * 64,
    "a" * 63,
    "a" * 65,
    "g" * 64,
    "ab/cd/" + "a" * 58,
    "a" * 63 + "\n",
    " " + "a" * 63,
]

CALLS: dict[str, Callable[[BlobStore, str], object]] = {
    "exists": lambda store, digest: store.exists(digest),
    "size": lambda store, digest: store.size(digest),
    "open": lambda store, digest: store.open(digest),
    "read_range": lambda store, digest: store.read_range(digest, 0, 0),
    "verify": lambda store, digest: store.verify(digest),
    "delete": lambda store, digest: store.delete(digest),
    "put": lambda store, digest: store.put(io.BytesIO(b"x"), expected_sha256=digest),
}


@pytest.mark.parametrize("call", CALLS)
@pytest.mark.parametrize("digest", BAD_DIGESTS)
def test_invalid_digests_are_refused(harness: Harness, call: str, digest: str) -> None:
    with pytest.raises(InvalidDigestError) as raised:
        CALLS[call](harness.store, digest)

    assert isinstance(raised.value, ValueError)
    assert list(harness.store.iter_hashes()) == []


def test_absent_blob_is_not_found(harness: Harness) -> None:
    assert not harness.store.exists(ABSENT)
    with pytest.raises(BlobNotFoundError):
        harness.store.size(ABSENT)
    with pytest.raises(BlobNotFoundError):
        harness.store.open(ABSENT)
    with pytest.raises(BlobNotFoundError):
        harness.store.read_range(ABSENT, 0, 0)
    assert harness.store.verify(ABSENT) == "missing"


@pytest.mark.parametrize(("start", "end"), [(-1, 2), (3, 2), (0, 11), (11, 11)])
def test_ranges_outside_the_blob_are_refused(
    harness: Harness, start: int, end: int
) -> None:
    ref = harness.store.put(io.BytesIO(b"0123456789"))

    with pytest.raises(RangeNotSatisfiableError) as raised:
        harness.store.read_range(ref.sha256, start, end)

    assert raised.value.size == 10

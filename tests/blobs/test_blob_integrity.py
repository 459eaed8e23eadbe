"""Damaged content is caught when read to the end and by verify()."""

from __future__ import annotations

import pytest
from blob_harness import GeneratedStream, Harness

from service.blobs import CHUNK_SIZE, BlobNotFoundError, CorruptBlobError

SIZE = 2 * CHUNK_SIZE + 1000


def _stored(harness: Harness) -> str:
    return harness.store.put(GeneratedStream(SIZE, seed=9)).sha256


def _read_to_end(harness: Harness, sha256: str) -> int:
    total = 0
    with harness.store.open(sha256) as reader:
        while chunk := reader.read_chunk():
            total += len(chunk)
    return total


def test_intact_blob_verifies(harness: Harness) -> None:
    sha256 = _stored(harness)

    assert _read_to_end(harness, sha256) == SIZE
    assert harness.store.verify(sha256) == "ok"


@pytest.mark.parametrize("offset", [0, CHUNK_SIZE + 5, SIZE - 1])
def test_flipped_byte_is_detected(harness: Harness, offset: int) -> None:
    sha256 = _stored(harness)
    harness.flip_byte(sha256, offset)

    with pytest.raises(CorruptBlobError) as raised:
        _read_to_end(harness, sha256)

    assert raised.value.sha256 == sha256
    assert harness.store.verify(sha256) == "corrupt"


def test_flipped_byte_is_detected_through_read(harness: Harness) -> None:
    sha256 = _stored(harness)
    harness.flip_byte(sha256, 17)

    with harness.store.open(sha256) as reader, pytest.raises(CorruptBlobError):
        reader.read()


def test_truncated_blob_is_detected(harness: Harness) -> None:
    sha256 = _stored(harness)
    harness.truncate(sha256)

    with pytest.raises(CorruptBlobError):
        _read_to_end(harness, sha256)
    assert harness.store.verify(sha256) == "corrupt"


def test_missing_blob_is_reported(harness: Harness) -> None:
    sha256 = _stored(harness)
    harness.remove(sha256)

    assert not harness.store.exists(sha256)
    with pytest.raises(BlobNotFoundError):
        harness.store.open(sha256)
    assert harness.store.verify(sha256) == "missing"


def test_put_again_after_loss_restores_the_blob(harness: Harness) -> None:
    sha256 = _stored(harness)
    harness.remove(sha256)

    assert _stored(harness) == sha256
    assert harness.store.verify(sha256) == "ok"

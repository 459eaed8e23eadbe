"""Content round trips byte for byte, large and empty, streamed in bounded memory."""

from __future__ import annotations

import hashlib
import io
import random
import tracemalloc

from service.app import PmoApplication
from service.domain.document import Document
from tests.custody.conftest import CUSTODIAN, new_document, new_project

LARGE = 50 * 1024 * 1024 + 12_345  # not a whole number of chunks
BLOCK = 1 << 20
PEAK_LIMIT = 16 * 1024 * 1024


class GeneratedStream(io.RawIOBase):
    """size pseudo-random bytes made on demand; byte p depends only on p."""

    def __init__(self, size: int, seed: int = 5) -> None:
        super().__init__()
        self._base = random.Random(seed).randbytes(BLOCK)
        self._size = size
        self._position = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        count = min(len(buffer), self._size - self._position)
        buffer[:count] = self.piece(self._position, count)
        self._position += count
        return count

    def piece(self, start: int, count: int) -> bytes:
        out = bytearray()
        while len(out) < count:
            position = start + len(out)
            block, offset = divmod(position, BLOCK)
            rotation = (block * 7919) % BLOCK  # every block differs from the last
            take = min(count - len(out), BLOCK - offset)
            at = (offset + rotation) % BLOCK
            data = (self._base[at:] + self._base[:at])[:take]
            out += data
        return bytes(out)


def expected_digest(size: int) -> str:
    digest = hashlib.sha256()
    stream = GeneratedStream(size)
    while chunk := stream.read(BLOCK):
        digest.update(chunk)
    return digest.hexdigest()


def test_large_content_round_trips_byte_exact_in_bounded_memory(
    app: PmoApplication,
) -> None:
    document_id = new_document(app, new_project(app))
    tracemalloc.start()
    try:
        _, ref = app.submit_version(
            document_id,
            GeneratedStream(LARGE),  # type: ignore[arg-type]
            "application/octet-stream",
            "model.bin",
            "",
            CUSTODIAN,
        )
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < PEAK_LIMIT, f"upload peaked at {peak} bytes for {LARGE}"
    version = app.load(Document, document_id).get_version(1)
    assert (version.sha256, version.size) == (ref.sha256, LARGE)
    assert ref.sha256 == expected_digest(LARGE)
    reference = GeneratedStream(LARGE)
    read = 0
    with app.blobs.open(ref.sha256) as reader:
        while chunk := reader.read_chunk():
            assert chunk == reference.piece(read, len(chunk)), f"differs near {read}"
            read += len(chunk)
    assert read == LARGE
    assert app.blobs.verify(ref.sha256) == "ok"


def test_empty_content_round_trips(app: PmoApplication) -> None:
    document_id = new_document(app, new_project(app))
    _, ref = app.submit_version(
        document_id, io.BytesIO(b""), "text/plain", "empty.txt", "", CUSTODIAN
    )
    version = app.load(Document, document_id).get_version(1)
    assert (version.size, version.sha256) == (0, hashlib.sha256(b"").hexdigest())
    assert ref.sha256 == version.sha256
    with app.blobs.open(version.sha256) as reader:
        assert reader.read() == b""
    assert app.verify_content(app.content_inventory()).ok

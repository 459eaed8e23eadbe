"""Seeded streams and per-backend ways to damage and age stored blobs."""

from __future__ import annotations

import hashlib
import io
import os
import random
from datetime import datetime
from pathlib import Path

from sqlalchemy import Engine, delete, func, insert, select, update

from service.blobs import CHUNK_SIZE, DatabaseBlobStore, FileBlobStore
from service.blobs.database import blob_chunks, blob_staging, blobs


class GeneratedStream(io.RawIOBase):
    """Seeded pseudo-random bytes made as they are read, never held whole."""

    def __init__(self, size: int, seed: int = 0, *, most: int | None = None) -> None:
        super().__init__()
        self._random = random.Random(seed)
        self._left = size
        self._most = most  # short reads, as a socket gives

    def readable(self) -> bool:
        return True

    def read(self, size: int | None = -1) -> bytes:
        wanted = self._left if size is None or size < 0 else min(size, self._left)
        if self._most is not None:
            wanted = min(wanted, self._most)
        self._left -= wanted
        return self._random.randbytes(wanted)


def generated_sha256(size: int, seed: int = 0) -> str:
    """The digest of GeneratedStream(size, seed), computed in chunks."""
    stream, digest = GeneratedStream(size, seed), hashlib.sha256()
    while chunk := stream.read(CHUNK_SIZE):
        digest.update(chunk)
    return digest.hexdigest()


class FileHarness:
    """A FileBlobStore plus ways to damage and age its files."""

    def __init__(self, root: Path) -> None:
        self.store = FileBlobStore(root)

    def path(self, sha256: str) -> Path:
        return self.store.root / sha256[:2] / sha256[2:4] / sha256

    def flip_byte(self, sha256: str, offset: int) -> None:
        path = self.path(sha256)
        path.chmod(0o600)
        with path.open("r+b") as file:
            file.seek(offset)
            byte = file.read(1)[0]
            file.seek(offset)
            file.write(bytes([byte ^ 0xFF]))

    def truncate(self, sha256: str) -> None:
        path = self.path(sha256)
        path.chmod(0o600)
        os.truncate(path, path.stat().st_size - 1)

    def remove(self, sha256: str) -> None:
        self.path(sha256).unlink()

    def backdate(self, sha256: str, moment: datetime) -> None:
        os.utime(self.path(sha256), (moment.timestamp(), moment.timestamp()))

    def abandon_upload(self, moment: datetime) -> None:
        temp = self.store.root / "tmp" / "put-crashed"
        temp.write_bytes(b"half a body")
        os.utime(temp, (moment.timestamp(), moment.timestamp()))

    def leftovers(self) -> int:
        return len(list((self.store.root / "tmp").iterdir()))


class DatabaseHarness:
    """A DatabaseBlobStore plus ways to damage and age its rows."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.store = DatabaseBlobStore(engine)
        self.store.create_tables()

    def _chunk(self, sha256: str, seq: int) -> bytes:
        with self.engine.connect() as conn:
            data = conn.scalar(
                select(blob_chunks.c.data).where(
                    blob_chunks.c.sha256 == sha256, blob_chunks.c.seq == seq
                )
            )
        assert data is not None
        return bytes(data)

    def _rewrite(self, sha256: str, seq: int, data: bytes) -> None:
        with self.engine.begin() as conn:
            conn.execute(
                update(blob_chunks)
                .where(blob_chunks.c.sha256 == sha256, blob_chunks.c.seq == seq)
                .values(data=data)
            )

    def flip_byte(self, sha256: str, offset: int) -> None:
        seq, at = divmod(offset, CHUNK_SIZE)
        data = bytearray(self._chunk(sha256, seq))
        data[at] ^= 0xFF
        self._rewrite(sha256, seq, bytes(data))

    def truncate(self, sha256: str) -> None:
        with self.engine.connect() as conn:
            last = conn.scalar(
                select(func.max(blob_chunks.c.seq)).where(
                    blob_chunks.c.sha256 == sha256
                )
            )
        self._rewrite(sha256, last, self._chunk(sha256, last)[:-1])

    def remove(self, sha256: str) -> None:
        with self.engine.begin() as conn:
            conn.execute(delete(blob_chunks).where(blob_chunks.c.sha256 == sha256))
            conn.execute(delete(blobs).where(blobs.c.sha256 == sha256))

    def backdate(self, sha256: str, moment: datetime) -> None:
        with self.engine.begin() as conn:
            conn.execute(
                update(blobs).where(blobs.c.sha256 == sha256).values(created_at=moment)
            )

    def abandon_upload(self, moment: datetime) -> None:
        with self.engine.begin() as conn:
            conn.execute(
                insert(blob_staging).values(
                    staging_id="crashed", seq=0, data=b"half", created_at=moment
                )
            )

    def leftovers(self) -> int:
        with self.engine.connect() as conn:
            staged = conn.scalar(select(func.count()).select_from(blob_staging))
            chunks = conn.scalar(select(func.count()).select_from(blob_chunks))
            stored = conn.scalar(select(func.count()).select_from(blobs))
        # Chunk rows only count as leftovers when no blob is stored at all.
        return int(staged or 0) + (int(chunks or 0) if not stored else 0)


Harness = FileHarness | DatabaseHarness

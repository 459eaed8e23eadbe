"""Blobs as files under the data directory, laid out as root/ab/cd/<sha256>."""

from __future__ import annotations

import fcntl
import os
import tempfile
from collections.abc import Iterator, Set
from contextlib import contextmanager
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import BinaryIO

from service.blobs.base import (
    CHUNK_SIZE,
    BlobNotFoundError,
    BlobReader,
    BlobRef,
    CorruptBlobError,
    Intake,
    Verdict,
    check_aware,
    check_digest,
    check_range,
    is_digest,
    verify_blob,
)


class FileBlobStore:
    """Content-addressed files, fsynced with their directories before put returns.

    A file's modification time is when it was last stored; gc's grace counts from it.
    """

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self._tmp = self.root / "tmp"
        self._tmp.mkdir(parents=True, exist_ok=True)

    def put(
        self,
        stream: BinaryIO,
        *,
        expected_sha256: str | None = None,
        max_size: int | None = None,
    ) -> BlobRef:
        """Stream into a temp file, fsync it, then rename it to its digest's path."""
        if expected_sha256 is not None:
            check_digest(expected_sha256)
        intake = Intake(stream, max_size)
        handle, name = tempfile.mkstemp(dir=self._tmp, prefix="put-")
        temp = Path(name)
        try:
            with os.fdopen(handle, "wb") as file:
                for chunk in intake.chunks():
                    file.write(chunk)
                file.flush()
                os.fsync(file.fileno())
            ref = intake.ref(expected_sha256)
            temp.chmod(0o400)
            self._settle(temp, ref)
        except BaseException:
            temp.unlink(missing_ok=True)
            raise
        return ref

    def exists(self, sha256: str) -> bool:
        """Whether a blob file exists for this digest."""
        return self._path(sha256).is_file()

    def size(self, sha256: str) -> int:
        """The stored file's size."""
        try:
            return self._path(sha256).stat().st_size
        except FileNotFoundError:
            raise BlobNotFoundError(sha256) from None

    def open(self, sha256: str) -> BlobReader:
        """A verifying reader over the blob file."""
        try:
            file = self._path(sha256).open("rb")
        except FileNotFoundError:
            raise BlobNotFoundError(sha256) from None
        chunks = iter(partial(file.read, CHUNK_SIZE), b"")
        return BlobReader(sha256, chunks, on_close=file.close)

    def read_range(self, sha256: str, start: int, end: int) -> Iterator[bytes]:
        """Bytes start..end-1, unverified (a slice cannot be checked against a hash)."""
        check_range(start, end, self.size(sha256))
        return self._slice(sha256, start, end)

    def verify(self, sha256: str) -> Verdict:
        """Re-hash the whole file."""
        return verify_blob(self, sha256)

    def delete(self, sha256: str, *, stored_before: datetime | None = None) -> bool:
        """Remove the file (only if last stored before the cutoff, when given)."""
        target = self._path(sha256)
        with self._locked(fcntl.LOCK_EX):
            try:
                stored = target.stat().st_mtime
            except FileNotFoundError:
                return False
            if stored_before is not None and stored >= _stamp(stored_before):
                return False
            target.unlink()
        _fsync_dir(target.parent)
        return True

    def iter_hashes(self) -> Iterator[str]:
        """Every blob file's digest, in ascending order."""
        for first in sorted(self.root.glob("[0-9a-f][0-9a-f]")):
            for second in sorted(first.glob("[0-9a-f][0-9a-f]")):
                prefix = first.name + second.name
                for path in sorted(second.iterdir()):
                    if is_digest(path.name) and path.name.startswith(prefix):
                        yield path.name

    def orphans(self, referenced: Set[str], older_than: datetime) -> list[str]:
        """Unreferenced blob files last stored before older_than."""
        cutoff = _stamp(older_than)
        return [
            sha256
            for sha256 in self.iter_hashes()
            if sha256 not in referenced and _mtime(self._path(sha256)) < cutoff
        ]

    def discard_incomplete(self, older_than: datetime) -> int:
        """Remove temp files a crash left (a live write keeps touching its own)."""
        cutoff = _stamp(older_than)
        stale = [path for path in self._tmp.iterdir() if _mtime(path) < cutoff]
        for path in stale:
            path.unlink(missing_ok=True)
        return len(stale)

    def _path(self, sha256: str) -> Path:
        check_digest(sha256)
        return self.root / sha256[:2] / sha256[2:4] / sha256

    def _settle(self, temp: Path, ref: BlobRef) -> None:
        target = self._path(ref.sha256)
        # Shared with other puts, exclusive with gc: a blob being re-stored is
        # either refreshed before gc looks at it or re-created after gc removed it.
        with self._locked(fcntl.LOCK_SH):
            if _size_or_none(target) == ref.size:
                os.utime(target)  # identical content is kept once; restart its grace
                temp.unlink()
                return
            for directory in (target.parent.parent, target.parent):
                if not directory.is_dir():
                    directory.mkdir(exist_ok=True)
                    _fsync_dir(directory.parent)
            os.replace(temp, target)
            _fsync_dir(target.parent)

    def _slice(self, sha256: str, start: int, end: int) -> Iterator[bytes]:
        try:
            file = self._path(sha256).open("rb")
        except FileNotFoundError:
            raise BlobNotFoundError(sha256) from None
        with file:
            file.seek(start)
            remaining = end - start
            while remaining:
                chunk = file.read(min(CHUNK_SIZE, remaining))
                if not chunk:
                    raise CorruptBlobError(sha256)
                remaining -= len(chunk)
                yield chunk

    @contextmanager
    def _locked(self, mode: int) -> Iterator[None]:
        handle = os.open(self.root / ".lock", os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(handle, mode)
            yield
        finally:
            os.close(handle)


def _stamp(moment: datetime) -> float:
    return check_aware(moment).timestamp()


def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except FileNotFoundError:
        return float("inf")  # already gone: never selected for removal


def _size_or_none(path: Path) -> int | None:
    try:
        return path.stat().st_size
    except FileNotFoundError:
        return None


def _fsync_dir(directory: Path) -> None:
    # A rename or unlink is durable only once its directory entry is on disk.
    handle = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(handle)
    finally:
        os.close(handle)

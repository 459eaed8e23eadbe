"""The content-addressed blob store contract, its errors and shared streaming parts."""

from __future__ import annotations

import hashlib
import io
import re
from collections.abc import Callable, Iterator, Set
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, BinaryIO, Final, Literal, Protocol, runtime_checkable

if TYPE_CHECKING:
    from _typeshed import WriteableBuffer

CHUNK_SIZE: Final = 1 << 20
"""Bytes read, hashed and stored at a time; every stored chunk but the last is full."""

_DIGEST: Final = re.compile(r"[0-9a-f]{64}")

Verdict = Literal["ok", "missing", "corrupt"]


class BlobError(Exception):
    """Base of every blob store error."""


class InvalidDigestError(BlobError, ValueError):
    """A sha256 argument is not 64 lowercase hexadecimal characters."""

    def __init__(self, value: object) -> None:
        super().__init__(f"not a lowercase hex sha256 digest: {value!r:.80}")
        self.value = value


class DigestMismatchError(BlobError):
    """The content's sha256 differs from the digest the caller announced."""

    def __init__(self, expected: str, actual: str) -> None:
        super().__init__(f"content digest is {actual}, expected {expected}")
        self.expected = expected
        self.actual = actual


class BlobTooLargeError(BlobError):
    """More than the allowed number of bytes arrived."""

    def __init__(self, limit: int) -> None:
        super().__init__(f"content exceeds {limit} bytes")
        self.limit = limit


class BlobNotFoundError(BlobError, LookupError):
    """No blob is stored under this sha256."""

    def __init__(self, sha256: str) -> None:
        super().__init__(f"no blob {sha256}")
        self.sha256 = sha256


class CorruptBlobError(BlobError):
    """The stored bytes do not hash to the blob's sha256 (or have the wrong size)."""

    def __init__(self, sha256: str) -> None:
        super().__init__(f"blob {sha256} is corrupt")
        self.sha256 = sha256


class RangeNotSatisfiableError(BlobError):
    """A byte range lies outside the blob."""

    def __init__(self, start: int, end: int, size: int) -> None:
        super().__init__(f"range [{start}, {end}) is outside a blob of {size} bytes")
        self.start = start
        self.end = end
        self.size = size


@dataclass(frozen=True)
class BlobRef:
    """What an event records about stored content: its sha256 (hex) and size."""

    sha256: str
    size: int


@runtime_checkable
class BlobStore(Protocol):
    """Content-addressed storage of document bytes, streamed in both directions."""

    def put(
        self,
        stream: BinaryIO,
        *,
        expected_sha256: str | None = None,
        max_size: int | None = None,
    ) -> BlobRef:
        """Store the stream's bytes durably and return their reference."""
        ...

    def exists(self, sha256: str) -> bool:
        """Whether a blob is stored under this digest."""
        ...

    def size(self, sha256: str) -> int:
        """The stored size in bytes."""
        ...

    def open(self, sha256: str) -> BlobReader:
        """A reader that raises CorruptBlobError when read to the end of bad content."""
        ...

    def read_range(self, sha256: str, start: int, end: int) -> Iterator[bytes]:
        """Bytes start..end-1 (end exclusive), unverified: a slice cannot be hashed."""
        ...

    def verify(self, sha256: str) -> Verdict:
        """Re-hash the whole blob: "ok", "missing" or "corrupt"."""
        ...

    def delete(self, sha256: str, *, stored_before: datetime | None = None) -> bool:
        """Remove a blob (if last stored before the cutoff); True if removed."""
        ...

    def iter_hashes(self) -> Iterator[str]:
        """Every stored digest, in ascending order."""
        ...

    def orphans(self, referenced: Set[str], older_than: datetime) -> list[str]:
        """Stored digests not in referenced and last stored before older_than."""
        ...

    def discard_incomplete(self, older_than: datetime) -> int:
        """Remove uploads a crash left unfinished before older_than; return a count."""
        ...


def check_digest(value: object) -> str:
    """Return value if it is a lowercase hex sha256, else raise InvalidDigestError."""
    if not isinstance(value, str) or not is_digest(value):
        raise InvalidDigestError(value)
    return value


def is_digest(value: str) -> bool:
    """Whether value is a lowercase hex sha256 (for names found in storage)."""
    return _DIGEST.fullmatch(value) is not None


def check_range(start: int, end: int, size: int) -> None:
    """Refuse a range that is not 0 <= start <= end <= size."""
    if not 0 <= start <= end <= size:
        raise RangeNotSatisfiableError(start, end, size)


def check_aware(moment: datetime) -> datetime:
    """Return moment in UTC; naive times are refused (gc compares across hosts)."""
    if moment.tzinfo is None:
        raise ValueError("a timezone-aware datetime is required")
    return moment.astimezone(UTC)


class Intake:
    """Reads a stream in full chunks, hashing and counting, within a size limit."""

    def __init__(self, stream: BinaryIO, max_size: int | None) -> None:
        self._stream = stream
        self._max_size = max_size
        self._hash = hashlib.sha256()
        self.size = 0

    def chunks(self) -> Iterator[bytes]:
        """Yield CHUNK_SIZE pieces (the last may be shorter) until end of stream."""
        while chunk := self._fill():
            self.size += len(chunk)
            if self._max_size is not None and self.size > self._max_size:
                raise BlobTooLargeError(self._max_size)
            self._hash.update(chunk)
            yield chunk

    def ref(self, expected_sha256: str | None) -> BlobRef:
        """The reference of everything read; checks the announced digest."""
        actual = self._hash.hexdigest()
        if expected_sha256 is not None and expected_sha256 != actual:
            raise DigestMismatchError(expected_sha256, actual)
        return BlobRef(actual, self.size)

    def _fill(self) -> bytes:
        # Sockets return short reads; the database layout relies on full chunks.
        first = self._stream.read(CHUNK_SIZE)
        if not first or len(first) == CHUNK_SIZE:
            return bytes(first or b"")
        buffer = bytearray(first)
        while len(buffer) < CHUNK_SIZE:
            more = self._stream.read(CHUNK_SIZE - len(buffer))
            if not more:
                break
            buffer += more
        return bytes(buffer)


class BlobReader(io.RawIOBase):
    """Streams a blob's chunks and checks size and sha256 when the end is reached.

    Only a read to the end is verified: a caller that stops early gets no verdict.
    """

    def __init__(
        self,
        sha256: str,
        chunks: Iterator[bytes],
        *,
        size: int | None = None,
        on_close: Callable[[], None] | None = None,
    ) -> None:
        super().__init__()
        self.sha256 = sha256
        self._chunks = chunks
        self._size = size
        self._on_close = on_close
        self._hash = hashlib.sha256()
        self._seen = 0
        self._pending = memoryview(b"")
        self._verdict: Verdict | None = None

    def readable(self) -> bool:
        """Always true: this is a reader."""
        return True

    def readinto(self, buffer: WriteableBuffer, /) -> int:
        """Fill buffer from the current chunk; 0 at a verified end."""
        while not self._pending:
            if self._verdict is not None:
                self._raise_if_corrupt()
                return 0
            chunk = next(self._chunks, None)
            if chunk is None:
                self._verdict = self._conclude()
                continue
            self._hash.update(chunk)
            self._seen += len(chunk)
            if self._size is not None and self._seen > self._size:
                self._verdict = "corrupt"
                continue
            self._pending = memoryview(chunk)
        target = memoryview(buffer).cast("B")
        count = min(len(target), len(self._pending))
        target[:count] = self._pending[:count]
        self._pending = self._pending[count:]
        return count

    def read_chunk(self) -> bytes:
        """The next stored chunk (b"" at a verified end); avoids small copies."""
        if not self._pending:
            self.readinto(bytearray(0))  # loads the next chunk, or verifies the end
        pending, self._pending = self._pending, memoryview(b"")
        if isinstance(pending.obj, bytes) and len(pending.obj) == len(pending):
            return pending.obj  # the whole stored chunk: no copy needed
        return bytes(pending)

    def close(self) -> None:
        """Release the underlying file or connection."""
        if not self.closed and self._on_close is not None:
            self._on_close()
        super().close()

    def _conclude(self) -> Verdict:
        if self._size is not None and self._seen != self._size:
            return "corrupt"
        return "ok" if self._hash.hexdigest() == self.sha256 else "corrupt"

    def _raise_if_corrupt(self) -> None:
        if self._verdict == "corrupt":
            raise CorruptBlobError(self.sha256)


def verify_blob(store: BlobStore, sha256: str) -> Verdict:
    """Read a blob to the end through its verifying reader and report the verdict."""
    try:
        with store.open(sha256) as reader:
            while reader.read_chunk():
                pass
    except BlobNotFoundError:
        return "missing"
    except CorruptBlobError:
        return "corrupt"
    return "ok"


def collect_garbage(
    store: BlobStore, referenced: Set[str], grace: timedelta, now: datetime
) -> list[str]:
    """Remove blobs no event references, stored more than grace before now.

    The grace period protects a write in flight: its blob is stored (or re-stored,
    which refreshes the time) before the event that references it commits.
    """
    cutoff = check_aware(now) - grace
    store.discard_incomplete(cutoff)
    return [
        sha256
        for sha256 in store.orphans(referenced, cutoff)
        if store.delete(sha256, stored_before=cutoff)
    ]

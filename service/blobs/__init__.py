"""Content-addressed (SHA-256) storage of document bytes: files or database rows."""

from service.blobs.base import (
    CHUNK_SIZE,
    BlobError,
    BlobNotFoundError,
    BlobReader,
    BlobRef,
    BlobStore,
    BlobTooLargeError,
    CorruptBlobError,
    DigestMismatchError,
    InvalidDigestError,
    RangeNotSatisfiableError,
    Verdict,
    collect_garbage,
)
from service.blobs.database import DatabaseBlobStore
from service.blobs.files import FileBlobStore

__all__ = [
    "CHUNK_SIZE",
    "BlobError",
    "BlobNotFoundError",
    "BlobReader",
    "BlobRef",
    "BlobStore",
    "BlobTooLargeError",
    "CorruptBlobError",
    "DatabaseBlobStore",
    "DigestMismatchError",
    "FileBlobStore",
    "InvalidDigestError",
    "RangeNotSatisfiableError",
    "Verdict",
    "collect_garbage",
]

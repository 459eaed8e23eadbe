"""Unified differences between two text versions of a document."""

from __future__ import annotations

import difflib
from typing import Final

from service.blobs import BlobNotFoundError, BlobStore
from service.domain.base import InvalidValueError
from service.domain.document import Document
from service.domain.document_parts import Version

MAX_DIFF_BYTES: Final = 2 * 1024 * 1024
"""Each side of a difference is read whole into memory, so it is capped."""

TEXT_TYPES: Final = frozenset({"application/json", "application/xml"})


class DiffNotAvailableError(InvalidValueError):
    """The two versions cannot be compared as text (binary, too large, gone)."""


def is_text(media_type: str) -> bool:
    """Whether a media type is text that a line difference makes sense for."""
    essence = media_type.split(";", 1)[0].strip().lower()
    return (
        essence.startswith("text/")
        or essence in TEXT_TYPES
        or essence.endswith(("+json", "+xml"))
    )


def diff_versions(
    store: BlobStore,
    document: Document,
    old: int,
    new: int,
    *,
    max_bytes: int = MAX_DIFF_BYTES,
) -> str:
    """The unified diff from version old to version new ("" when identical)."""
    document.check_active("compare versions of")
    before = document.get_version(old)
    after = document.get_version(new)
    return "".join(
        difflib.unified_diff(
            _lines(store, before, "from", max_bytes),
            _lines(store, after, "to", max_bytes),
            fromfile=f"v{old}/{before.filename}",
            tofile=f"v{new}/{after.filename}",
        )
    )


def _lines(store: BlobStore, version: Version, field: str, limit: int) -> list[str]:
    label = f"version {version.number} ({version.media_type})"
    if not is_text(version.media_type):
        raise DiffNotAvailableError(field, f"{label} is not text")
    if version.size > limit:
        raise DiffNotAvailableError(
            field, f"{label} has {version.size} bytes; differences stop at {limit}"
        )
    try:
        with store.open(version.sha256) as reader:
            data = reader.read()  # verified: the reader checks the hash at the end
    except BlobNotFoundError:
        raise DiffNotAvailableError(field, f"{label} has no stored content") from None
    try:
        text = data.decode(_charset(version.media_type))
    except (UnicodeDecodeError, LookupError):
        raise DiffNotAvailableError(field, f"{label} is not valid text") from None
    lines = text.splitlines(keepends=True)
    if lines and not lines[-1].endswith("\n"):
        lines[-1] += "\n\\ No newline at end of file\n"  # as diff(1) marks it
    return lines


def _charset(media_type: str) -> str:
    for parameter in media_type.split(";")[1:]:
        key, _, value = parameter.partition("=")
        if key.strip().lower() == "charset" and value.strip():
            return value.strip().strip('"')
    return "utf-8"

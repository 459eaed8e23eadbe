"""Document content: the authoritative version or any version, streamed, by range."""

from __future__ import annotations

import base64
import re
from collections.abc import Iterator
from uuid import UUID

from flask import Response, request
from flask_smorest import Blueprint

from api.auth import request_meta
from api.errors import ApiError
from api.resources.common import ledger, problems
from service.blobs import BlobReader, RangeNotSatisfiableError
from service.domain.document import Document, Version

blp = Blueprint("content", __name__, url_prefix="/api/v1", description="Content")
ONE = "/documents/<uuid:document_id>"
_RANGE = re.compile(r"bytes=(\d*)-(\d*)")
BINARY = {
    "content": {"application/octet-stream": {"schema": {"type": "string"}}},
    "description": "The bytes, with ETag (the sha256) and Content-Digest",
}


@blp.route(ONE + "/content", methods=["GET"])
@blp.doc(responses={"200": BINARY, "206": BINARY, "304": {"description": "Unchanged"}})
@problems(blp, 404, 416)
def authoritative_content(document_id: UUID) -> Response:
    """The authoritative (approved) version's bytes."""
    version = ledger().authoritative_at(document_id)
    if version is None:
        raise ApiError(404, f"document {document_id} has no approved version")
    return send_version(document_id, version)


@blp.route(ONE + "/versions/<int:number>/content", methods=["GET"])
@blp.doc(responses={"200": BINARY, "206": BINARY, "304": {"description": "Unchanged"}})
@problems(blp, 404, 416)
def version_content(document_id: UUID, number: int) -> Response:
    """Any version's bytes (while the content has not been disposed of)."""
    # The cached document, not a copy (a copy grows with the history).
    versions = ledger().load(Document, document_id, read_only=True).versions
    if not 1 <= number <= len(versions):
        raise ApiError(404, f"document {document_id} has no version {number}")
    return send_version(document_id, versions[number - 1])


def send_version(document_id: UUID, version: Version) -> Response:
    """Stream a version with validators; honour If-None-Match and one Range.

    Every download that starts at the first byte is recorded as a copy issued to
    the caller (configuration control), before any byte is sent.
    """
    blobs = ledger().blobs
    if not blobs.exists(version.sha256):
        raise ApiError(404, "the content of this version is no longer stored")
    etag = f'"{version.sha256}"'
    headers = {
        "ETag": etag,
        "Content-Digest": "sha-256=:"
        + base64.b64encode(bytes.fromhex(version.sha256)).decode()
        + ":",
        "Accept-Ranges": "bytes",
        "Content-Disposition": _disposition(version.filename),
        "Cache-Control": "private, no-cache",
    }
    if _matches(request.headers.get("If-None-Match"), etag):
        return Response(status=304, headers=headers)
    size = version.size
    wanted = _range(request.headers.get("Range"), size)
    if wanted is None or wanted[0] == 0:
        ledger().record_copy_issued(document_id, version.number, request_meta())
    if wanted is None:
        reader = blobs.open(version.sha256)
        headers["Content-Length"] = str(size)
        return Response(
            _stream(reader),
            200,
            headers,
            mimetype=version.media_type,
            direct_passthrough=True,
        )
    start, end = wanted
    headers["Content-Range"] = f"bytes {start}-{end - 1}/{size}"
    headers["Content-Length"] = str(end - start)
    return Response(
        blobs.read_range(version.sha256, start, end),
        206,
        headers,
        mimetype=version.media_type,
        direct_passthrough=True,
    )


def _stream(reader: BlobReader) -> Iterator[bytes]:
    with reader:
        while chunk := reader.read_chunk():
            yield chunk


def _matches(header: str | None, etag: str) -> bool:
    if header is None:
        return False
    tags = [t.strip().removeprefix("W/") for t in header.split(",")]
    return "*" in tags or etag in tags


def _range(header: str | None, size: int) -> tuple[int, int] | None:
    """(start, end exclusive) of a single byte range; None for the whole."""
    if header is None:
        return None
    match = _RANGE.fullmatch(header.strip())
    if match is None or match.group(1) == match.group(2) == "":
        return None  # unsupported or multiple ranges: send everything (RFC 9110)
    first, last = match.groups()
    if first == "":
        start, end = max(0, size - int(last)), size
    else:
        start = int(first)
        end = min(size, int(last) + 1) if last else size
    if start >= size or start >= end:
        raise RangeNotSatisfiableError(start, end, size)
    return start, end


def _disposition(filename: str) -> str:
    safe = "".join(c if c.isalnum() or c in "._- " else "_" for c in filename)
    return f'attachment; filename="{safe}"'

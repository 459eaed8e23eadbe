"""Document content: the authoritative version or any version, streamed, by range."""

from __future__ import annotations

import base64
import re
from uuid import UUID

from flask import Response, request

from api.auth import request_meta
from api.context import services
from api.resources.common import Blueprint, problems
from usecases import content

blp = Blueprint("content", __name__, url_prefix="/api/v1", description="Content")
ONE = "/documents/<uuid:document_id>"
_RANGE = re.compile(r"bytes=(\d*)-(\d*)")
BINARY = {
    "content": {
        "application/octet-stream": {"schema": {"type": "string"}},
        # Served as the media type recorded with the version (application/pdf...).
        "*/*": {"schema": {"type": "string", "format": "binary"}},
    },
    "description": "The bytes, with ETag (the sha256) and Content-Digest",
}


@blp.route(ONE + "/content", methods=["GET"])
@blp.doc(responses={"200": BINARY, "206": BINARY, "304": {"description": "Unchanged"}})
@problems(blp, 404, 416)
def authoritative_content(document_id: UUID) -> Response:
    """The authoritative (approved) version's bytes."""
    return download(document_id, None)


@blp.route(ONE + "/versions/<int:number>/content", methods=["GET"])
@blp.doc(responses={"200": BINARY, "206": BINARY, "304": {"description": "Unchanged"}})
@problems(blp, 404, 416)
def version_content(document_id: UUID, number: int) -> Response:
    """Any version's bytes (while the content has not been disposed of)."""
    return download(document_id, number)


def download(document_id: UUID, number: int | None) -> Response:
    """Download a version as the caller (recorded as a copy issued); honour
    If-None-Match and one Range."""
    command = content.DownloadVersion(
        document_id,
        number,
        _range(request.headers.get("Range")),
        _held(request.headers.get("If-None-Match")),
    )
    return send(content.download_version(services(), command, request_meta()))


def send(found: content.Download) -> Response:
    """A download as a response: 304, 200 or 206 with its validators."""
    version = found.version
    headers = {
        "ETag": f'"{version.sha256}"',
        "Content-Digest": "sha-256=:"
        + base64.b64encode(bytes.fromhex(version.sha256)).decode()
        + ":",
        "Accept-Ranges": "bytes",
        "Content-Disposition": _disposition(version.filename),
        "Cache-Control": "private, no-cache",
    }
    if found.content is None:
        return Response(status=304, headers=headers)
    status = 200
    if found.span is None:
        headers["Content-Length"] = str(version.size)
    else:
        start, end = found.span
        headers["Content-Range"] = f"bytes {start}-{end - 1}/{version.size}"
        headers["Content-Length"] = str(end - start)
        status = 206
    return Response(
        found.content,
        status,
        headers,
        mimetype=version.media_type,
        direct_passthrough=True,
    )


def _held(header: str | None) -> frozenset[str]:
    """The digests an If-None-Match header says the caller holds ("*": any)."""
    if header is None:
        return frozenset()
    tags = [t.strip().removeprefix("W/") for t in header.split(",")]
    return frozenset(
        "*" if tag == "*" else tag[1:-1]
        for tag in tags
        if tag == "*" or (len(tag) > 1 and tag[0] == tag[-1] == '"')
    )


def _range(header: str | None) -> content.ByteRange | None:
    """A single byte range; None for the whole (unsupported or several ranges)."""
    if header is None:
        return None
    match = _RANGE.fullmatch(header.strip())
    if match is None or match.group(1) == match.group(2) == "":
        return None  # unsupported or multiple ranges: send everything (RFC 9110)
    first, last = match.groups()
    if first == "":
        return content.ByteRange(None, int(last))
    return content.ByteRange(int(first), int(last) if last else None)


def _disposition(filename: str) -> str:
    safe = "".join(c if c.isalnum() or c in "._- " else "_" for c in filename)
    return f'attachment; filename="{safe}"'

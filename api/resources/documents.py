"""Documents: register, upload versions (streamed), review status, copies, holds."""

from __future__ import annotations

import base64
import binascii
from dataclasses import replace
from typing import Any
from uuid import UUID

from flask import Response, request

from api.access import reach
from api.auth import request_meta
from api.errors import ApiError
from api.resources.common import (
    Blueprint,
    expected_version,
    page,
    problems,
    services,
    written,
)
from api.resources.routes import command, read_routes
from api.schemas.base import EmptyBody, ListArgs, PageSchema, WrittenSchema
from api.schemas.documents import (
    CopyIssue,
    DocumentRegistration,
    HoldPlacement,
    UploadArgs,
)
from service.domain.document import Document
from usecases import content, documents

blp = Blueprint("documents", __name__, url_prefix="/api/v1", description="Documents")
ONE = "/documents/<uuid:document_id>"
VERSION = ONE + "/versions/<int:number>"
UPLOAD_DOC = {
    "requestBody": {
        "required": True,
        "content": {"*/*": {"schema": {"type": "string", "format": "binary"}}},
        "description": "The raw bytes; Content-Type is recorded as the media type",
    },
    "parameters": [
        {
            "in": "header",
            "name": "X-Filename",
            "schema": {"type": "string"},
            "description": "The file's name: required unless ?filename= names it",
        },
        {"in": "header", "name": "Content-Digest", "schema": {"type": "string"}},
    ],
}


def check_clearance(classification: str) -> None:
    """Refuse a document above the caller's clearance before it is registered."""
    if not reach().cleared_for(classification):
        # Registering it would hide it from its own registrar at once.
        raise ApiError(
            403,
            f"a {classification} document is above your clearance "
            f"({reach().clearance})",
        )


@command(
    blp,
    "/projects/<project:project_id>/documents",
    DocumentRegistration,
    status=201,
    codes=(403, 404, 409, 412, 422),
)
def register_document(body: dict[str, Any], project_id: UUID) -> Response:
    """Register a configuration item in an open project."""
    check_clearance(body["classification"])
    result = documents.register_document(
        services(),
        documents.RegisterDocument.of(project_id, body, expected_version()),
        request_meta(body["reason"]),
    )
    return written(result, f"/documents/{result.id}", created=True)


@blp.route("/projects/<project:project_id>/documents", methods=["GET"])
@blp.arguments(ListArgs, location="query")
@blp.response(200, PageSchema)
@problems(blp, 422, 503)
def list_documents(args: dict[str, Any], project_id: UUID) -> Response:
    """A project's documents, a page at a time."""
    found = content.list_documents(
        services(),
        content.DocumentsQuery(
            project_id,
            as_of=args["as_of"],
            after=args["after"],
            limit=args["limit"],
            min_position=args["min_position"],
        ),
    )
    # Above the caller's clearance a document is not there (the page may be short).
    return page(replace(found, items=reach().documents(found.items)))


read_routes(
    blp,
    ONE,
    Document,
    "document",
    summary="One document with its versions and holds, now or at a moment.",
)


def content_digest() -> str | None:
    """The sha256 (hex) an RFC 9530 Content-Digest header announces, if any."""
    header = request.headers.get("Content-Digest")
    if header is None:
        return None
    for item in header.split(","):
        name, _, value = item.strip().partition("=")
        if name.strip().lower() != "sha-256":
            continue
        value = value.strip()
        try:
            raw = base64.b64decode(value.strip(":"), validate=True)
        except (binascii.Error, ValueError):
            raw = b""
        if not (value.startswith(":") and value.endswith(":")) or len(raw) != 32:
            break
        return raw.hex()
    raise ApiError(
        400,
        "Content-Digest must carry sha-256=:BASE64:",
        errors={"Content-Digest": ["expected sha-256=:BASE64 of 32 bytes:"]},
    )


@blp.route(ONE + "/versions", methods=["POST"])
@blp.arguments(UploadArgs, location="query")
@blp.doc(**UPLOAD_DOC)
@blp.response(201, WrittenSchema)
@problems(blp, 400, 404, 409, 412, 413, 415, 422)
def submit_version(args: dict[str, Any], document_id: UUID) -> Response:
    """Upload a version's raw bytes, streamed and hashed (never held in memory)."""
    media_type = request.headers.get("Content-Type", "").strip()
    if not media_type:
        raise ApiError(415, "send the content with its Content-Type")
    filename = request.headers.get("X-Filename") or args["filename"]
    if not filename:
        raise ApiError(
            422,
            "name the file in X-Filename or ?filename=",
            errors={"filename": ["required"]},
        )
    submitted = documents.submit_version(
        services(),
        documents.SubmitVersion(
            document_id,
            request.stream,  # type: ignore[arg-type]
            media_type[:200],
            filename,
            args["comment"],
            sha256=content_digest(),
            declared_size=request.content_length,
            expected_version=expected_version(),
        ),
        request_meta(request.headers.get("X-Reason")),
    )
    return written(
        submitted.written,
        f"/documents/{document_id}/versions/{submitted.number}/content",
        created=True,
        number=submitted.number,
        sha256=submitted.sha256,
        size=submitted.size,
    )


@command(blp, VERSION + "/review", EmptyBody, required=False)
def review_version(body: dict[str, Any], document_id: UUID, number: int) -> Response:
    """Send a draft version for review."""
    result = documents.send_version_for_review(
        services(),
        documents.SendVersionForReview(document_id, number, expected_version()),
        request_meta(body.get("reason")),
    )
    return written(result, f"/documents/{document_id}")


@command(blp, VERSION + "/approve", EmptyBody, required=False)
def approve_version(body: dict[str, Any], document_id: UUID, number: int) -> Response:
    """Approve a version in review; the previously approved one is superseded."""
    result = documents.approve_version(
        services(),
        documents.ApproveVersion(document_id, number, expected_version()),
        request_meta(body.get("reason")),
    )
    return written(result, f"/documents/{document_id}")


@command(blp, VERSION + "/withdraw", EmptyBody, required=False)
def withdraw_version(body: dict[str, Any], document_id: UUID, number: int) -> Response:
    """Withdraw a version from use."""
    result = documents.withdraw_version(
        services(),
        documents.WithdrawVersion(document_id, number, expected_version()),
        request_meta(body.get("reason")),
    )
    return written(result, f"/documents/{document_id}")


@command(blp, ONE + "/copies", CopyIssue, status=201, codes=(404, 409, 422))
def issue_copy(body: dict[str, Any], document_id: UUID) -> Response:
    """Record that a copy of a version was issued to a recipient."""
    result = documents.issue_copy(
        services(),
        documents.IssueCopy(
            document_id, body["number"], body["recipient"], body["purpose"]
        ),
        request_meta(body["reason"]),
    )
    return written(result, f"/documents/{document_id}", created=True)


@command(blp, ONE + "/holds", HoldPlacement, status=201)
def place_hold(body: dict[str, Any], document_id: UUID) -> Response:
    """Place a legal hold that blocks disposal."""
    result = documents.place_hold(
        services(),
        documents.PlaceHold(
            document_id,
            body["hold_id"],
            body["title"],
            body["mandate"],
            expected_version(),
        ),
        request_meta(body["reason"]),
    )
    return written(result, f"/documents/{document_id}", created=True)


@command(blp, ONE + "/holds/<string:hold_id>/release", EmptyBody, required=False)
def release_hold(body: dict[str, Any], document_id: UUID, hold_id: str) -> Response:
    """Release one legal hold."""
    result = documents.release_hold(
        services(),
        documents.ReleaseHold(document_id, hold_id, expected_version()),
        request_meta(body.get("reason")),
    )
    return written(result, f"/documents/{document_id}")

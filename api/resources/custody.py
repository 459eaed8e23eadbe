"""Custody extras: retention, disposal, copy-holders, as-at and by-hash reads, diffs."""

from __future__ import annotations

import dataclasses
from datetime import datetime
from typing import Any
from uuid import UUID

import marshmallow as ma
from flask import Response, jsonify
from flask_smorest import Blueprint
from marshmallow import fields, validate

from api.auth import request_meta
from api.resources.common import (
    expected_version,
    ledger,
    plain,
    problems,
    services,
    written,
)
from api.resources.routes import command
from api.schemas.base import Body, EmptyBody, Open
from service.diff import diff_versions
from service.domain.document import Document, Version

AS_AT_WAIT_SECONDS = 0.5
blp = Blueprint("custody", __name__, url_prefix="/api/v1", description="Custody")
ONE = "/documents/<uuid:document_id>"
TEXT_DIFF = {
    "content": {"text/plain": {"schema": {"type": "string"}}},
    "description": "A unified diff (empty when the versions are identical)",
}


class DiffArgs(ma.Schema):
    """The two version numbers to compare."""

    from_ = fields.Integer(
        data_key="from", required=True, validate=validate.Range(min=1)
    )
    to = fields.Integer(required=True, validate=validate.Range(min=1))


class AsOfArgs(ma.Schema):
    """An optional moment (ISO 8601 with offset); omitted means now."""

    as_of = fields.AwareDateTime(load_default=None)


class RetentionExtension(Body):
    """Keep the document at least until this date (later than any set before)."""

    until = fields.Date(required=True)


@blp.route(ONE + "/diff", methods=["GET"])
@blp.arguments(DiffArgs, location="query")
@blp.doc(responses={"200": TEXT_DIFF})
@problems(blp, 404, 409, 422)
def diff(args: dict[str, Any], document_id: UUID) -> Response:
    """The unified diff between two text versions."""
    document = ledger().load(Document, document_id)
    text = diff_versions(ledger().blobs, document, args["from_"], args["to"])
    return Response(text, 200, mimetype="text/plain")


@blp.route(ONE + "/retention", methods=["GET"])
@blp.response(200, Open)
@problems(blp, 404)
def disposal_date(document_id: UUID) -> Response:
    """The retention class, trigger, due date and earliest disposal date."""
    return jsonify(plain(ledger().disposal_date(document_id)))


@command(blp, ONE + "/retention", RetentionExtension)
def extend_retention(body: dict[str, Any], document_id: UUID) -> Response:
    """Extend retention to a later date (it is never shortened)."""
    result = ledger().extend_retention(
        document_id, body["until"], request_meta(body["reason"]), expected_version()
    )
    return written(result, f"/documents/{document_id}/retention")


@command(blp, ONE + "/dispose", EmptyBody, required=False)
def dispose_document(body: dict[str, Any], document_id: UUID) -> Response:
    """Dispose of the content once due and unheld; the stub and history stay."""
    disposal = ledger().dispose_document(
        document_id, request_meta(body.get("reason")), None, expected_version()
    )
    return written(
        disposal.written,
        f"/documents/{document_id}",
        due_on=disposal.due_on.isoformat(),
        removed=list(disposal.removed),
        retained=list(disposal.retained),
    )


@blp.route(ONE + "/copies", methods=["GET"])
@blp.response(200, Open)
@problems(blp, 404)
def copy_holders(document_id: UUID) -> Response:
    """Every copy issued: recipient, version, when, by whom, why."""
    return jsonify(items=plain(ledger().copy_holders(document_id)))


@blp.route(ONE + "/authoritative", methods=["GET"])
@blp.arguments(AsOfArgs, location="query")
@blp.response(200, Open)
@problems(blp, 404, 422)
def authoritative(args: dict[str, Any], document_id: UUID) -> Response:
    """The approved version now or as at a moment, with who approved it, when."""
    as_of = args["as_of"]
    if as_of is None:
        version = plain(ledger().authoritative_at(document_id))
    else:
        version = authoritative_as_at(document_id, as_of)
    return jsonify(as_of=plain(as_of), authoritative=version)


def authoritative_as_at(document_id: UUID, as_of: datetime) -> dict[str, Any] | None:
    """The approved version at a moment, as plain values.

    From the read model once it holds every event committed before this request
    (a few indexed lookups); otherwise replayed from the document's events,
    which takes longer the longer the history.
    """
    head = ledger().head_position()
    read_models = services().views
    if read_models is None or not read_models.wait_for(head, AS_AT_WAIT_SECONDS):
        return plain(ledger().authoritative_at(document_id, as_of))
    found = read_models.authoritative(document_id, as_of)
    if found is None:
        ledger().load(Document, document_id, read_only=True)  # unknown id: 404
        return None
    row = found["authoritative"]
    return (
        None
        if row is None
        else {f.name: row[f.name] for f in dataclasses.fields(Version)}
    )


@blp.route(ONE + "/versions/by-sha256/<string:sha256>", methods=["GET"])
@blp.response(200, Open)
@problems(blp, 404, 422)
def version_by_sha256(document_id: UUID, sha256: str) -> Response:
    """The latest version whose content has this sha256."""
    return jsonify(plain(ledger().version_by_sha256(document_id, sha256)))

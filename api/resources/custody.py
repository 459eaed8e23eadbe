"""Custody extras: retention, disposal, copy-holders, as-at and by-hash reads, diffs."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import marshmallow as ma
from flask import Response, jsonify
from marshmallow import fields, validate

from api.auth import request_meta
from api.context import services
from api.resources.common import Blueprint, expected_version, problems, written
from api.resources.routes import command
from api.schemas.base import Body, EmptyBody, Moment, Open
from usecases import content, documents, retention
from usecases.reads import plain

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

    as_of = Moment()


class RetentionExtension(Body):
    """Keep the document at least until this date (later than any set before)."""

    until = fields.Date(required=True)


@blp.route(ONE + "/diff", methods=["GET"])
@blp.arguments(DiffArgs, location="query")
@blp.doc(responses={"200": TEXT_DIFF})
@problems(blp, 404, 409, 422)
def diff(args: dict[str, Any], document_id: UUID) -> Response:
    """The unified diff between two text versions."""
    query = content.DiffQuery(document_id, args["from_"], args["to"])
    return Response(content.diff(services(), query), 200, mimetype="text/plain")


@blp.route(ONE + "/retention", methods=["GET"])
@blp.response(200, Open)
@problems(blp, 404)
def disposal_date(document_id: UUID) -> Response:
    """The retention class, trigger, due date and earliest disposal date."""
    query = content.VersionQuery(document_id)
    return jsonify(content.disposal_date(services(), query))


@blp.route("/retention/schedule", methods=["GET"])
@blp.arguments(AsOfArgs, location="query")
@blp.response(200, Open)
@problems(blp, 422)
def retention_schedule(args: dict[str, Any]) -> Response:
    """The retention schedule in force (now, or as at a moment): classes, who, why."""
    query = retention.ScheduleQuery(args.get("as_of"))
    return jsonify(plain(retention.schedule(services(), query)))


@blp.route("/retention/schedule/versions", methods=["GET"])
@blp.response(200, Open(many=True))
def retention_schedule_versions() -> Response:
    """Every recorded version of the retention schedule, oldest first."""
    return jsonify(plain(retention.schedule_versions(services())))


@command(blp, ONE + "/retention", RetentionExtension)
def extend_retention(body: dict[str, Any], document_id: UUID) -> Response:
    """Extend retention to a later date (it is never shortened)."""
    result = documents.extend_retention(
        services(),
        documents.ExtendRetention(document_id, body["until"], expected_version()),
        request_meta(body["reason"]),
    )
    return written(result, f"/documents/{document_id}/retention")


@command(blp, ONE + "/dispose", EmptyBody, required=False)
def dispose_document(body: dict[str, Any], document_id: UUID) -> Response:
    """Dispose of the content once due and unheld; the stub and history stay."""
    disposal = documents.dispose_document(
        services(),
        documents.DisposeDocument(document_id, expected_version()),
        request_meta(body.get("reason")),
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
    query = content.VersionQuery(document_id)
    return jsonify(items=content.copy_holders(services(), query))


@blp.route(ONE + "/authoritative", methods=["GET"])
@blp.arguments(AsOfArgs, location="query")
@blp.response(200, Open)
@problems(blp, 404, 422)
def authoritative(args: dict[str, Any], document_id: UUID) -> Response:
    """The approved version now or as at a moment, with who approved it, when."""
    as_of = args["as_of"]
    query = content.VersionQuery(document_id, as_of)
    version = content.authoritative_version(services(), query)
    return jsonify(as_of=plain(as_of), authoritative=version)


@blp.route(ONE + "/versions/by-sha256/<string:sha256>", methods=["GET"])
@blp.response(200, Open)
@problems(blp, 404, 422)
def version_by_sha256(document_id: UUID, sha256: str) -> Response:
    """The latest version whose content has this sha256."""
    query = content.VersionBySha256(document_id, sha256)
    return jsonify(content.version_by_sha256(services(), query))

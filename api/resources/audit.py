"""The audit trail: every event, filtered and paged, and streamed as NDJSON or CSV."""

from __future__ import annotations

from typing import Any

from flask import Response
from marshmallow import Schema, fields, validate

from api.auth import request_meta
from api.context import services
from api.exports import download
from api.resources.common import Blueprint, page, problems
from api.schemas.base import Moment, position_field
from usecases import audit, exports

blp = Blueprint("audit", __name__, url_prefix="/api/v1", description="Audit trail")
MAX_POSITION = 2**63 - 1


class AuditFilters(Schema):
    """Which events: project, actor, entity, event type, time range."""

    project_id = fields.UUID(load_default=None)
    actor = fields.String(load_default=None, validate=validate.Length(1, 200))
    entity_id = fields.UUID(load_default=None)
    event_type = fields.String(
        load_default=None,
        validate=validate.Regexp(r"^[A-Za-z]+(\.[A-Za-z]+)?$"),
        metadata={"description": "e.g. Risk.Assessed"},
    )
    since = Moment()
    until = Moment()
    q = fields.String(
        load_default=None,
        validate=validate.Length(1, 200),
        metadata={
            "description": "words each found, in any case, in the event's data, "
            "actor, event or entity type, or reason"
        },
    )
    min_position = position_field()


class AuditPageArgs(AuditFilters):
    """Filters plus the cursor (the last position seen) and the page size."""

    after_position = fields.Integer(
        load_default=None, validate=validate.Range(min=0, max=MAX_POSITION)
    )
    limit = fields.Integer(load_default=100, validate=validate.Range(min=1, max=1000))


JSON_PAGE = {
    "description": "A page of audit rows, each with its ledger leaf index",
    "content": {"application/json": {"schema": {"type": "object"}}},
}
STREAM = {
    "description": "The whole filtered trail, streamed",
    "content": {
        m: {"schema": {"type": "string"}} for m in exports.AUDIT_TYPES.values()
    },
}


@blp.route("/audit/events", methods=["GET"])
@blp.arguments(AuditPageArgs, location="query")
@blp.doc(responses={"200": JSON_PAGE})
@problems(blp, 422)
def audit_events(args: dict[str, Any]) -> Response:
    """A page of the audit trail in position order; cursor = the last position."""
    return page(audit.audit_page(services(), audit.AuditQuery(**args)))


@blp.route("/audit/events.<any(ndjson, csv):fmt>", methods=["GET"])
@blp.arguments(AuditFilters, location="query")
@blp.doc(responses={"200": STREAM})
@problems(blp, 422)
def export_audit(args: dict[str, Any], fmt: str) -> Response:
    """The whole filtered audit trail as NDJSON or CSV (recorded as an export)."""
    found = exports.export_audit(
        services(), exports.ExportAudit(fmt, **args), request_meta()
    )
    return download(found.filename, found.media_type, found.chunks())

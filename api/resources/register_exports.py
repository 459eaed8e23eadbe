"""Register exports: a project's register (as at a moment) as CSV or XLSX."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from flask import Response
from flask_smorest import Blueprint
from marshmallow import Schema, fields

from api import exports
from api.auth import request_meta
from api.resources.common import ledger, problems, query_views, views
from service.domain.project import Project

blp = Blueprint(
    "register_exports", __name__, url_prefix="/api/v1", description="Register exports"
)
TEMPORAL = (
    "version", "status", "created_at", "recorded_at", "position",
    "valid_from", "valid_to",
)  # fmt: skip
COLUMNS: dict[str, tuple[str, ...]] = {
    "risks": (
        "id", "title", "cause", "event", "effect", "category", "kind", "owner",
        "proximity", "inherent_probability", "inherent_impact", "inherent_score",
        "residual_probability", "residual_impact", "residual_score", "response",
        "actions", "actionee", *TEMPORAL,
    ),
    "issues": (
        "id", "title", "issue_type", "priority", "severity", "description",
        "impact_analysis", "options", "recommendation", "resolution", *TEMPORAL,
    ),
    "changes": (
        "id", "title", "step", "decision", "authority", "description",
        "justification", "impact", "rationale", "implementation_notes",
        "related_issue_id", *TEMPORAL,
    ),
    "decisions": (
        "id", "title", "decided_on", "decided_by", "outcome", "context", "options",
        "rationale", "related_ids", "superseded_by", *TEMPORAL,
    ),
}  # fmt: skip
MEDIA = {"csv": "text/csv", "xlsx": exports.XLSX_TYPE}
FILE = {
    "description": "The register, one row per entry",
    "content": {m: {"schema": {"type": "string"}} for m in MEDIA.values()},
}


class ExportArgs(Schema):
    """The register as it stood at a moment (default: now)."""

    as_of = fields.AwareDateTime(load_default=None, default_timezone=None)


@blp.route(
    "/projects/<uuid:project_id>/<any(risks, issues, changes, decisions):kind>"
    ".<any(csv, xlsx):fmt>",
    methods=["GET"],
)
@blp.arguments(ExportArgs, location="query")
@blp.doc(responses={"200": FILE})
@problems(blp, 404, 422)
def export_register(
    args: dict[str, Any], project_id: UUID, kind: str, fmt: str
) -> Response:
    """A whole register as CSV (streamed) or XLSX (recorded as an export)."""
    code = ledger().load(Project, project_id, read_only=True).code
    rows = query_views(views().iter_register, kind, project_id, as_of=args["as_of"])
    columns = COLUMNS[kind]
    body: Any = (
        exports.csv_lines(columns, rows)
        if fmt == "csv"
        else exports.file_chunks(exports.xlsx_file(kind, columns, rows))
    )
    filters = {"project_id": project_id, "as_of": args["as_of"]}
    return exports.recorded_download(
        request_meta(), kind, fmt, filters, body, f"{code}-{kind}.{fmt}", MEDIA[fmt]
    )

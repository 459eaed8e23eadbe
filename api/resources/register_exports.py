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
from service.domain import catalogue
from service.domain.project import Project

TEMPORAL = (
    "version", "status", "created_at", "recorded_at", "position",
    "valid_from", "valid_to",
)  # fmt: skip


def columns_of(kind: str) -> tuple[str, ...]:
    """A register's export columns (as declared), then its temporal ones."""
    return (*catalogue.entry_class_of(kind).register_kind.export_columns, *TEMPORAL)


MEDIA = {"csv": "text/csv", "xlsx": exports.XLSX_TYPE}
FILE = {
    "description": "The register, one row per entry",
    "content": {m: {"schema": {"type": "string"}} for m in MEDIA.values()},
}


class ExportArgs(Schema):
    """The register as it stood at a moment (default: now)."""

    as_of = fields.AwareDateTime(load_default=None, default_timezone=None)


def export_blueprint() -> Blueprint:
    """The export route of every declared register."""
    blp = Blueprint(
        "register_exports",
        __name__,
        url_prefix="/api/v1",
        description="Register exports",
    )
    names = ", ".join(kind.name for kind in catalogue.kinds())
    rule = f"/projects/<uuid:project_id>/<any({names}):kind>.<any(csv, xlsx):fmt>"
    route = blp.route(rule, methods=["GET"])
    arguments = blp.arguments(ExportArgs, location="query")
    route(
        arguments(
            blp.doc(responses={"200": FILE})(problems(blp, 404, 422)(export_register))
        )
    )
    return blp


def export_register(
    args: dict[str, Any], project_id: UUID, kind: str, fmt: str
) -> Response:
    """A whole register as CSV (streamed) or XLSX (recorded as an export)."""
    code = ledger().load(Project, project_id, read_only=True).code
    rows = query_views(views().iter_register, kind, project_id, as_of=args["as_of"])
    columns = columns_of(kind)
    body: Any = (
        exports.csv_lines(columns, rows)
        if fmt == "csv"
        else exports.file_chunks(exports.xlsx_file(kind, columns, rows))
    )
    filters = {"project_id": project_id, "as_of": args["as_of"]}
    return exports.recorded_download(
        request_meta(), kind, fmt, filters, body, f"{code}-{kind}.{fmt}", MEDIA[fmt]
    )

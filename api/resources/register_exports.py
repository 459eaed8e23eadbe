"""Register exports: a project's register (as at a moment) as CSV or XLSX."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from flask import Response
from flask_smorest import Blueprint
from marshmallow import Schema, fields

from api import exports
from api.auth import request_meta
from api.context import services
from api.exports import download
from api.resources.common import problems
from service.domain import catalogue
from service.domain.register import PORTFOLIO_ID
from usecases import exports as usecases_exports

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
    first = {cls.register_kind.name for cls in catalogue.BUILT_IN}
    kinds = catalogue.kinds()
    names = ", ".join(kind.name for kind in kinds if kind.name in first)
    rule = f"/projects/<uuid:project_id>/<any({names}):kind>.<any(csv, xlsx):fmt>"
    _export_route(blp, rule, export_register)
    # Registers declared since 0.1 get a rule of their own, so the first
    # rule's published list of kinds stays exactly as clients know it.
    later = [k.name for k in kinds if k.name not in first and not k.portfolio]
    if later:
        rule = (
            f"/projects/<uuid:project_id>/<any({', '.join(later)}):register>"
            ".<any(csv, xlsx):fmt>"
        )
        _export_route(blp, rule, export_later_register)
    portfolio = [k.name for k in kinds if k.portfolio]
    if portfolio:
        rule = f"/<any({', '.join(portfolio)}):register>.<any(csv, xlsx):fmt>"
        _export_route(blp, rule, export_portfolio_register)
    return blp


def _export_route(blp: Blueprint, rule: str, view: Any) -> None:
    route = blp.route(rule, methods=["GET"], endpoint=view.__name__)
    arguments = blp.arguments(ExportArgs, location="query")
    route(arguments(blp.doc(responses={"200": FILE})(problems(blp, 404, 422)(view))))


def export_register(
    args: dict[str, Any], project_id: UUID, kind: str, fmt: str
) -> Response:
    """A whole register as CSV (streamed) or XLSX (recorded as an export)."""
    command = usecases_exports.ExportRegister(project_id, kind, fmt, args["as_of"])
    done = usecases_exports.export_register(services(), command, request_meta())
    return download(done.filename, done.media_type, done.chunks)


def export_later_register(
    args: dict[str, Any], project_id: UUID, register: str, fmt: str
) -> Response:
    """A whole register declared since 0.1 as CSV (streamed) or XLSX."""
    return export_register(args, project_id, register, fmt)


def export_portfolio_register(
    args: dict[str, Any], register: str, fmt: str
) -> Response:
    """A whole portfolio-level register (capacity) as CSV or XLSX."""
    return export_register(args, PORTFOLIO_ID, register, fmt)

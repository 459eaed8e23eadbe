"""Register exports: a project's register (as at a moment) as CSV or XLSX."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from flask import Response
from marshmallow import Schema

from api import exports
from api.auth import request_meta
from api.context import services
from api.exports import download
from api.resources.common import Blueprint, problems
from api.schemas.base import Moment, position_field
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

    as_of = Moment()
    min_position = position_field()


def export_blueprint() -> Blueprint:
    """The export route of every declared register."""
    blp = Blueprint(
        "register_exports",
        __name__,
        url_prefix="/api/v1",
        description="Register exports",
    )
    # The 0.1 contract lists its four registers in one route's `kind`; every
    # register declared since has a route of its own, so that list never grows.
    names = ", ".join(cls.register_kind.name for cls in catalogue.BUILT_IN)
    rule = f"/projects/<project:project_id>/<any({names}):kind>.<any(csv, xlsx):fmt>"
    _document(blp, blp.route(rule, methods=["GET"]), export_register)
    for kind in catalogue.kinds():
        if catalogue.entry_class_of(kind.name) in catalogue.BUILT_IN:
            continue
        rule = f"/projects/<project:project_id>/{kind.name}.<any(csv, xlsx):fmt>"
        if kind.portfolio:  # the portfolio's own register: no project in its path
            rule = f"/{kind.name}.<any(csv, xlsx):fmt>"
        route = blp.route(rule, methods=["GET"], endpoint=f"export_{kind.name}")
        _document(blp, route, _exporter(kind.name))
    return blp


def _document(blp: Blueprint, route: Any, view: Any) -> None:
    arguments = blp.arguments(ExportArgs, location="query")
    route(arguments(blp.doc(responses={"200": FILE})(problems(blp, 404, 422)(view))))


def _exporter(kind: str) -> Any:
    def export(
        args: dict[str, Any], fmt: str, project_id: UUID = PORTFOLIO_ID
    ) -> Response:
        return export_register(args, project_id, kind, fmt)

    export.__name__ = f"export_{kind}"
    export.__doc__ = f"The {kind} register as CSV (streamed) or XLSX (recorded)."
    return export


def export_register(
    args: dict[str, Any], project_id: UUID, kind: str, fmt: str
) -> Response:
    """A whole register as CSV (streamed) or XLSX (recorded as an export)."""
    command = usecases_exports.ExportRegister(
        project_id, kind, fmt, args["as_of"], args["min_position"]
    )
    done = usecases_exports.export_register(services(), command, request_meta())
    return download(done.filename, done.media_type, done.chunks)

"""Registers: sortable, filterable, "as at" any moment, exportable; entry histories."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from flask import Response, abort, request

from api.exports import download
from api.ui.analysis import rows
from api.ui.common import (
    blueprint,
    page,
    parse_moment,
    project_or_404,
    services,
    ui_meta,
)
from projections.views import Kind
from service.domain.catalogue import entry_class_of
from service.domain.register import RegisterKind
from usecases import exports
from usecases.reads import EntryQuery, register_entry


def kind_of(kind: str) -> RegisterKind:
    """The declared register shown at this path segment (404 if none)."""
    try:
        declared = entry_class_of(kind).register_kind
    except KeyError:
        abort(404)
    if declared.portfolio:
        abort(404)
    return declared


# A heat-map cell: filtered here, as the read model has no rating filters.
CELL = (
    "inherent_probability",
    "inherent_impact",
    "residual_probability",
    "residual_impact",
)


def selected(kind: Kind) -> tuple[datetime | None, dict[str, object]]:
    """The moment and the filters the query string asks for."""
    as_of = parse_moment(request.args.get("as_of"))
    names = kind_of(kind).ui_filters
    filters = {n: request.args[n] for n in names if request.args.get(n)}
    cell = {n: int(request.args[n]) for n in CELL if request.args.get(n, "").isdigit()}
    return as_of, {**filters, **cell}


def register_rows(
    kind: Kind, project_id: UUID
) -> tuple[datetime | None, dict[str, object], list[dict[str, Any]]]:
    """The register as the query string asks: as at, filtered, sorted."""
    as_of, filters = selected(kind)
    view_filters = {k: v for k, v in filters.items() if k not in CELL}
    try:
        found = rows(kind, project_id, as_of, **view_filters)
    except ValueError as error:
        abort(400, str(error))
    found = [
        r for r in found if all(r.get(k) == v for k, v in filters.items() if k in CELL)
    ]
    columns = kind_of(kind).columns()
    sort = request.args.get("sort", "")
    if sort not in columns:
        sort = "created_at" if "created_at" in columns else "title"
    found.sort(key=lambda r: _sort_key(r.get(sort)))
    if request.args.get("dir") == "desc":
        found.reverse()
    return as_of, filters, found


def _sort_key(value: Any) -> tuple[int, Any]:
    # Numbers sort as numbers, everything else as text; missing values last.
    if value is None:
        return (2, "")
    if isinstance(value, int | float):
        return (0, value)
    return (1, str(value).lower())


@blueprint.get("/projects/<uuid:project_id>/<kind>")
def register(project_id: UUID, kind: str) -> str:
    """One register of a project, as it stands now or stood at a moment."""
    declared = kind_of(kind)
    as_of, filters, found = register_rows(kind, project_id)
    project = project_or_404(project_id)
    return page(
        "register.html",
        project=project,
        kind=kind,
        title=declared.heading,
        columns=declared.columns(),
        choices=declared.menus(),
        text_filters=declared.text_filters(),
        rows=found,
        as_of=as_of,
        filters=filters,
        sort=request.args.get("sort", "created_at"),
        direction=request.args.get("dir", "asc"),
        args={k: v for k, v in request.args.items() if v},
    )


@blueprint.get("/projects/<uuid:project_id>/<kind>.<fmt>")
def export_register(project_id: UUID, kind: str, fmt: str) -> Response:
    """The register as shown (as at, filtered, sorted), as CSV or XLSX."""
    declared = kind_of(kind)
    project = project_or_404(project_id)
    _, _, found = register_rows(kind, project_id)
    command = exports.ExportRows(
        kind,
        fmt,
        ("id", *declared.columns(), "version", "recorded_at", "position"),
        found,
        f"{project['code']}-{kind}.{fmt}",
        {"project_id": str(project_id), **request.args},
    )
    done = exports.export_rows(services(), command, ui_meta())
    return download(done.filename, done.media_type, done.chunks)


@blueprint.get("/<kind>/<uuid:entity_id>")
def entry(kind: str, entity_id: UUID) -> str:
    """One entry with the timeline of its events: who, when, why, before -> after."""
    declared = kind_of(kind)
    found = register_entry(services(), EntryQuery(kind, entity_id))
    by_position = {v["valid_from_position"]: v for v in found.versions}
    hidden = {
        "version", "recorded_at", "position", "valid_from_position", "valid_from",
        "valid_to_position", "valid_to", "created_at",
    }  # fmt: skip
    timeline = []
    before: dict[str, Any] = {}
    for event in found.events:
        after = by_position.get(event["position"], before)
        changes = [
            (name, before.get(name), value)
            for name, value in after.items()
            if name not in hidden and before.get(name) != value
        ]
        timeline.append({**event, "changes": changes})
        before = after
    project = project_or_404(found.current["project_id"])
    return page(
        "entry.html",
        kind=kind,
        title=declared.heading,
        entry=found.current,
        project=project,
        timeline=timeline,
    )

"""Registers: sortable, filterable, "as at" any moment, exportable; entry histories."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from flask import Response, abort, request

from api.exports import download
from api.ui.analysis import rows
from api.ui.common import (
    KINDS,
    blueprint,
    page,
    parse_moment,
    project_or_404,
    services,
    ui_meta,
)
from projections.views import Kind
from service.domain import change, decision, issue, risk
from usecases import exports
from usecases.reads import EntryQuery, register_entry

COLUMNS: dict[str, tuple[str, ...]] = {
    "risks": (
        "title", "category", "kind", "owner", "proximity",
        "inherent_score", "residual_score", "response", "status", "created_at",
    ),
    "issues": (
        "title", "issue_type", "priority", "severity", "status",
        "created_at", "recorded_at",
    ),
    "changes": ("title", "step", "status", "decision", "authority", "created_at"),
    "decisions": ("title", "decided_on", "decided_by", "outcome", "status"),
}  # fmt: skip
CHOICES: dict[str, dict[str, tuple[str, ...]]] = {
    "risks": {
        "status": risk.STATUSES,
        "category": risk.CATEGORIES,
        "kind": risk.KINDS,
        "proximity": risk.PROXIMITIES,
    },
    "issues": {
        "status": issue.STATUSES,
        "issue_type": issue.ISSUE_TYPES,
        "priority": issue.PRIORITIES,
        "severity": issue.SEVERITIES,
    },
    "changes": {
        "status": change.STATUSES,
        "step": change.STEPS,
        "decision": change.DECISIONS,
    },
    "decisions": {"status": decision.STATUSES},
}
TEXT_FILTERS = {"risks": ("owner",), "decisions": ("decided_by",)}
# A heat-map cell: filtered here, as the read model has no rating filters.
CELL = (
    "inherent_probability",
    "inherent_impact",
    "residual_probability",
    "residual_impact",
)


def _kind(kind: str) -> Kind:
    if kind not in KINDS:
        abort(404)
    return kind  # type: ignore[return-value]


def selected(kind: Kind) -> tuple[datetime | None, dict[str, object]]:
    """The moment and the filters the query string asks for."""
    as_of = parse_moment(request.args.get("as_of"))
    names = (*CHOICES[kind], *TEXT_FILTERS.get(kind, ()))
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
    sort = request.args.get("sort", "")
    if sort not in COLUMNS[kind]:
        sort = "created_at" if "created_at" in COLUMNS[kind] else "title"
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
    checked = _kind(kind)
    as_of, filters, found = register_rows(checked, project_id)
    project = project_or_404(project_id)
    return page(
        "register.html",
        project=project,
        kind=checked,
        title=KINDS[checked],
        columns=COLUMNS[checked],
        choices=CHOICES[checked],
        text_filters=TEXT_FILTERS.get(checked, ()),
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
    checked = _kind(kind)
    project = project_or_404(project_id)
    _, _, found = register_rows(checked, project_id)
    command = exports.ExportRows(
        checked,
        fmt,
        ("id", *COLUMNS[checked], "version", "recorded_at", "position"),
        found,
        f"{project['code']}-{checked}.{fmt}",
        {"project_id": str(project_id), **request.args},
    )
    done = exports.export_rows(services(), command, ui_meta())
    return download(done.filename, done.media_type, done.chunks)


@blueprint.get("/<kind>/<uuid:entity_id>")
def entry(kind: str, entity_id: UUID) -> str:
    """One entry with the timeline of its events: who, when, why, before -> after."""
    checked = _kind(kind)
    found = register_entry(services(), EntryQuery(checked, entity_id))
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
        kind=checked,
        title=KINDS[checked],
        entry=found.current,
        project=project,
        timeline=timeline,
    )

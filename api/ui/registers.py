"""Registers: sortable, filterable, "as at" any moment, exportable; entry histories."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from uuid import UUID

from flask import Response, abort, flash, redirect, request, url_for
from markupsafe import Markup
from werkzeug.wrappers import Response as WerkzeugResponse

from api.exports import download
from api.ui.charts import line_chart
from api.ui.common import (
    PAGE_SIZES,
    blueprint,
    page,
    page_size,
    parse_moment,
    project_or_404,
    services,
    ui_meta,
    whole_number,
)
from api.ui.forms import Form, may_import, offered, run_form
from projections.views import Kind
from service.domain.catalogue import entry_class_of
from service.domain.register import RegisterKind
from usecases import exports
from usecases.control import LinksQuery, entry_links
from usecases.errors import QueryRefusedError
from usecases.reads import (
    EntryQuery,
    RegisterPage,
    RegisterPageQuery,
    RegisterQuery,
    register_entry,
    register_rows,
)
from usecases.reads import register_page as register_page_of


def declared_kind(kind: str) -> RegisterKind:
    """The declared register shown at this path segment (404 if none)."""
    try:
        return entry_class_of(kind).register_kind
    except KeyError:
        abort(404)


def kind_of(kind: str) -> RegisterKind:
    """A project's declared register (404 if none, or if it is the portfolio's)."""
    declared = declared_kind(kind)
    if declared.portfolio:
        abort(404)
    return declared


def owner_of(declared: RegisterKind, project_id: UUID) -> dict[str, Any] | None:
    """The project whose register this is (404 if none); None: the portfolio's."""
    return None if declared.portfolio else project_or_404(project_id)


def register_url(declared: RegisterKind, project_id: UUID, fmt: str = "") -> str:
    """Where a register's page (or its export as `fmt`) is; a portfolio-level
    register's has no project in it."""
    where: dict[str, Any] = {"kind": declared.name}
    if declared.portfolio:
        endpoint = "portfolio_register"
    else:
        endpoint, where["project_id"] = "register", project_id
    if fmt:
        return url_for(f"ui.export_{endpoint}", fmt=fmt, **where)
    return url_for(f"ui.{endpoint}", **where)


# A heat-map cell: the risks rated so on one side.
CELL = (
    "inherent_probability",
    "inherent_impact",
    "residual_probability",
    "residual_impact",
)


def selected(kind: Kind) -> tuple[datetime | None, dict[str, object]]:
    """The moment and the read-model filters the query string asks for.

    A menu is an exact choice; a typed filter matches part of the text in any
    case; `q` searches every text field; a heat-map cell and `not_status` narrow
    further.
    """
    declared = declared_kind(kind)
    as_of = parse_moment(request.args.get("as_of"))
    filters: dict[str, object] = {}
    for name in declared.ui_filters:
        value = (request.args.get(name) or "").strip()
        if not value:
            continue
        if name in declared.menus():
            filters[name if name in declared.filters else f"{name}="] = value
        else:
            filters[f"{name}~"] = value
    for name in CELL:
        number = whole_number(request.args.get(name))
        if number is not None and name in {f.name for f in declared.fields}:
            filters[f"{name}="] = number
    for name in ("q", "not_status"):
        value = (request.args.get(name) or "").strip()
        if value:
            filters[name] = value
    return as_of, filters


def sort_of(declared: RegisterKind) -> tuple[str, str]:
    """The column the register is sorted by (one the read model indexes) and the way."""
    sort = request.args.get("sort", "")
    if sort not in declared.sorts:
        sort = "created_at" if "created_at" in declared.sorts else declared.sorts[0]
    return sort, "desc" if request.args.get("dir") == "desc" else "asc"


def register_view(kind: Kind, project_id: UUID) -> tuple[datetime | None, RegisterPage]:
    """One page of the register as the query string asks: as at, filtered, sorted."""
    declared = declared_kind(kind)
    as_of, filters = selected(kind)
    sort, direction = sort_of(declared)
    query = RegisterPageQuery(
        kind,
        project_id,
        as_of,
        filters,
        f"-{sort}" if direction == "desc" else sort,
        request.args.get("after") or None,
        page_size(),
    )
    try:
        return as_of, register_page_of(services(), query)
    except QueryRefusedError as error:
        abort(400, str(error))


def all_rows(kind: Kind, project_id: UUID) -> list[dict[str, Any]]:
    """Every row the register page's filters select, in its order (for exports)."""
    as_of, filters = selected(kind)
    sort, direction = sort_of(declared_kind(kind))
    ordered = f"-{sort}" if direction == "desc" else sort
    query = RegisterQuery(kind, project_id, as_of, filters, ordered)
    try:
        return register_rows(services(), query)
    except QueryRefusedError as error:
        abort(400, str(error))


@blueprint.get("/projects/<project:project_id>/<kind>")
def register(project_id: UUID, kind: str) -> str:
    """One register of a project, as it stands now or stood at a moment."""
    return register_page(project_id, kind_of(kind))


def register_page(
    project_id: UUID, declared: RegisterKind, form: Form | None = None
) -> str:
    """The register page, with the create form (again, as sent) when allowed."""
    as_of, found = register_view(declared.name, project_id)
    project = owner_of(declared, project_id)
    is_open = project is None or project["status"] == "open"
    forms = [form] if form is not None else offered(declared, None)
    sort, direction = sort_of(declared)
    return page(
        "register.html",
        project=project,
        here=register_url(declared, project_id),
        exports={
            fmt: register_url(declared, project_id, fmt=fmt) for fmt in ("csv", "xlsx")
        },
        kind=declared.name,
        title=declared.heading,
        columns=declared.columns(),
        choices=declared.menus(),
        text_filters=declared.text_filters(),
        rows=found.items,
        total=found.total,
        next_cursor=found.next_cursor,
        sortable=declared.sorts,
        sizes=PAGE_SIZES,
        size=page_size(),
        as_of=as_of,
        sort=sort,
        direction=direction,
        args={k: v for k, v in request.args.items() if v},
        forms=forms if is_open and as_of is None else [],
        may_import=project is not None and is_open and may_import(declared),
        kind_noun=declared.noun,
        entries=found.items,
        name_of=declared.entry_name,
    )


@blueprint.post("/projects/<project:project_id>/<kind>")
def create_entry(project_id: UUID, kind: str) -> WerkzeugResponse | tuple[str, int]:
    """Record a new entry from the register page's form."""
    return create_from_form(kind_of(kind), project_id)


def create_from_form(
    declared: RegisterKind, project_id: UUID
) -> WerkzeugResponse | tuple[str, int]:
    """Record a new entry from a register page's form; on to the entry."""
    owner_of(declared, project_id)

    def done(entry_id: UUID) -> WerkzeugResponse:
        flash(f"Recorded the {declared.noun}.")
        return redirect(
            url_for("ui.entry", kind=declared.name, entity_id=entry_id), 303
        )

    def again(form: Form) -> tuple[str, int]:
        return register_page(project_id, declared, form), 422

    return run_form(declared, declared.create, project_id, done, again)


@blueprint.get("/projects/<project:project_id>/<kind>.<fmt>")
def export_register(project_id: UUID, kind: str, fmt: str) -> Response:
    """The register as shown (as at, filtered, sorted), as CSV or XLSX."""
    return export_rows(kind_of(kind), project_id, fmt)


def export_rows(declared: RegisterKind, project_id: UUID, fmt: str) -> Response:
    """A register's rows as shown, as CSV or XLSX (recorded as an export)."""
    project = owner_of(declared, project_id)
    code = "PORTFOLIO" if project is None else project["code"]
    found = all_rows(declared.name, project_id)
    command = exports.ExportRows(
        declared.name,
        fmt,
        ("id", *declared.columns(), "version", "recorded_at", "position"),
        found,
        f"{code}-{declared.name}.{fmt}",
        {"project_id": str(project_id), **request.args},
    )
    done = exports.export_rows(services(), command, ui_meta())
    return download(done.filename, done.media_type, done.chunks)


@blueprint.get("/<kind>/<uuid:entity_id>")
def entry(kind: str, entity_id: UUID) -> str:
    """One entry with the timeline of its events: who, when, why, before -> after."""
    return entry_page(declared_kind(kind), entity_id)


def entry_page(
    declared: RegisterKind, entity_id: UUID, form: Form | None = None
) -> str:
    """The entry page, with the forms of the commands its status allows."""
    found = register_entry(services(), EntryQuery(declared.name, entity_id))
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
    current = found.current
    owner = UUID(str(current["project_id"]))
    project = owner_of(declared, owner)
    forms = offered(declared, current["status"])
    if form is not None:
        forms = [form if f.command is form.command else f for f in forms]
    latest = found.events[-1] if found.events else None
    conflict = None if latest is None else {**latest, "version": current["version"]}
    return page(
        "entry.html",
        kind=declared.name,
        title=declared.heading,
        entry=current,
        heading=declared.entry_name(current),
        project=project,
        register_url=register_url(declared, owner),
        timeline=timeline,
        forms=forms if project is None or project["status"] == "open" else [],
        posted=form,
        kind_noun=declared.noun,
        conflict=conflict,
        others=[r for r in all_rows(declared.name, owner) if r["id"] != str(entity_id)]
        if any(p.kind == "entry" for f in forms for p in f.fields)
        else [],
        trend=trend(declared, found.versions),
        links=entry_links(services(), LinksQuery(entity_id, owner)),
    )


@blueprint.post("/<kind>/<uuid:entity_id>/<path>")
def run_command(
    kind: str, entity_id: UUID, path: str
) -> WerkzeugResponse | tuple[str, int]:
    """Record a command from its form on the entry page."""
    declared = declared_kind(kind)
    command = next((c for c in declared.commands if c.path == path), None)
    if command is None:
        abort(404)

    def done(entry_id: UUID) -> WerkzeugResponse:
        flash(f"Recorded: {command.method.replace('_', ' ')}.")
        return redirect(url_for("ui.entry", kind=kind, entity_id=entry_id), 303)

    def again(form: Form) -> tuple[str, int]:
        status = 422 if form.errors else 409
        return entry_page(declared, entity_id, form), status

    return run_form(declared, command, entity_id, done, again)


def trend(kind: RegisterKind, versions: list[dict[str, Any]]) -> Markup | None:
    """How an entry's declared dates moved over its versions, as a line chart."""
    if not kind.ui_trend or len(versions) < 2:
        return None
    dates = {
        name: [date.fromisoformat(str(v[name])[:10]) for v in versions if v[name]]
        for name in kind.ui_trend
    }
    start = min(d for values in dates.values() for d in values)
    series = {
        name.replace("_", " "): [(d - start).days for d in values]
        for name, values in dates.items()
    }
    labels = [str(v["valid_from"])[:10] for v in versions]
    title = f"Dates over {len(versions)} versions (days after {start.isoformat()})"
    return line_chart(series, labels, title)

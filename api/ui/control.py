"""Control pages: a project's stakeholders grid, overdue actions and contracts
ending; the portfolio's lessons library search and overdue actions."""

from __future__ import annotations

from uuid import UUID

from flask import request

from api.ui.common import blueprint, page, parse_moment, project_or_404, services
from api.ui.control_charts import power_interest_grid
from service.domain.lesson import CATEGORIES, STATUSES
from usecases import control
from usecases.reads import RegisterQuery, register_rows


@blueprint.get("/projects/<project:project_id>/control")
def project_control(project_id: UUID) -> str:
    """The power/interest grid, overdue actions and contracts ending soon."""
    as_of = parse_moment(request.args.get("as_of"))
    project = project_or_404(project_id)
    query = RegisterQuery("stakeholders", project_id, as_of, {"status": "active"})
    stakeholders = register_rows(services(), query)
    title = f"Power/interest grid of {project['code']} ({len(stakeholders)})"
    within = 60
    watch = control.Watch(project_id, within, as_of)
    return page(
        "control.html",
        project=project,
        as_of=as_of,
        grid=power_interest_grid(stakeholders, title),
        stakeholders=stakeholders,
        overdue=control.overdue_actions(services(), watch),
        ending=control.contracts_ending(services(), watch),
        within=within,
    )


@blueprint.get("/lessons")
def lessons() -> str:
    """Lessons of every project, searched by words, category and status."""
    as_of = parse_moment(request.args.get("as_of"))
    category = request.args.get("category") or None
    status = request.args.get("status") or None
    search = control.LessonSearch(
        request.args.get("q") or None,
        category if category in CATEGORIES else None,
        status if status in STATUSES else None,
        as_of,
    )
    return page(
        "lessons.html",
        found=control.search_lessons(services(), search),
        categories=CATEGORIES,
        statuses=STATUSES,
        args=request.args,
    )


@blueprint.get("/actions/overdue")
def overdue_actions() -> str:
    """Open actions past their due date, across the portfolio."""
    as_of = parse_moment(request.args.get("as_of"))
    found = control.overdue_actions(services(), control.Watch(None, 0, as_of))
    return page("overdue.html", found=found, as_of=as_of)

"""The portfolio dashboard: every project's RAG (reported, and suggested where
they disagree), its last report and whether the next is overdue, open entries,
pending approvals, and the top risks across the projects the caller reaches."""

from __future__ import annotations

from flask import redirect, url_for
from werkzeug.wrappers import Response

from api.access import reach
from api.ui.common import blueprint, page, services
from service.domain.project import RAG_DIMENSIONS
from usecases.portfolio import DashboardQuery
from usecases.portfolio import dashboard as standing
from usecases.projects import portfolio


@blueprint.get("/")
def dashboard() -> str:
    """Every project with its RAG this period and last, and what is open."""
    projects = reach().projects(portfolio(services()))
    found = standing(services(), DashboardQuery(reach()))
    return page(
        "dashboard.html",
        projects=projects,
        dimensions=RAG_DIMENSIONS,
        standing=found["standing"],
        top_risks=found["top_risks"],
    )


@blueprint.get("/projects")
def projects() -> Response:
    """The portfolio is the project list."""
    return redirect(url_for("ui.dashboard"))

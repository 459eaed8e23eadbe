"""The portfolio dashboard: every project's RAG, open entries and pending approvals."""

from __future__ import annotations

from flask import redirect, url_for
from werkzeug.wrappers import Response

from api.access import reach
from api.ui.common import blueprint, page, services
from service.domain.project import RAG_DIMENSIONS
from usecases.projects import portfolio


@blueprint.get("/")
def dashboard() -> str:
    """Every project with its RAG this period and last, and what is open."""
    projects = reach().projects(portfolio(services()))
    return page("dashboard.html", projects=projects, dimensions=RAG_DIMENSIONS)


@blueprint.get("/projects")
def projects() -> Response:
    """The portfolio is the project list."""
    return redirect(url_for("ui.dashboard"))

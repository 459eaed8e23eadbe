"""The portfolio dashboard: every project's RAG (reported, and suggested where
they disagree), its last report and whether the next is overdue, open entries,
pending approvals, and the top risks across the projects the caller reaches."""

from __future__ import annotations

from typing import Any

from flask import redirect, url_for
from werkzeug.wrappers import Response

from api.access import reach
from api.auth import allowed_roles
from api.ui.common import blueprint, page, principal, services
from service.domain.project import RAG_DIMENSIONS
from usecases.portfolio import DashboardQuery
from usecases.portfolio import dashboard as standing
from usecases.projects import portfolio

REGISTER = "projects.register_project"


@blueprint.get("/")
def dashboard() -> str:
    """Every project with its RAG this period and last, and what is open."""
    return dashboard_page()


def dashboard_page(posted: Any = None) -> str:
    """The dashboard; `posted` is a project registration that came back."""
    projects = portfolio(services(), reach())
    found = standing(services(), DashboardQuery(reach()))
    return page(
        "dashboard.html",
        projects=projects,
        dimensions=RAG_DIMENSIONS,
        standing=found["standing"],
        top_risks=found["top_risks"],
        may_register=principal().role in allowed_roles(REGISTER, "POST"),
        posted=posted,
    )


@blueprint.get("/projects")
def projects() -> Response:
    """The portfolio is the project list."""
    return redirect(url_for("ui.dashboard"))

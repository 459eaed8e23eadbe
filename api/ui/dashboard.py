"""The portfolio dashboard: every project's RAG, open entries and pending approvals."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from flask import redirect, url_for
from werkzeug.wrappers import Response

from api.ui.common import blueprint, page, services
from service.domain.project import RAG_DIMENSIONS

AWAITING = frozenset({"draft", "in-review"})


def documents_awaiting(project_id: UUID) -> list[dict[str, Any]]:
    """The versions of a project's documents submitted but not yet approved."""
    views = services().views
    waiting: list[dict[str, Any]] = []
    cursor: str | None = None
    while True:
        found = views.list_documents(project_id, as_of=None, after=cursor, limit=200)
        for row in found.items:
            document = views.get_document(UUID(row["id"]))
            if document is None:
                continue
            waiting += [
                {**version, "title": document["title"], "document_id": row["id"]}
                for version in document["versions"]
                if version["status"] in AWAITING
            ]
        if found.next_cursor is None:
            return waiting
        cursor = found.next_cursor


@blueprint.get("/")
def dashboard() -> str:
    """Every project with its RAG this period and last, and what is open."""
    projects = services().views.list_projects()
    for project in projects:
        project["awaiting"] = len(documents_awaiting(UUID(project["id"])))
    return page("dashboard.html", projects=projects, dimensions=RAG_DIMENSIONS)


@blueprint.get("/projects")
def projects() -> Response:
    """The portfolio is the project list."""
    return redirect(url_for("ui.dashboard"))

"""The highlight report (PRINCE2): one project, one reporting period, printable."""

from __future__ import annotations

from uuid import UUID

from flask import request

from api.ui.common import blueprint, page, project_or_404, services
from service.domain.project import RAG_DIMENSIONS
from usecases.reports import HighlightQuery, highlight_report


@blueprint.get("/projects/<uuid:project_id>/highlight")
def highlight(project_id: UUID) -> str:
    """A printable highlight report for the chosen (default: latest) period."""
    project = project_or_404(project_id)
    query = HighlightQuery(project_id, request.args.get("report", ""))
    found = highlight_report(services(), query)
    if found.report is None:
        return page("highlight.html", project=project, report=None, made=[])
    return page(
        "highlight.html",
        project=project,
        report=found.report,
        data=found.report["data"],
        previous=found.previous_rag,
        made=found.made,
        dimensions=RAG_DIMENSIONS,
        as_of=found.as_of,
        since=found.since,
        changes=found.changes,
        risks=found.risks,
        issues=found.issues,
        suggested=found.suggested,
        disagreements=found.disagreements,
    )

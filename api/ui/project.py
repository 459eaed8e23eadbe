"""The project page: heat maps, trends, burndown, change pipeline, decisions,
and the forms that change the project itself (api/ui/project_forms.py)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode
from uuid import UUID

from flask import url_for

from api.ui import analysis, charts
from api.ui.common import blueprint, page, project_or_404, services, when
from api.ui.custody import may_post
from api.ui.posted import Posted
from usecases.audit import AuditQuery, audit_page
from usecases.value import cost_tolerance

PROJECT_FORMS = {
    "details": "projects.change_details",
    "stage": "projects.change_stage",
    "tolerance": "value.set_cost_tolerance",
    "close": "projects.close_project",
    "reopen": "projects.reopen_project",
}
"""Each form on a project's page and the API command whose roles may use it."""
DETAIL_FIELDS = ("name", "description", "sponsor", "manager")


def offers(project: dict[str, Any]) -> dict[str, bool]:
    """Which forms the project's page shows the caller (reopen: only once closed)."""
    applies = {name: project["status"] == "open" for name in PROJECT_FORMS}
    applies["reopen"] = project["status"] == "closed"
    return {name: applies[name] and may_post(e) for name, e in PROJECT_FORMS.items()}


def last_change(project_id: UUID, version: int) -> dict[str, Any] | None:
    """Who last changed the project, and when: what a stale form is shown."""
    query = AuditQuery(entity_id=project_id, limit=1, newest_first=True)
    found = audit_page(services(), query).items
    return {**found[0], "version": version} if found else None


@blueprint.get("/projects/<project:project_id>")
def project(project_id: UUID) -> str:
    """Everything a PMO head looks at for one project, drawn on the server."""
    return project_page(project_id)


def project_page(project_id: UUID, posted: Any = None) -> str:
    """The project's page; `posted` is a project form that came back unrecorded."""
    # The read model's row moves with every project event, so its version is
    # the one the forms' If-Match expects.
    found = project_or_404(project_id)
    now = datetime.now(UTC)
    times = analysis.sample_times(when(found["created_at"]), now)
    labels = [t.strftime("%Y-%m-%d %H:%M") for t in times]

    def cell_link(side: str) -> Callable[[int, int], str]:
        def link(probability: int, impact: int) -> str:
            cell = {f"{side}_probability": probability, f"{side}_impact": impact}
            base = url_for("ui.register", project_id=project_id, kind="risks")
            return f"{base}?{urlencode({'status': 'open', **cell})}"

        return link

    heat = {
        side: charts.heat_map(
            analysis.heat_counts(project_id, side),
            f"{side.capitalize()} risk (open risks)",
            cell_link(side),
        )
        for side in ("inherent", "residual")
    }
    trend = charts.line_chart(
        analysis.risk_trend(project_id, times), labels, "Open risks by residual band"
    )
    burndown = charts.line_chart(
        analysis.issue_burndown(project_id, times),
        labels,
        "Issues not closed, and the ideal burndown from their peak",
        {"open": "#d64545", "ideal": "#9aa5b1"},
    )
    ageing = charts.bar_chart(
        analysis.issue_ageing(project_id, now), "Unclosed issues by age"
    )
    steps = analysis.pipeline(project_id, now)
    in_flight, in_flight_total = analysis.listed(
        "changes", project_id, "recorded_at", not_status="closed"
    )
    decisions, decisions_total = analysis.listed("decisions", project_id, "-decided_on")
    flow = charts.bar_chart(
        [(s["step"], s["count"], f"(oldest {s['oldest_days']} d)") for s in steps],
        "Change requests by step (oldest time in step)",
    )
    return page(
        "project.html",
        project=found,
        heat=heat,
        trend=trend,
        burndown=burndown,
        ageing=ageing,
        flow=flow,
        in_flight=in_flight,
        in_flight_total=in_flight_total,
        decisions=decisions,
        decisions_total=decisions_total,
        report=found.get("last_report"),
        tolerance=cost_tolerance(services(), project_id, None),
        offers=offers(found),
        posted=posted,
        details=posted
        if posted is not None and posted.name == "details"
        else Posted("details", {n: found[n] for n in DETAIL_FIELDS}),
        conflict=last_change(project_id, found["version"]),
    )

"""The project page: heat maps, trends, burndown, change pipeline, decisions."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from urllib.parse import urlencode
from uuid import UUID

from flask import url_for

from api.ui import analysis, charts
from api.ui.common import blueprint, page, project_or_404, when


@blueprint.get("/projects/<project:project_id>")
def project(project_id: UUID) -> str:
    """Everything a PMO head looks at for one project, drawn on the server."""
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
    )

"""The project page: heat maps, trends, burndown, change pipeline, decisions."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from urllib.parse import urlencode
from uuid import UUID

from flask import url_for

from api.ui import analysis, charts
from api.ui.common import blueprint, page, project_or_404, when


@blueprint.get("/projects/<uuid:project_id>")
def project(project_id: UUID) -> str:
    """Everything a PMO head looks at for one project, drawn on the server."""
    found = project_or_404(project_id)
    now = datetime.now(UTC)
    risks = analysis.rows("risks", project_id)
    issues = analysis.rows("issues", project_id)
    changes = analysis.rows("changes", project_id)
    decisions = analysis.rows("decisions", project_id)
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
            analysis.heat_counts(risks, side),
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
        "Issues: raised so far and still open",
        {"open": "#d64545", "raised": "#486581"},
    )
    ageing = charts.bar_chart(
        analysis.issue_ageing(issues, now), "Unclosed issues by age"
    )
    steps = analysis.pipeline(changes, now)
    flow = charts.bar_chart(
        [(s["step"], s["count"], f"(oldest {s['oldest_days']} d)") for s in steps],
        "Change requests by step (oldest time in step)",
    )
    decisions.sort(key=lambda d: d["decided_on"], reverse=True)
    return page(
        "project.html",
        project=found,
        heat=heat,
        trend=trend,
        burndown=burndown,
        ageing=ageing,
        flow=flow,
        steps=steps,
        decisions=decisions[:10],
        report=found.get("last_report"),
    )

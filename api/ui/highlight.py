"""The highlight report (PRINCE2): one project, one reporting period, printable.

A report shows the registers as they stood when the next report was made
(now, for the latest one); "this period" is the time since the report before.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from flask import abort, request

from api.ui.analysis import rows
from api.ui.common import blueprint, page, project_or_404, services, when
from service.domain.project import RAG_DIMENSIONS

PENDING = frozenset({"raised", "assessed", "deferred", "info-requested"})
PRIORITY = {"critical": 0, "high": 1, "medium": 2, "low": 3}


def reports(project_id: UUID) -> list[dict[str, Any]]:
    """Every highlight report of a project, oldest first, with when it was made."""
    return list(
        services().views.iter_audit(
            entity_id=project_id, event_type="Project.StatusReported"
        )
    )


@blueprint.get("/projects/<uuid:project_id>/highlight")
def highlight(project_id: UUID) -> str:
    """A printable highlight report for the chosen (default: latest) period."""
    project = project_or_404(project_id)
    made = reports(project_id)
    if not made:
        return page("highlight.html", project=project, report=None, made=[])
    wanted = request.args.get("report", "")
    index = next(
        (i for i, r in enumerate(made) if str(r["position"]) == wanted), len(made) - 1
    )
    if wanted and str(made[index]["position"]) != wanted:
        abort(404)
    report = made[index]
    since = when(made[index - 1]["recorded_at"]) if index else None
    as_of = when(made[index + 1]["recorded_at"]) if index + 1 < len(made) else None
    until = as_of or datetime.now(UTC)
    changes = rows("changes", project_id, as_of)
    risks = [r for r in rows("risks", project_id, as_of) if r["status"] == "open"]
    issues = [r for r in rows("issues", project_id, as_of) if r["status"] != "closed"]
    raised = [
        c
        for c in changes
        if (since is None or (when(c["created_at"]) or until) > since)
    ]
    risks.sort(key=lambda r: -r["residual_score"])
    issues.sort(key=lambda i: PRIORITY.get(i["priority"], 9))
    return page(
        "highlight.html",
        project=project,
        report=report,
        data=report["data"],
        previous=made[index - 1]["data"]["rag"] if index else {},
        made=made,
        dimensions=RAG_DIMENSIONS,
        as_of=until,
        since=since,
        changes={
            "raised this period": len(raised),
            "approved": sum(1 for c in changes if c["decision"] == "approve"),
            "rejected": sum(1 for c in changes if c["decision"] == "reject"),
            "pending": sum(1 for c in changes if c["status"] in PENDING),
        },
        risks=risks[:5],
        issues=issues[:5],
    )

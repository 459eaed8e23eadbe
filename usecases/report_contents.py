"""What an issued report says: the registers as at its period end, by report type.

Everything here is read as at one moment (the temporal read models and the
project's own events as at then), so the same report assembled later, after
any number of new events, says exactly the same.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import Any
from uuid import UUID

from service.domain.project import Project
from service.domain.report import SECTIONS
from usecases.plans import ScheduleQuery, schedule
from usecases.reads import RegisterQuery, plain, query_views, register_rows
from usecases.root import Services
from usecases.suggested import SuggestionsQuery, disagrees, suggestions
from usecases.value import ValueQuery, finance, project_benefits

KEY_ENTRIES = 5
OPEN_ISSUES = ("open", "examined")
"""An issue is still open until it is resolved (then closed)."""
PENDING = frozenset({"raised", "assessed", "deferred", "info-requested"})
PRIORITY = {"critical": 0, "high": 1, "medium": 2, "low": 3}
TITLES = {
    "checkpoint": "Checkpoint report",
    "highlight": "Highlight report",
    "end-stage": "End stage report",
    "exception": "Exception report",
    "end-project": "End project report",
}
SECTION_TITLES = {
    "summary": "Status summary",
    "work_done": "Work done this period",
    "work_next": "Work planned next period",
    "tolerance_status": "Tolerances",
    "lessons": "Lessons",
    "cause": "Cause",
    "consequences": "Consequences",
    "options": "Options",
    "recommendation": "Recommendation",
}


def period_end_moment(period_end: date) -> datetime:
    """The last moment of the period's last day (UTC)."""
    return datetime.combine(period_end, time.max, UTC)


def project_as_of(services: Services, project_id: UUID, as_of: datetime) -> dict:
    """The project's row as it stood at the moment, or as first registered.

    A project registered after the period it reports on (a store loaded
    with backdated registers) is shown as it was registered, which is as
    fixed as the moment itself.
    """
    found = query_views(services.views.get_project, project_id, as_of)
    if found is not None:
        return dict(found)
    project = services.app.load(Project, project_id, version=1)
    return {
        "id": project.id,
        "code": project.code,
        "name": project.name,
        "manager": project.manager,
        "sponsor": project.sponsor,
        "stage": project.stage,
    }


def contents(
    services: Services,
    project_id: UUID,
    report_type: str,
    period: tuple[date, date],
    as_of: datetime,
    rag: dict[str, str],
) -> dict[str, Any]:
    """The figures of one report type, as at a moment, as plain data."""
    start, _ = period
    since = datetime.combine(start, time.min, UTC)

    def rows(kind: Any) -> list[dict[str, Any]]:
        return register_rows(services, RegisterQuery(kind, project_id, as_of))

    risks = sorted(
        (r for r in rows("risks") if r["status"] == "open"),
        key=lambda r: (-(r["residual_score"] or 0), str(r["title"])),
    )
    issues = sorted(
        (i for i in rows("issues") if i["status"] in OPEN_ISSUES),
        key=lambda i: (PRIORITY.get(i["priority"], 9), str(i["title"])),
    )
    changes = rows("changes")
    plan = schedule(services, ScheduleQuery(project_id, as_of))
    suggested = suggestions(services, SuggestionsQuery(project_id, as_of))
    found: dict[str, Any] = {
        "rag": {
            d: {
                "reported": rag.get(d),
                "suggested": s.colour,
                "reasons": s.reasons,
                "disagrees": disagrees(rag.get(d), s),
            }
            for d, s in suggested.items()
        },
        "reported_rag": dict(rag),
        "tolerance_days": plan.tolerance_days,
        "products": [_product(m) for m in plan.milestones],
        "dependencies": [
            {k: d.get(k) for k in ("title", "state", "need_by")}
            for d in plan.dependencies
        ],
        "risks": [_risk(r) for r in risks[:KEY_ENTRIES]],
        "open_risks": len(risks),
        "issues": [_issue(i) for i in issues[:KEY_ENTRIES]],
        "open_issues": len(issues),
        "changes": {
            "raised this period": sum(
                1 for c in changes if _moment(c["created_at"]) >= since
            ),
            "approved": sum(1 for c in changes if c["decision"] == "approve"),
            "rejected": sum(1 for c in changes if c["decision"] == "reject"),
            "pending": sum(1 for c in changes if c["status"] in PENDING),
        },
    }
    if report_type in ("end-stage", "end-project", "exception"):
        money = finance(services, ValueQuery(project_id, as_of))
        found["finance"] = [
            {k: plain(v) for k, v in t.items() if k != "periods"}
            for t in money["totals"]
        ]
        found["cost_tolerance"] = plain(money["cost_tolerance"])
    if report_type in ("end-stage", "end-project"):
        value = project_benefits(services, ValueQuery(project_id, as_of))
        found["benefits"] = [{k: b[k] for k in BENEFIT_KEYS} for b in value["benefits"]]
        found["lessons"] = [
            _lesson(x) for x in sorted(rows("lessons"), key=_lesson_order)
        ]
    found["sections"] = list(SECTIONS[report_type])
    return found


BENEFIT_KEYS = (
    "title",
    "unit",
    "status",
    "baseline_value",
    "target_value",
    "planned_value",
    "measured_value",
)


LESSON_KEYS = (
    "title",
    "category",
    "priority",
    "status",
    "scope",
    "raised_by",
    "recommendation",
)
LESSON_PRIORITY = {"high": 0, "medium": 1, "low": 2}


def _lesson(row: dict[str, Any]) -> dict[str, Any]:
    return {k: plain(row.get(k)) for k in LESSON_KEYS}


def _lesson_order(row: dict[str, Any]) -> tuple[int, str]:
    return (LESSON_PRIORITY.get(row["priority"], 9), str(row["title"]))


def _product(m: dict[str, Any]) -> dict[str, Any]:
    keys = ("title", "owner", "status", "baseline_date", "forecast_date")
    return {
        **{k: m[k] for k in keys},
        "actual_date": m["actual_date"],
        "slip_days": m["slip_days"],
        "beyond_tolerance": m["beyond_tolerance"],
    }


def _risk(r: dict[str, Any]) -> dict[str, Any]:
    keys = ("title", "owner", "residual_score", "response")
    return {k: plain(r.get(k)) for k in keys}


def _issue(i: dict[str, Any]) -> dict[str, Any]:
    return {k: plain(i.get(k)) for k in ("title", "issue_type", "priority", "status")}


def _moment(value: str | datetime) -> datetime:
    found = value if isinstance(value, datetime) else datetime.fromisoformat(value)
    return found if found.tzinfo else found.replace(tzinfo=UTC)

"""The PMO head's view of the portfolio, now or as at a moment.

Every section is read from the same registers and use cases a project's own
pages read (`usecases.plans`, `usecases.suggested`, `usecases.value`), as
at the moment asked, for the projects the caller reaches: each project's
reported against suggested RAG and how old its last report is, the top risks
by residual score, dependencies between projects at risk or broken, benefits
planned against realised, milestones slipping, actions overdue, contracts
ending soon, and document versions waiting for approval.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from uuid import UUID

from usecases.control import Watch, contracts_ending, overdue_actions
from usecases.membership import Reach
from usecases.plans import (
    OPEN,
    PortfolioDependenciesQuery,
    ScheduleQuery,
    portfolio_dependencies,
    schedule,
)
from usecases.reads import (
    RegisterQuery,
    as_aware,
    plain,
    query_views,
    register_rows,
    wait_for_position,
)
from usecases.root import Services
from usecases.suggested import SuggestionsQuery, disagrees, suggestions
from usecases.value import PortfolioQuery as BenefitsQuery
from usecases.value import day_of, portfolio_benefits

STALE_DAYS = 14
TOP_RISKS = 10
ENDING_WITHIN = 90
TROUBLED = ("at-risk", "broken")
DOCUMENT_PAGE = 200


@dataclass(frozen=True)
class PortfolioQuery:
    """The portfolio as the caller reaches it, now or as at a moment."""

    reach: Reach
    as_of: datetime | None = None
    min_position: int | None = None
    stale_days: int = STALE_DAYS
    top_risks: int = TOP_RISKS
    ending_within: int = ENDING_WITHIN
    """Days ahead in which a contract's end counts as soon."""


def portfolio(services: Services, query: PortfolioQuery) -> dict[str, Any]:
    """Every section of the portfolio view, for the projects the caller reaches."""
    wait_for_position(services, query.min_position)
    as_of = as_aware(query.as_of) if query.as_of else None
    on = day_of(as_of)
    projects = query.reach.projects(
        query_views(services.views.list_projects, as_of), key="id"
    )
    ids = frozenset(str(p["id"]) for p in projects)
    plans = {
        str(p["id"]): schedule(services, ScheduleQuery(UUID(str(p["id"])), as_of))
        for p in projects
    }
    dependencies = portfolio_dependencies(services, PortfolioDependenciesQuery(as_of))
    benefits = portfolio_benefits(services, BenefitsQuery(as_of, reach=query.reach))
    watch = Watch(within_days=query.ending_within, as_of=as_of)

    def reached(found: dict[str, Any]) -> list[dict[str, Any]]:
        return [plain(r) for r in found["items"] if str(r["project_id"]) in ids]

    return {
        "as_of": plain(as_of),
        "on": on.isoformat(),
        "stale_days": query.stale_days,
        "projects": [
            _standing(services, p, as_of, on, query.stale_days) for p in projects
        ],
        "top_risks": _top_risks(services, projects, as_of, query.top_risks),
        "dependencies_at_risk": [
            d
            for d in dependencies
            if d["state"] in TROUBLED and str(d["project_id"]) in ids
        ],
        "benefits": {"projects": benefits["projects"], "totals": benefits["totals"]},
        "milestones_slipping": [
            {**m, "project_id": pid, "code": _code(projects, pid)}
            for pid, plan in plans.items()
            for m in plan.milestones
            if m["status"] in OPEN and m["slip_days"] > 0
        ],
        "actions_overdue": reached(overdue_actions(services, watch)),
        "contracts_ending": reached(contracts_ending(services, watch)),
        "documents_awaiting_approval": _awaiting(
            services, query.reach, projects, as_of
        ),
    }


@dataclass(frozen=True)
class DashboardQuery:
    """What the dashboard adds to each project's counts, for the caller's reach."""

    reach: Reach
    top_risks: int = TOP_RISKS


def dashboard(services: Services, query: DashboardQuery) -> dict[str, Any]:
    """Each reached project's standing (reported against suggested RAG, its last
    report and whether the next is overdue), by id, and the top risks across them.
    """
    projects = query.reach.projects(services.views.list_projects(), key="id")
    on = day_of(None)
    return {
        "standing": {
            str(p["id"]): _standing(services, p, None, on, STALE_DAYS) for p in projects
        },
        "top_risks": _top_risks(services, projects, None, query.top_risks),
    }


def report_overdue(report: dict[str, Any] | None, on: date) -> bool:
    """Whether a project's next report is late on a day: a period as long as its
    last report's has ended since that one's did (never reported: late)."""
    if report is None:
        return True
    start, end = (_day(report["data"][k]) for k in ("period_start", "period_end"))
    return on > end + (end - start) + timedelta(days=1)


def _code(projects: list[dict[str, Any]], project_id: str) -> str:
    return next(str(p["code"]) for p in projects if str(p["id"]) == project_id)


def _standing(
    services: Services,
    project: dict[str, Any],
    as_of: datetime | None,
    on: date,
    stale_days: int,
) -> dict[str, Any]:
    """A project's reported and suggested colours and how old its report is."""
    project_id = UUID(str(project["id"]))
    last = query_views(
        services.views.audit,
        entity_id=project_id,
        event_type="Project.StatusReported",
        until=as_of,
        newest_first=True,
        limit=1,
    ).items
    reported = last[0] if last else None
    suggested = suggestions(services, SuggestionsQuery(project_id, as_of))
    rag = reported["data"]["rag"] if reported else {}
    made_on = _day(reported["recorded_at"]) if reported else None
    return {
        "project_id": str(project_id),
        "code": project["code"],
        "name": project["name"],
        "status": project["status"],
        "reported_rag": rag,
        "suggested_rag": {d: s.colour for d, s in suggested.items()},
        "rosier_than_suggested": [
            d for d, s in suggested.items() if disagrees(rag.get(d), s)
        ],
        "last_report_on": made_on.isoformat() if made_on else None,
        "last_report_period_end": plain(reported["data"]["period_end"])
        if reported
        else None,
        "stale": made_on is None or on - made_on > timedelta(days=stale_days),
        "report_overdue": report_overdue(reported, on),
    }


def _day(value: Any) -> date:
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    return as_aware(moment).date()


def _top_risks(
    services: Services,
    projects: list[dict[str, Any]],
    as_of: datetime | None,
    top: int,
) -> list[dict[str, Any]]:
    """The open risks of every project with the highest residual scores."""
    found = [
        {**plain(r), "project_id": str(p["id"]), "code": p["code"]}
        for p in projects
        for r in register_rows(
            services, RegisterQuery("risks", UUID(str(p["id"])), as_of)
        )
        if r["status"] == "open"
    ]
    found.sort(key=lambda r: (-r["residual_score"], r["code"], r["id"]))
    return found[:top]


def _awaiting(
    services: Services,
    reach: Reach,
    projects: list[dict[str, Any]],
    as_of: datetime | None,
) -> list[dict[str, Any]]:
    """Each document version in review, of documents the caller is cleared for."""
    found = []
    for project in projects:
        project_id = UUID(str(project["id"]))
        after = None
        while True:
            page = query_views(
                services.views.list_documents,
                project_id,
                as_of=as_of,
                after=after,
                limit=DOCUMENT_PAGE,
            )
            for row in reach.documents(page.items):
                document = query_views(
                    services.views.get_document, UUID(str(row["id"])), as_of
                )
                for version in (document or {}).get("versions", []):
                    if version["status"] == "in-review":
                        found.append(
                            {
                                "project_id": str(project_id),
                                "code": project["code"],
                                "document_id": str(row["id"]),
                                "title": row["title"],
                                "version": version["number"],
                                "since": plain(version["status_changed_at"]),
                            }
                        )
            if page.next_cursor is None:
                break
            after = page.next_cursor
    return sorted(found, key=lambda d: (d["since"], d["code"], d["title"]))

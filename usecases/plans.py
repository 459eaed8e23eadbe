"""A project's schedule and the portfolio's dependencies, now or as at a moment.

Both are read from the temporal read models of the milestones, plan baselines
and dependencies registers, so "as at" is a range query, never a replay.
Slippage is measured against the current plan baseline (the newest one
approved) and against every earlier one; a milestone no baseline holds yet
is measured against its own baseline date. A dependency's state on a day
follows from it and its predecessor as they stood then
(`service.domain.dependency.standing`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any
from uuid import UUID

from service.domain.dependency import standing
from usecases.errors import NotAvailableError
from usecases.reads import (
    RegisterQuery,
    as_aware,
    query_views,
    register_rows,
    wait_for_position,
)
from usecases.root import Services

OPEN = ("planned", "slipped")


@dataclass(frozen=True)
class ScheduleQuery:
    """A project's milestones and dependencies, now or as at a moment."""

    project_id: UUID
    as_of: datetime | None = None
    min_position: int | None = None


@dataclass(frozen=True)
class Schedule:
    """Milestones with their slippage, the baselines, dependencies with state."""

    project_id: UUID
    on: date
    tolerance_days: int
    baseline: dict[str, Any] | None
    baselines: list[dict[str, Any]] = field(default_factory=list)
    milestones: list[dict[str, Any]] = field(default_factory=list)
    dependencies: list[dict[str, Any]] = field(default_factory=list)


@dataclass(frozen=True)
class PortfolioDependenciesQuery:
    """Every dependency between projects (as at a moment), optionally one state."""

    as_of: datetime | None = None
    state: str | None = None
    min_position: int | None = None


def schedule(services: Services, query: ScheduleQuery) -> Schedule:
    """The project's milestones against its baselines, and its dependencies."""
    wait_for_position(services, query.min_position)
    as_of = as_aware(query.as_of) if query.as_of else None
    on = _day_of(as_of)
    # Projects are never removed: the one asked of is found now, and its
    # registers are read as at the moment (empty before it had any).
    project = query_views(services.views.get_project, query.project_id)
    if project is None:
        raise NotAvailableError(f"no project {query.project_id}")
    rows = _rows(services, query.project_id, as_of)
    baselines = sorted(rows("baselines"), key=lambda b: str(b["created_at"]))
    current = baselines[-1] if baselines else None
    tolerance = current["tolerance_days"] if current else 0
    milestones = [
        _slippage(m, baselines, tolerance)
        for m in sorted(rows("milestones"), key=_latest)
    ]
    codes = {p["id"]: p["code"] for p in services.views.list_projects()}
    dependencies = [
        _standing(services, d, project["code"], codes, as_of, on)
        for d in rows("dependencies")
    ]
    return Schedule(
        query.project_id,
        on,
        tolerance,
        _baseline(current) if current else None,
        [_baseline(b) for b in baselines],
        milestones,
        dependencies,
    )


def portfolio_dependencies(
    services: Services, query: PortfolioDependenciesQuery
) -> list[dict[str, Any]]:
    """Every dependency of one project on another's milestone, with its state."""
    wait_for_position(services, query.min_position)
    as_of = as_aware(query.as_of) if query.as_of else None
    on = _day_of(as_of)
    projects = query_views(services.views.list_projects)
    codes = {p["id"]: p["code"] for p in projects}
    found = []
    for project in projects:
        rows = _rows(services, UUID(project["id"]), as_of)
        for row in rows("dependencies"):
            item = _standing(services, row, project["code"], codes, as_of, on)
            if item["cross_project"] and query.state in (None, item["state"]):
                found.append(item)
    return sorted(found, key=lambda d: (d["need_by"], d["id"]))


def _rows(services: Services, project_id: UUID, as_of: datetime | None) -> Any:
    def rows(kind: str) -> list[dict[str, Any]]:
        return register_rows(services, RegisterQuery(kind, project_id, as_of))

    return rows


def _slippage(
    milestone: dict[str, Any], baselines: list[dict[str, Any]], tolerance: int
) -> dict[str, Any]:
    """A milestone with its slip against the current and every earlier baseline."""
    latest = _latest(milestone)
    mid = milestone["id"]
    against = [
        {
            "baseline_id": b["id"],
            "name": b["name"],
            "date": b["dates"][mid],
            "slip_days": (latest - date.fromisoformat(b["dates"][mid])).days,
        }
        for b in baselines
        if mid in (b["dates"] or {})
    ]
    current = baselines[-1]["dates"] if baselines else {}
    baseline_date = current.get(mid) or milestone["baseline_date"]
    slip = (latest - date.fromisoformat(baseline_date)).days
    return {
        "id": mid,
        "title": milestone["title"],
        "owner": milestone["owner"],
        "status": milestone["status"],
        "baseline_date": baseline_date,
        "forecast_date": milestone["forecast_date"],
        "actual_date": milestone["actual_date"],
        "slip_days": slip,
        "beyond_tolerance": milestone["status"] != "cancelled" and slip > tolerance,
        "against_baselines": against,
    }


def _standing(
    services: Services,
    dependency: dict[str, Any],
    code: str,
    codes: dict[str, str],
    as_of: datetime | None,
    on: date,
) -> dict[str, Any]:
    """A dependency with its predecessor and successor then, and its state."""
    views = services.views
    predecessor_id = dependency["predecessor_id"]
    predecessor = (
        views.get_entry("milestones", UUID(predecessor_id), as_of)
        if predecessor_id
        else None
    )
    successor = views.get_entry("milestones", UUID(dependency["successor_id"]), as_of)
    from_project = str(predecessor["project_id"]) if predecessor else None
    return {
        "id": dependency["id"],
        "title": dependency["title"],
        "project_id": str(dependency["project_id"]),
        "project": code,
        "successor_id": dependency["successor_id"],
        "successor": successor["title"] if successor else None,
        "predecessor_id": predecessor_id,
        "predecessor": predecessor["title"] if predecessor else None,
        "predecessor_project_id": from_project,
        "predecessor_project": codes.get(from_project or ""),
        "predecessor_forecast": (
            predecessor["forecast_date"]
            if predecessor
            else dependency["external_forecast"]
        ),
        "external_deliverable": dependency["external_deliverable"],
        "external_owner": dependency["external_owner"],
        "need_by": dependency["need_by"],
        "status": dependency["status"],
        "cross_project": from_project is not None
        and from_project != str(dependency["project_id"]),
        "state": standing(dependency, predecessor, on),
    }


def _baseline(row: dict[str, Any]) -> dict[str, Any]:
    keys = ("id", "name", "tolerance_days", "approval", "board_decision_id")
    return {k: row[k] for k in keys} | {
        "supersedes": row["supersedes"],
        "approved_at": row["created_at"],
        "dates": row["dates"],
    }


def _latest(milestone: dict[str, Any]) -> date:
    """The actual date once achieved, else the forecast."""
    return date.fromisoformat(milestone["actual_date"] or milestone["forecast_date"])


def _day_of(as_of: datetime | None) -> date:
    return (as_of or datetime.now(UTC)).astimezone(UTC).date()

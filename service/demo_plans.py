"""The sample PMO's plans: milestones, baselines and dependencies over six months.

Recorded through the real commands, each block backdated to the day it
would have happened (June to November 2026), so forecasts move month by
month, a plan is rebaselined, and dependencies between the projects go from
on track to at risk, broken or resolved as the milestones move.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import UUID

from service.app import PmoApplication
from service.domain.base import Meta
from service.domain.clock import recorded_at
from service.domain.milestone import Milestone

MONTHS = tuple(date(2026, month, 3) for month in range(6, 12))
"""The first working days the plans were reviewed on, June to November 2026."""
PLANS: dict[str, tuple[tuple[str, str, date], ...]] = {
    "ERP": (
        ("Requirements signed off", "Dana Rees", date(2026, 7, 31)),
        ("Finance module live", "Lee Chen", date(2026, 12, 15)),
        ("HR module live", "Priya Shah", date(2027, 3, 1)),
        ("Legacy systems retired", "Dana Rees", date(2027, 6, 30)),
    ),
    "HQ-MOVE": (
        ("Lease signed", "Sam Ortiz", date(2026, 7, 15)),
        ("Network live on campus", "Lee Chen", date(2026, 11, 30)),
        ("First floor moved", "Sam Ortiz", date(2027, 1, 29)),
        ("Old office handed back", "Sam Ortiz", date(2027, 5, 31)),
    ),
    "PORTAL": (
        ("Design approved", "Ana Kim", date(2026, 8, 14)),
        ("Pilot with 50 customers", "Ana Kim", date(2027, 1, 15)),
        ("Portal launched", "Ana Kim", date(2027, 4, 1)),
    ),
}
REASONS = (
    "supplier confirmed a later delivery",
    "testing found defects that need a further cycle",
    "key staff on leave in the holiday period",
    "scope added by an approved change",
    "recovered time by running tasks in parallel",
)


@dataclass
class Planned:
    """What the plans recorded."""

    milestones: int = 0
    baselines: int = 0
    dependencies: int = 0


def load_plans(app: PmoApplication, projects: dict[str, UUID], seed: int) -> Planned:
    """Plan, baseline, reforecast and link the sample projects' milestones."""
    rng = random.Random(seed)
    officer = Meta("olivia.officer", "project-officer", "demo data")
    head = Meta("paula.pmo", "pmo-head", "initial plan approved at stage gate")
    done = Planned()
    ids: dict[str, dict[str, UUID]] = {}
    with recorded_at(_at(MONTHS[0])):
        for code, plan in PLANS.items():
            ids[code] = {
                title: app.perform(
                    "plan_milestone",
                    projects[code],
                    {
                        "title": title,
                        "description": f"{title} ({code})",
                        "owner": owner,
                        "baseline_date": due,
                    },
                    officer,
                ).id
                for title, owner, due in plan
            }
            done.milestones += len(plan)
    baselines: dict[str, UUID] = {}
    with recorded_at(_at(MONTHS[0], hour=15)):
        for code in PLANS:
            baselines[code] = _baseline(
                app, projects[code], ids[code], "Stage 1 plan", 10, head, None
            )
            done.baselines += 1
    with recorded_at(_at(MONTHS[1])):
        done.dependencies += _dependencies(app, projects, ids, officer)
    for month in MONTHS[1:]:
        with recorded_at(_at(month, hour=11)):
            _review(app, ids, month, rng)
        if month == MONTHS[3]:
            with recorded_at(_at(month, hour=16)):
                board = _board_decision(app, projects["HQ-MOVE"], month, officer)
                replan = Meta(
                    "olivia.officer",
                    "project-officer",
                    "network supplier delay accepted by the board",
                )
                _baseline(
                    app,
                    projects["HQ-MOVE"],
                    ids["HQ-MOVE"],
                    "Stage 2 replan",
                    15,
                    replan,
                    board,
                    supersedes=baselines["HQ-MOVE"],
                )
                done.baselines += 1
    return done


def _review(
    app: PmoApplication, ids: dict[str, dict[str, UUID]], on: date, rng: random.Random
) -> None:
    """One month's plan review: due milestones achieved, others reforecast."""
    officer = Meta("olivia.officer", "project-officer", None)
    for plan in ids.values():
        for milestone_id in plan.values():
            state = app.load(Milestone, milestone_id).state()
            if state["status"] not in ("planned", "slipped"):
                continue
            forecast: date = state["forecast_date"]
            if forecast <= on:
                app.perform(
                    "achieve_milestone",
                    milestone_id,
                    {"actual_date": forecast + timedelta(days=rng.randint(-2, 4))},
                    officer,
                )
            elif rng.random() < 0.6:
                moved = forecast + timedelta(days=rng.choice((-5, 7, 10, 14, 21)))
                why = Meta(officer.actor, officer.role, rng.choice(REASONS))
                app.perform(
                    "reforecast_milestone",
                    milestone_id,
                    {"forecast_date": max(moved, on + timedelta(days=1))},
                    why,
                )


def _baseline(
    app: PmoApplication,
    project_id: UUID,
    milestones: dict[str, UUID],
    name: str,
    tolerance: int,
    meta: Meta,
    board: UUID | None,
    supersedes: UUID | None = None,
) -> UUID:
    """Approve the milestones' dates now as a baseline (as the use case composes)."""
    dates: dict[str, str] = {}
    for milestone_id in milestones.values():
        state = app.load(Milestone, milestone_id).state()
        if state["status"] != "cancelled":
            latest = state["actual_date"] or state["forecast_date"]
            dates[str(milestone_id)] = str(latest)
    values: dict[str, Any] = {
        "name": name,
        "tolerance_days": tolerance,
        "approval": "project-board" if board else "pmo-head",
        "board_decision_id": board,
        "dates": dates,
        "supersedes": str(supersedes) if supersedes else None,
    }
    return app.perform("approve_baseline", project_id, values, meta).id


def _board_decision(
    app: PmoApplication, project_id: UUID, on: date, meta: Meta
) -> UUID:
    return app.perform(
        "record_decision",
        project_id,
        {
            "title": "Approve the stage 2 replan",
            "context": "The network supplier cannot deliver before January",
            "options": ["hold the move date", "replan the move"],
            "outcome": "Replan the move; tolerance 15 days",
            "rationale": "Moving without the network is not possible",
            "decided_by": "Project Board",
            "decided_on": on,
            "related_ids": [],
        },
        meta,
    ).id


def _dependencies(
    app: PmoApplication,
    projects: dict[str, UUID],
    ids: dict[str, dict[str, UUID]],
    meta: Meta,
) -> int:
    """Links between the projects, and one on an outside party."""
    links = (
        ("PORTAL", "Design approved", "ERP", "Requirements signed off", -6),
        ("PORTAL", "Pilot with 50 customers", "ERP", "Finance module live", 20),
        ("HQ-MOVE", "First floor moved", "HQ-MOVE", "Network live on campus", 14),
        ("ERP", "Legacy systems retired", "HQ-MOVE", "Old office handed back", -30),
    )
    for code, successor, supplier, predecessor, margin in links:
        due = next(d for t, _, d in PLANS[supplier] if t == predecessor)
        app.perform(
            "record_dependency",
            projects[code],
            {
                "title": f"{successor} needs {predecessor.lower()}",
                "successor_id": ids[code][successor],
                "predecessor_id": ids[supplier][predecessor],
                "external_deliverable": "",
                "external_owner": "",
                "external_forecast": None,
                "need_by": due + timedelta(days=margin),
            },
            meta,
        )
    app.perform(
        "record_dependency",
        projects["HQ-MOVE"],
        {
            "title": "Campus handed over by the building contractor",
            "successor_id": ids["HQ-MOVE"]["First floor moved"],
            "predecessor_id": None,
            "external_deliverable": "Practical completion certificate",
            "external_owner": "BuildCo Ltd",
            "external_forecast": date(2026, 12, 18),
            "need_by": date(2027, 1, 8),
        },
        meta,
    )
    return len(links) + 1


def _at(day: date, hour: int = 9) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)

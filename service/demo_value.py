"""The demo's benefits, budget lines, resource plans and capacity, month by month.

The demo's events are recorded through the real commands; a `DemoClock`
starts months ago and moves forward as the story does, backdating each
step's register events (`service.domain.clock.recorded_at`), so trends,
"as at" views and measurements spread over months. The projects themselves,
and their cost tolerance, are recorded now.
"""

from __future__ import annotations

import random
from contextlib import ExitStack
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID

from service.app import PmoApplication
from service.demo_stories import BENEFITS, STORIES
from service.domain.base import Meta
from service.domain.clock import recorded_at
from service.domain.project import Project
from service.domain.register import PORTFOLIO_ID

HISTORY_DAYS = 320
MONTHS = 10
ROLES = ("Business analyst", "Developer", "Test analyst", "Change manager")
CAPACITY = {"Business analyst": "4", "Developer": "9", "Test analyst": "3.5"}


class DemoClock:
    """The demo's day: register events are recorded at it, never past now."""

    def __init__(self, days_ago: float) -> None:
        self.limit = datetime.now(UTC) - timedelta(minutes=1)
        self.now = self.limit - timedelta(days=days_ago)
        self.block = ExitStack()
        self.block.enter_context(recorded_at(self.now))

    def advance(self, days: float) -> None:
        """Let some days pass: what follows is recorded then."""
        self.now = min(self.now + timedelta(days=days), self.limit)
        self.block.close()
        self.block.enter_context(recorded_at(self.now))

    def stop(self) -> None:
        """Record at the real time again."""
        self.block.close()

    def today(self) -> date:
        """The clock's day."""
        return self.now.date()

    def month(self, offset: int = 0) -> str:
        """The clock's month moved by some months (YYYY-MM)."""
        total = self.now.year * 12 + self.now.month - 1 + offset
        return f"{total // 12:04d}-{total % 12 + 1:02d}"


def money(amount: Decimal) -> str:
    """Whole money units as a decimal string with cents."""
    return str(amount.quantize(Decimal("0.01")))


def load_value(
    app: PmoApplication, projects: dict[str, UUID], meta: Meta, rng: random.Random
) -> int:
    """Every project's value registers and the portfolio's capacity, over months."""
    count = 0
    for index, (code, project_id) in enumerate(projects.items()):
        clock = DemoClock(HISTORY_DAYS - 7 * index)
        try:
            count += _project_value(app, project_id, code, meta, rng, clock)
        finally:
            clock.stop()
    clock = DemoClock(HISTORY_DAYS)
    try:
        _capacity(app, clock)
    finally:
        clock.stop()
    return count


def _project_value(
    app: PmoApplication,
    project_id: UUID,
    code: str,
    meta: Meta,
    rng: random.Random,
    clock: DemoClock,
) -> int:
    story = STORIES[code]
    head = Meta("hana.head", "pmo-head", "set by the project board")
    app.change(
        Project, project_id, lambda p: p.set_cost_tolerance(story.tolerance, head)
    )
    lines = [
        _line(app, project_id, meta, story.currency, title, category, total)
        for title, category, total in story.lines
    ]
    plan = [clock.month(ahead) for ahead in range(MONTHS)]
    _forecast(app, meta, lines, plan, Decimal(1))
    benefits = [_benefit(app, project_id, meta, clock, b) for b in BENEFITS[code]]
    demands = _demands(app, project_id, meta, rng, clock)
    clock.advance(12)
    for benefit_id, _ in benefits:
        app.perform(
            "plan_benefit",
            benefit_id,
            {"measurement_plan": "Measured monthly by the benefit owner"},
            meta,
        )
    for month in range(MONTHS - 1):
        clock.advance(30)
        spent = clock.month(-1)
        for line_id, total in lines:
            planned = Decimal(total) / MONTHS
            actual = planned * Decimal(str(story.overspend + rng.uniform(-0.05, 0.05)))
            app.perform(
                "record_actual",
                line_id,
                {"period": spent, "amount": money(actual)},
                meta,
            )
        if month == 3:
            _approved_change(app, project_id, meta, lines[0][0], benefits)
        if month % 3 == 2:  # the quarterly re-forecast of the months to come
            remaining = [m for m in plan if m > spent]
            _forecast(app, meta, lines, remaining, Decimal(str(story.overspend)))
        if month >= 2:
            _measure(app, meta, clock, benefits, story.benefit_pace, month, rng)
        if month == 5 and demands:
            app.perform("name_person", demands[0], {"person": rng.choice(NAMES)}, meta)
    if code == "HQ-MOVE":
        reason = Meta(meta.actor, meta.role, "the board dropped desk sharing")
        app.perform("withdraw_benefit", benefits[1][0], {}, reason)
    if code == "PORTAL":
        app.perform("realise_benefit", benefits[0][0], {}, meta)
        reason = Meta(meta.actor, meta.role, "testing moved to the supplier")
        app.perform("release_demand", demands[-1], {}, reason)
    return len(lines) + len(benefits) + len(demands)


NAMES = ("Lee Chen", "Priya Shah", "Tom Okafor", "Mia Novak")


def _forecast(
    app: PmoApplication,
    meta: Meta,
    lines: list[tuple[UUID, int]],
    months: list[str],
    factor: Decimal,
) -> None:
    for line_id, total in lines:
        amount = money(Decimal(total) / MONTHS * factor)
        for month in months:
            values = {"period": month, "amount": amount}
            app.perform("record_forecast", line_id, values, meta)


def _line(
    app: PmoApplication,
    project_id: UUID,
    meta: Meta,
    currency: str,
    title: str,
    category: str,
    total: int,
) -> tuple[UUID, int]:
    values = {
        "title": title,
        "category": category,
        "currency": currency,
        "owner": "Finance business partner",
        "approved_budget": money(Decimal(total)),
    }
    line_id = app.perform("add_budget_line", project_id, values, meta).id
    return line_id, total


def _benefit(
    app: PmoApplication,
    project_id: UUID,
    meta: Meta,
    clock: DemoClock,
    given: tuple[str, ...],
) -> tuple[UUID, dict[str, Any]]:
    title, kind, category, measure, unit, baseline, target = given
    values = {
        "title": title,
        "kind": kind,
        "description": f"{title}, as the business case sets out",
        "owner": "Business change owner",
        "category": category,
        "measure": measure,
        "unit": unit,
        "baseline_value": baseline,
        "target_value": target,
        "realise_from": clock.today() + timedelta(days=60),
        "realise_to": clock.today() + timedelta(days=420),
        "change_ids": [],
    }
    return app.perform("identify_benefit", project_id, values, meta).id, values


def _measure(
    app: PmoApplication,
    meta: Meta,
    clock: DemoClock,
    benefits: list[tuple[UUID, dict[str, Any]]],
    pace: float,
    month: int,
    rng: random.Random,
) -> None:
    for benefit_id, values in benefits:
        start, end = values["realise_from"], values["realise_to"]
        share = max(0.0, min(1.0, (clock.today() - start).days / (end - start).days))
        baseline, target = (
            Decimal(values["baseline_value"]),
            Decimal(values["target_value"]),
        )
        moved = Decimal(str(share * pace * rng.uniform(0.9, 1.1)))
        value = (baseline + (target - baseline) * moved).quantize(Decimal("0.1"))
        app.perform(
            "record_measurement",
            benefit_id,
            {
                "measured_on": clock.today(),
                "value": str(value),
                "source": "monthly benefits report" if month % 2 else "finance system",
            },
            meta,
        )


def _approved_change(
    app: PmoApplication,
    project_id: UUID,
    meta: Meta,
    line_id: UUID,
    benefits: list[tuple[UUID, dict[str, Any]]],
) -> None:
    change_id = app.perform(
        "raise_change",
        project_id,
        {
            "title": "Extend the partner contract by one release",
            "description": "One more release to cover reporting",
            "justification": "Reporting was left out of the first release",
            "related_issue_id": None,
        },
        meta,
    ).id
    app.perform(
        "assess_change",
        change_id,
        {
            "cost_impact": "45000.00",
            "time_impact_days": 20,
            "scope_impact": "Adds statutory reporting",
            "quality_impact": "None",
            "risk_impact": "Low",
            "benefits_impact": "Brings the close-time benefit forward",
        },
        meta,
    )
    board = Meta("hana.head", "pmo-head", "project board meeting")
    app.perform(
        "decide_change",
        change_id,
        {"decision": "approve", "authority": "Project Board", "rationale": "Funded"},
        board,
    )
    app.perform(
        "add_budget_change",
        line_id,
        {"change_id": change_id, "amount": "45000.00", "note": "Release 3 added"},
        meta,
    )
    app.perform("link_benefit_change", benefits[0][0], {"change_id": change_id}, meta)


def _demands(
    app: PmoApplication,
    project_id: UUID,
    meta: Meta,
    rng: random.Random,
    clock: DemoClock,
) -> list[UUID]:
    found = []
    for role in ROLES[: rng.randint(3, 4)]:
        demand_id = app.perform(
            "plan_demand",
            project_id,
            {"role": role, "skill": "", "person": None, "notes": ""},
            meta,
        ).id
        for ahead in range(MONTHS):
            fte = rng.choice(("0.5", "1", "1.5", "2", "2.5"))
            app.perform(
                "set_demand", demand_id, {"month": clock.month(ahead), "fte": fte}, meta
            )
        found.append(demand_id)
    return found


def _capacity(app: PmoApplication, clock: DemoClock) -> int:
    head = Meta("hana.head", "pmo-head", "resource plan agreed with line managers")
    for role, fte in CAPACITY.items():
        capacity_id = app.perform(
            "declare_capacity", PORTFOLIO_ID, {"role": role, "team": "Delivery"}, head
        ).id
        for ahead in range(MONTHS):
            app.perform(
                "set_capacity",
                capacity_id,
                {"month": clock.month(ahead), "fte": fte},
                head,
            )
    return len(CAPACITY)

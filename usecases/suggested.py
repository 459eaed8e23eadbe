"""RAG colours suggested by the registers, beside the ones a highlight report gives.

One function per dimension, each from what the registers hold as at a
moment. A suggestion says why in plain sentences; `None` as its colour means
the registers hold nothing to judge that dimension by. `disagrees` flags a
report that is rosier than its suggestion (green time while milestones are
beyond tolerance); a report gloomier than the registers is the manager's call.

Time, from the schedule (`usecases.plans`):

- red: a milestone not yet achieved forecast beyond its baseline date by
  more than the current baseline's tolerance; or a broken dependency;
- amber: a milestone not yet achieved forecast later than its baseline date
  (within tolerance), or past its forecast date unachieved; a milestone
  achieved later than tolerance allowed; a dependency at risk;
- green: milestones, none of the above.

Cost and benefits, from the budget lines, the cost tolerance and the
benefits register: the rules are written in `usecases.value_rag`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from uuid import UUID

from usecases.plans import OPEN, Schedule, ScheduleQuery, schedule
from usecases.root import Services
from usecases.value import suggested_value_rag
from usecases.value_rag import Suggestion as ValueSuggestion

RANK = {"green": 0, "amber": 1, "red": 2}


@dataclass(frozen=True)
class Suggestion:
    """A suggested colour (None: nothing to judge by) and the reasons for it."""

    colour: str | None
    reasons: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class SuggestionsQuery:
    """The suggested colours of a project, now or as at a moment."""

    project_id: UUID
    as_of: datetime | None = None
    min_position: int | None = None


def suggestions(services: Services, query: SuggestionsQuery) -> dict[str, Suggestion]:
    """Every dimension the registers can suggest a colour for, by dimension."""
    plan = schedule(
        services, ScheduleQuery(query.project_id, query.as_of, query.min_position)
    )
    value = suggested_value_rag(services, query.project_id, query.as_of)
    return {
        "time": time(plan),
        "cost": value_suggestion(value["cost"], "no budget lines are recorded"),
        "benefits": value_suggestion(value["benefits"], "no benefits to judge"),
    }


def value_suggestion(found: ValueSuggestion | None, nothing: str) -> Suggestion:
    """A cost or benefits suggestion (`usecases.value_rag`) in this module's terms."""
    if found is None:
        return Suggestion(None, [nothing])
    return Suggestion(
        found.colour, found.reasons or ["nothing beyond plan or tolerance"]
    )


def time(plan: Schedule) -> Suggestion:
    """The time colour the milestones and dependencies suggest."""
    if not plan.milestones:
        return Suggestion(None, ["no milestones are planned"])
    red: list[str] = []
    amber: list[str] = []
    tolerance = plan.tolerance_days
    for m in plan.milestones:
        slip, title = m["slip_days"], m["title"]
        if m["status"] in OPEN:
            if slip > tolerance:
                red.append(
                    f"{title}: forecast {slip} days late, tolerance {tolerance} days"
                )
            elif slip > 0:
                amber.append(f"{title}: forecast {slip} days late, within tolerance")
            if date.fromisoformat(m["forecast_date"]) < plan.on:
                amber.append(f"{title}: forecast date passed, not achieved")
        elif m["status"] == "achieved" and slip > tolerance:
            amber.append(f"{title}: achieved {slip} days late")
    for d in plan.dependencies:
        if d["state"] == "broken":
            red.append(f"dependency {d['title']}: broken (needed by {d['need_by']})")
        elif d["state"] == "at-risk":
            amber.append(f"dependency {d['title']}: at risk")
    if red:
        return Suggestion("red", red + amber)
    if amber:
        return Suggestion("amber", amber)
    return Suggestion("green", ["every milestone on or before its baseline date"])


def disagrees(reported: str | None, suggested: Suggestion) -> bool:
    """Whether a reported colour is rosier than the registers suggest."""
    if reported not in RANK or suggested.colour is None:
        return False
    return RANK[reported] < RANK[suggested.colour]

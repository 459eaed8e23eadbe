"""The milestone register, declared: planned -> achieved, or slipped / cancelled.

A milestone is planned for a baseline date, which is also its first forecast.
Every change of forecast is a `Reforecast` event with a reason, so the
forecast's movement is the entry's history. A forecast later than the
baseline date leaves the milestone slipped (one on or before it, planned
again); a planned or slipped milestone is achieved on its actual date, or
cancelled with a reason. Achieved and cancelled milestones take nothing more.
"""

from __future__ import annotations

from datetime import date
from typing import Any, Final

from service.domain.entry import entry_class
from service.domain.register import (
    Command,
    Field,
    ImportStep,
    RegisterKind,
    State,
    choice,
    needs_reason,
    optional_text,
    text,
)

STATUSES: Final = ("planned", "slipped", "achieved", "cancelled")
OPEN: Final = ("planned", "slipped")
MAX_SLIP_DAYS: Final = 36_500


def planned(values: dict[str, Any], state: State) -> dict[str, Any]:
    """A new milestone's forecast is its baseline date."""
    return dict(values) | {"forecast_date": values["baseline_date"]}


def reforecast(values: dict[str, Any], state: State) -> dict[str, Any]:
    """The new forecast; slipped while it is later than the baseline date."""
    forecast: date = values["forecast_date"]
    late = forecast > state["baseline_date"]
    return {"forecast_date": forecast, "status": "slipped" if late else "planned"}


def slip_days(state: State) -> int | None:
    """Days the actual (else forecast) date lies beyond the baseline date."""
    baseline = state.get("baseline_date")
    latest = state.get("actual_date") or state.get("forecast_date")
    if not isinstance(baseline, date) or not isinstance(latest, date):
        return None
    return (latest - baseline).days


MILESTONE = RegisterKind(
    name="milestones",
    noun="milestone",
    aggregate="Milestone",
    module=__name__,
    description="A point in a project's plan with baseline, forecast and actual dates.",
    blueprint_description="Milestones",
    list_summary="A project's milestones, filtered, a page at a time.",
    statuses=STATUSES,
    fields=(
        text("title", 200),
        optional_text("description"),
        text("owner", 200),
        Field("baseline_date", "date"),
        Field("forecast_date", "date"),
        Field("actual_date", "date", nullable=True),
        choice("status", STATUSES),
    ),
    derived={"slip_days": slip_days},
    derived_fields=(
        Field(
            "slip_days",
            "integer",
            low=-MAX_SLIP_DAYS,
            high=MAX_SLIP_DAYS,
            nullable=True,
        ),
    ),
    create=Command(
        "plan_milestone",
        "plan",
        "Planned",
        (
            text("title", 200),
            optional_text("description"),
            text("owner", 200),
            Field("baseline_date", "date"),
        ),
        schema="MilestonePlan",
        summary="Plan a milestone in an open project (its forecast starts at "
        "the baseline date).",
        action="plan a milestone in",
        status="planned",
        effect=planned,
    ),
    commands=(
        Command(
            "reforecast_milestone",
            "reforecast",
            "Reforecast",
            (Field("forecast_date", "date"),),
            path="forecasts",
            schema="MilestoneForecast",
            summary="Move a milestone's forecast date (a reason is required).",
            action="reforecast",
            allowed=OPEN,
            effect=reforecast,
            guard=needs_reason("reforecast a milestone"),
        ),
        Command(
            "achieve_milestone",
            "achieve",
            "Achieved",
            (Field("actual_date", "date"),),
            path="achievement",
            schema="MilestoneAchievement",
            summary="Record that a milestone was achieved, on its actual date.",
            action="achieve",
            allowed=OPEN,
            status="achieved",
            created=False,
        ),
        Command(
            "cancel_milestone",
            "cancel",
            "Cancelled",
            path="cancel",
            summary="Cancel a milestone (a reason is required).",
            action="cancel",
            allowed=OPEN,
            status="cancelled",
            guard=needs_reason("cancel a milestone"),
            created=False,
            body_required=False,
        ),
    ),
    filters={"status": ("status", "eq"), "owner": ("owner", "eq")},
    list_filters=("status",),
    title="Milestones",
    ui_columns=(
        "title",
        "owner",
        "baseline_date",
        "forecast_date",
        "actual_date",
        "slip_days",
        "status",
    ),
    ui_filters=("status", "owner"),
    ui_trend=("baseline_date", "forecast_date"),
    sorts=(
        "created_at",
        "recorded_at",
        "title",
        "baseline_date",
        "forecast_date",
    ),
    export_columns=(
        "id",
        "title",
        "description",
        "owner",
        "baseline_date",
        "forecast_date",
        "actual_date",
        "slip_days",
    ),
    import_steps=(
        ImportStep("reforecast_milestone", ("forecast_date",)),
        ImportStep("achieve_milestone", ("actual_date",)),
        ImportStep("cancel_milestone", statuses=("cancelled",)),
    ),
)
Milestone = entry_class(MILESTONE)

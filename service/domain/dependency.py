"""Dependencies, declared: what a milestone needs, from a milestone or an outside party.

A dependency is recorded in the project of the milestone that needs it (the
successor), with the date it is needed by. What it waits for is either
another milestone (of this project or of any other: the PMO watches those
between projects) or an external deliverable with an owner, whose forecast
the dependency itself keeps. Its stored status is active, resolved (an
external deliverable delivered) or withdrawn (with a reason).

How a dependency stands on a day (`standing`) follows from the events of the
dependency and of its predecessor, and the day itself: on track; at risk once
the predecessor's forecast passes the need-by date; broken once the need-by
date has passed without the predecessor achieved (or once it is cancelled);
resolved once the predecessor is achieved or the deliverable delivered.
"""

from __future__ import annotations

from datetime import date
from typing import Any, Final

from service.domain.base import InvalidValueError, Meta
from service.domain.entry import entry_class
from service.domain.register import (
    Command,
    Field,
    ImportStep,
    RegisterKind,
    State,
    choice,
    needs_reason,
    optional_reference,
    optional_text,
    reference,
    text,
)

STATUSES: Final = ("active", "resolved", "withdrawn")
STANDINGS: Final = ("on-track", "at-risk", "broken", "resolved", "withdrawn")


def check_predecessor(state: State, values: dict[str, Any], meta: Meta) -> None:
    """Exactly one of a predecessor milestone or an external deliverable."""
    external = (values.get("external_deliverable") or "").strip()
    if values.get("predecessor_id") and external:
        message = "give a predecessor milestone or an external deliverable, not both"
        raise InvalidValueError("predecessor_id", message)
    if not values.get("predecessor_id") and not external:
        message = "is required unless the dependency is on an external deliverable"
        raise InvalidValueError("predecessor_id", message)
    if external and not (values.get("external_owner") or "").strip():
        message = "is required for an external deliverable"
        raise InvalidValueError("external_owner", message)
    if not external and values.get("external_forecast") is not None:
        message = "is only kept for an external deliverable"
        raise InvalidValueError("external_forecast", message)
    if values.get("predecessor_id") and values.get("predecessor_id") == values.get(
        "successor_id"
    ):
        raise InvalidValueError("predecessor_id", "a milestone cannot precede itself")


def external_only(state: State, values: dict[str, Any], meta: Meta) -> None:
    """Only a dependency on an external deliverable keeps a forecast or delivery."""
    if state["predecessor_id"] is not None:
        message = (
            "a dependency on a milestone follows that milestone's own "
            "forecast and achievement"
        )
        raise InvalidValueError("predecessor_id", message)


def external_reforecast(state: State, values: dict[str, Any], meta: Meta) -> None:
    """An external party's new forecast, with the reason for it."""
    external_only(state, values, meta)
    needs_reason("reforecast an external deliverable")(state, values, meta)


def standing(dependency: State, predecessor: State | None, on: date) -> str:
    """How a dependency stands on a day, given its predecessor milestone then."""
    if dependency["status"] == "withdrawn":
        return "withdrawn"
    need_by = _day(dependency["need_by"])
    if dependency["status"] == "resolved":
        return "resolved"
    if predecessor is None:
        forecast = _date(dependency.get("external_forecast"))
    elif predecessor["status"] == "achieved":
        return "resolved"
    elif predecessor["status"] == "cancelled":
        return "broken"
    else:
        forecast = _date(predecessor["forecast_date"])
    if on > need_by:
        return "broken"
    if forecast is not None and forecast > need_by:
        return "at-risk"
    return "on-track"


def _date(value: Any) -> date | None:
    return None if value is None else _day(value)


def _day(value: Any) -> date:
    """A date, from a date or its ISO text (as read models give it)."""
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


DEPENDENCY = RegisterKind(
    name="dependencies",
    noun="dependency",
    aggregate="Dependency",
    module=__name__,
    description="A milestone's need of another milestone (of any project) or of "
    "an external deliverable, by a date.",
    blueprint_description="Dependencies",
    list_summary="A project's dependencies, filtered, a page at a time.",
    statuses=STATUSES,
    fields=(
        text("title", 200),
        reference("successor_id", "milestones"),
        optional_reference("predecessor_id", "milestones", same_project=False),
        optional_text("external_deliverable", 500),
        optional_text("external_owner", 200),
        Field("external_forecast", "date", nullable=True),
        Field("need_by", "date"),
        Field("delivered_on", "date", nullable=True),
        choice("status", STATUSES),
    ),
    create=Command(
        "record_dependency",
        "record",
        "Recorded",
        (
            text("title", 200),
            reference("successor_id", "milestones"),
            optional_reference("predecessor_id", "milestones", same_project=False),
            optional_text("external_deliverable", 500),
            optional_text("external_owner", 200),
            Field("external_forecast", "date", nullable=True),
            Field("need_by", "date"),
        ),
        schema="DependencyRecord",
        summary="Record what a milestone of an open project needs, and by when.",
        action="record a dependency in",
        status="active",
        guard=check_predecessor,
    ),
    commands=(
        Command(
            "renegotiate_dependency",
            "renegotiate",
            "NeedByChanged",
            (Field("need_by", "date"),),
            path="need-by",
            schema="DependencyNeedBy",
            summary="Change the date a dependency is needed by (a reason is required).",
            action="renegotiate",
            allowed=("active",),
            guard=needs_reason("change the need-by date"),
            created=False,
        ),
        Command(
            "reforecast_dependency",
            "reforecast",
            "ExternalReforecast",
            (Field("external_forecast", "date"),),
            path="forecasts",
            schema="DependencyForecast",
            summary="Record the external party's new forecast (a reason is required).",
            action="reforecast",
            allowed=("active",),
            guard=external_reforecast,
        ),
        Command(
            "resolve_dependency",
            "resolve",
            "Delivered",
            (Field("delivered_on", "date"),),
            path="delivery",
            schema="DependencyDelivery",
            summary="Record that the external deliverable was delivered.",
            action="resolve",
            allowed=("active",),
            status="resolved",
            guard=external_only,
            created=False,
        ),
        Command(
            "withdraw_dependency",
            "withdraw",
            "Withdrawn",
            path="withdraw",
            summary="Withdraw a dependency that no longer holds (a reason is "
            "required).",
            action="withdraw",
            allowed=("active",),
            status="withdrawn",
            guard=needs_reason("withdraw a dependency"),
            created=False,
            body_required=False,
        ),
    ),
    filters={
        "status": ("status", "eq"),
        "successor_id": ("successor_id", "eq"),
        "predecessor_id": ("predecessor_id", "eq"),
    },
    list_filters=("status",),
    title="Dependencies",
    ui_columns=(
        "title",
        "need_by",
        "external_deliverable",
        "external_owner",
        "external_forecast",
        "status",
    ),
    ui_filters=("status",),
    sorts=("created_at", "recorded_at", "title", "need_by"),
    export_columns=(
        "id",
        "title",
        "successor_id",
        "predecessor_id",
        "external_deliverable",
        "external_owner",
        "external_forecast",
        "need_by",
        "delivered_on",
    ),
    import_steps=(ImportStep("resolve_dependency", ("delivered_on",)),),
)
Dependency = entry_class(DEPENDENCY)

"""The benefits register, declared: what a project's outcome is worth, measured.

Transitions (status -> command -> status):

- identified -> plan_benefit -> planned
- planned / realising -> record_measurement -> realising (realised stays realised)
- realising -> realise_benefit -> realised
- planned / realising -> mark_benefit_not_realised -> not-realised (with a reason)
- identified / planned / realising -> withdraw_benefit -> withdrawn (with a reason)

A benefit is measured over time, often after its project has closed, so
measurements and the realisation verdicts may be recorded in a closed project.
Measurements are recorded in date order; an earlier one is not slipped in.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any, Final

from service.domain.base import InvalidValueError, Meta
from service.domain.clock import timestamp
from service.domain.entry import entry_class
from service.domain.register import (
    RAISERS,
    Command,
    Field,
    ImportStep,
    RegisterKind,
    State,
    choice,
    needs_reason,
    number,
    optional_text,
    reference,
    references,
    text,
)

STATUSES: Final = (
    "identified",
    "planned",
    "realising",
    "realised",
    "not-realised",
    "withdrawn",
)
KINDS: Final = ("benefit", "dis-benefit")
CATEGORIES: Final = ("financial", "non-financial")
MEASURED: Final = ("planned", "realising", "realised")

DESCRIBED: Final = (
    text("title", 200),
    choice("kind", KINDS),
    text("description"),
    text("owner", 200),
    choice("category", CATEGORIES),
    text("measure", 200),
    text("unit", 50),
    number("baseline_value"),
    number("target_value"),
    Field("realise_from", "date"),
    Field("realise_to", "date"),
    references("change_ids", "changes"),
)
"""What a benefit is, given when it is identified."""


def window_and_target(state: State, values: dict[str, Any], meta: Meta) -> None:
    """The window ends after it starts; the target differs from the baseline."""
    start, end = values.get("realise_from"), values.get("realise_to")
    if isinstance(start, date) and isinstance(end, date) and end < start:
        raise InvalidValueError("realise_to", "must not be before realise_from")
    baseline, target = values.get("baseline_value"), values.get("target_value")
    if (
        isinstance(baseline, str)
        and isinstance(target, str)
        and _same(baseline, target)
    ):
        raise InvalidValueError("target_value", "must differ from baseline_value")


def _same(one: str, other: str) -> bool:
    try:
        return Decimal(one) == Decimal(other)
    except InvalidOperation:
        return False


def in_date_order(state: State, values: dict[str, Any], meta: Meta) -> None:
    """A measurement is taken by now, and not before the latest one recorded."""
    measured_on = values.get("measured_on")
    taken = state.get("measurements") or []
    today = timestamp().date()
    if isinstance(measured_on, date) and measured_on > today:
        message = f"must not be after today ({today}): a measurement is taken"
        raise InvalidValueError("measured_on", message)
    if isinstance(measured_on, date) and taken:
        latest = taken[-1]["measured_on"]
        if measured_on.isoformat() < latest:
            message = f"must not be before the latest measurement ({latest})"
            raise InvalidValueError("measured_on", message)


def not_linked(state: State, values: dict[str, Any], meta: Meta) -> None:
    """A change request is linked to a benefit once."""
    if str(values.get("change_id")) in (state.get("change_ids") or []):
        raise InvalidValueError("change_id", "is already linked to this benefit")


def measured(values: dict[str, Any], state: State) -> dict[str, Any]:
    """The measurement joins the series; a planned benefit starts realising."""
    point = {
        "measured_on": str(values["measured_on"]),
        "value": values["value"],
        "source": values["source"],
    }
    status = "realising" if state["status"] == "planned" else state["status"]
    return {"measurements": [*(state.get("measurements") or []), point]} | {
        "status": status
    }


def linked(values: dict[str, Any], state: State) -> dict[str, Any]:
    """The change request joins the benefit's linked ones."""
    return {"change_ids": [*(state.get("change_ids") or []), values["change_id"]]}


def latest(state: State, key: str) -> Any:
    """A value of the latest measurement (None before the first)."""
    taken = state.get("measurements") or []
    return taken[-1][key] if taken else None


BENEFIT = RegisterKind(
    name="benefits",
    noun="benefit",
    aggregate="Benefit",
    module=__name__,
    description="A measurable improvement (or dis-benefit) a project's outcome brings.",
    blueprint_description="Benefits register",
    list_summary="A project's benefits register, filtered, a page at a time.",
    statuses=STATUSES,
    fields=(
        *DESCRIBED,
        optional_text("measurement_plan"),
        Field("measurements", "json", nullable=True),
        choice("status", STATUSES),
    ),
    derived={
        "latest_value": lambda s: latest(s, "value"),
        "latest_measured_on": lambda s: latest(s, "measured_on"),
        "measurement_count": lambda s: len(s.get("measurements") or []),
    },
    derived_fields=(
        number("latest_value", nullable=True),
        Field("latest_measured_on", "text", 10, nullable=True),
        Field("measurement_count", "integer", low=0, high=1_000_000),
    ),
    create=Command(
        "identify_benefit",
        "identify",
        "Identified",
        DESCRIBED,
        schema="BenefitIdentification",
        summary="Record a benefit (or dis-benefit) an open project should bring.",
        action="record a benefit in",
        status="identified",
        guard=window_and_target,
        roles=RAISERS,
    ),
    commands=(
        Command(
            "plan_benefit",
            "plan",
            "Planned",
            (text("measurement_plan"),),
            path="plan",
            schema="BenefitPlan",
            summary="Record how and when an identified benefit will be measured.",
            action="plan",
            allowed=("identified",),
            status="planned",
            created=False,
        ),
        Command(
            "link_benefit_change",
            "link_change",
            "ChangeLinked",
            (reference("change_id", "changes"),),
            path="changes",
            schema="BenefitChangeLink",
            summary="Link a change request of the same project to a benefit.",
            action="link a change request to",
            allowed=("identified", "planned", "realising"),
            guard=not_linked,
            effect=linked,
            created=False,
        ),
        Command(
            "record_measurement",
            "record_measurement",
            "Measured",
            (Field("measured_on", "date"), number("value"), text("source", 200)),
            path="measurements",
            schema="BenefitMeasurement",
            summary="Record a measurement of a planned or realising benefit.",
            action="measure",
            allowed=MEASURED,
            guard=in_date_order,
            effect=measured,
            after_close=True,
        ),
        Command(
            "realise_benefit",
            "realise",
            "Realised",
            path="realised",
            summary="Record that a realising benefit has been realised.",
            action="record as realised",
            allowed=("realising",),
            status="realised",
            created=False,
            body_required=False,
            after_close=True,
        ),
        Command(
            "mark_benefit_not_realised",
            "not_realised",
            "NotRealised",
            path="not-realised",
            summary="Record (with a reason) that a benefit was not realised.",
            action="record as not realised",
            allowed=("planned", "realising"),
            status="not-realised",
            guard=needs_reason("record a benefit as not realised"),
            created=False,
            body_required=False,
            after_close=True,
        ),
        Command(
            "withdraw_benefit",
            "withdraw",
            "Withdrawn",
            path="withdraw",
            summary="Withdraw (with a reason) a benefit no longer pursued.",
            action="withdraw",
            allowed=("identified", "planned", "realising"),
            status="withdrawn",
            guard=needs_reason("withdraw a benefit"),
            created=False,
            body_required=False,
        ),
    ),
    filters={
        "status": ("status", "eq"),
        "kind": ("kind", "eq"),
        "category": ("category", "eq"),
        "owner": ("owner", "eq"),
    },
    list_filters=("status", "kind", "category"),
    title="Benefits register",
    ui_columns=(
        "title",
        "kind",
        "category",
        "owner",
        "measure",
        "baseline_value",
        "target_value",
        "latest_value",
        "unit",
        "realise_to",
        "status",
    ),
    ui_filters=("status", "kind", "category", "owner"),
    sorts=("created_at", "recorded_at", "title", "realise_to"),
    export_columns=(
        "id",
        "title",
        "kind",
        "description",
        "owner",
        "category",
        "measure",
        "unit",
        "baseline_value",
        "target_value",
        "realise_from",
        "realise_to",
        "change_ids",
        "measurement_plan",
        "latest_value",
        "latest_measured_on",
        "measurement_count",
    ),
    import_steps=(
        ImportStep("plan_benefit", ("measurement_plan",)),
        ImportStep("withdraw_benefit", statuses=("withdrawn",)),
    ),
)
Benefit = entry_class(BENEFIT)

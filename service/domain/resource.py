"""The resource plan, declared: what projects need and what the portfolio has.

A *demand* is a project's need for a role (and skill) in full-time
equivalents (FTE, a decimal string such as "1.5", never a float) per month,
optionally for a named person. *Capacity* is declared once for the whole
portfolio: the FTE a role (of a team) can give per month. The portfolio view
sets the two side by side (`usecases/resources.py`).

- demand: open -> set_demand / name_person -> open; open -> release_demand
  (with a reason) -> released
- capacity: active -> set_capacity -> active; active -> retire_capacity (with
  a reason) -> retired

Setting a month to 0 removes it from the plan.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Final

from service.domain.entry import entry_class
from service.domain.register import (
    Command,
    Field,
    ImportStep,
    RegisterKind,
    State,
    choice,
    fte,
    month,
    needs_reason,
    optional_text,
    text,
)

DEMAND_STATUSES: Final = ("open", "released")
CAPACITY_STATUSES: Final = ("active", "retired")
HEAD: Final = ("pmo-head",)
SPAN: Final = ("first_month", "last_month", "total_fte_months")
"""The months a plan spans and its FTE-months, shown and exported."""
FILTERS: Final = {"status": ("status", "eq"), "role": ("role", "eq")}


def planned_month(values: dict[str, Any], state: State) -> dict[str, Any]:
    """The month's FTE is set; zero takes the month out of the plan."""
    months = dict(state.get("months") or {})
    amount = Decimal(values["fte"])
    if amount == 0:
        months.pop(values["month"], None)
    else:
        months[values["month"]] = (
            str(amount.normalize()) if amount % 1 else str(int(amount))
        )
    return {"months": dict(sorted(months.items()))}


def total(state: State) -> str:
    """FTE-months over the whole plan."""
    found = sum((Decimal(v) for v in (state.get("months") or {}).values()), Decimal(0))
    return str(found)


def first_month(state: State) -> str | None:
    """The first month planned (None when none is)."""
    return next(iter(sorted(state.get("months") or {})), None)


def last_month(state: State) -> str | None:
    """The last month planned (None when none is)."""
    return max(state.get("months") or {}, default=None)


def month_command(use_case: str, schema: str, summary: str, **more: Any) -> Command:
    """The command setting a month's FTE (demand and capacity alike)."""
    return Command(
        use_case,
        "set_month",
        "MonthSet",
        (month("month"), fte("fte")),
        path="months",
        schema=schema,
        summary=summary,
        effect=planned_month,
        **more,
    )


PERSON: Final = Field("person", "text", 200, nullable=True, personal="name")
PLAN_FIELDS: Final = (Field("months", "json", nullable=True),)
DERIVED: Final = {
    "total_fte_months": total,
    "first_month": first_month,
    "last_month": last_month,
}
DERIVED_FIELDS: Final = (
    Field("total_fte_months", "decimal", 20, pattern=r"\d+(\.\d+)?"),
    Field("first_month", "month", 7, nullable=True),
    Field("last_month", "month", 7, nullable=True),
)

DEMAND = RegisterKind(
    name="demands",
    noun="resource demand",
    aggregate="ResourceDemand",
    module=__name__,
    description="A project's need for a role, in FTE per month.",
    blueprint_description="Resource demand",
    list_summary="A project's resource demand, filtered, a page at a time.",
    statuses=DEMAND_STATUSES,
    fields=(
        text("role", 200),
        optional_text("skill", 200),
        PERSON,
        optional_text("notes"),
        *PLAN_FIELDS,
        choice("status", DEMAND_STATUSES),
    ),
    derived=DERIVED,
    derived_fields=DERIVED_FIELDS,
    create=Command(
        "plan_demand",
        "plan",
        "Planned",
        (
            text("role", 200),
            optional_text("skill", 200),
            PERSON,
            optional_text("notes"),
        ),
        schema="DemandPlan",
        summary="Record an open project's need for a role (and skill).",
        action="plan a resource demand in",
        status="open",
    ),
    commands=(
        month_command(
            "set_demand",
            "DemandMonth",
            "Set the FTE a demand needs in a month (0 removes the month).",
            action="plan a month of",
            allowed=("open",),
        ),
        Command(
            "name_person",
            "name_person",
            "PersonNamed",
            (PERSON,),
            path="person",
            schema="DemandPerson",
            summary="Name the person who will fill a demand (null: not yet known).",
            action="name the person for",
            allowed=("open",),
            created=False,
        ),
        Command(
            "release_demand",
            "release",
            "Released",
            path="release",
            summary="Release (with a reason) a demand no longer needed.",
            action="release",
            allowed=("open",),
            status="released",
            guard=needs_reason("release a resource demand"),
            created=False,
            body_required=False,
        ),
    ),
    filters=FILTERS,
    title="Resource demand",
    ui_columns=(
        "role",
        "skill",
        "person",
        *SPAN,
        "status",
    ),
    ui_filters=("status", "role"),
    sorts=("created_at", "recorded_at", "role"),
    export_columns=(
        "id",
        "role",
        "skill",
        "person",
        "notes",
        "months",
        *SPAN,
    ),
    import_steps=(
        ImportStep("set_demand", monthly=""),
        ImportStep("release_demand", statuses=("released",)),
    ),
)
ResourceDemand = entry_class(DEMAND)

CAPACITY = RegisterKind(
    name="capacity",
    noun="capacity",
    aggregate="Capacity",
    module=__name__,
    description="The FTE a role (of a team) can give the portfolio per month.",
    blueprint_description="Resource capacity",
    list_summary="The portfolio's declared capacity per role, a page at a time.",
    statuses=CAPACITY_STATUSES,
    fields=(
        text("role", 200),
        optional_text("team", 200),
        *PLAN_FIELDS,
        choice("status", CAPACITY_STATUSES),
    ),
    derived=DERIVED,
    derived_fields=DERIVED_FIELDS,
    create=Command(
        "declare_capacity",
        "declare",
        "Declared",
        (text("role", 200), optional_text("team", 200)),
        schema="CapacityDeclaration",
        summary="Declare a role (of a team) whose capacity the portfolio plans with.",
        action="declare capacity in",
        status="active",
        roles=HEAD,
    ),
    commands=(
        month_command(
            "set_capacity",
            "CapacityMonth",
            "Set the FTE a role can give in a month (0 removes the month).",
            action="set a month of",
            allowed=("active",),
            roles=HEAD,
        ),
        Command(
            "retire_capacity",
            "retire",
            "Retired",
            path="retire",
            summary="Retire (with a reason) a role's capacity.",
            action="retire",
            allowed=("active",),
            status="retired",
            guard=needs_reason("retire a role's capacity"),
            roles=HEAD,
            created=False,
            body_required=False,
        ),
    ),
    filters=FILTERS,
    title="Resource capacity",
    ui_columns=(
        "role",
        "team",
        *SPAN,
        "status",
    ),
    ui_filters=("status", "role"),
    sorts=("created_at", "recorded_at", "role"),
    export_columns=(
        "id",
        "role",
        "team",
        "months",
        *SPAN,
    ),
    import_steps=(
        ImportStep("set_capacity", monthly=""),
        ImportStep("retire_capacity", statuses=("retired",)),
    ),
    portfolio=True,
)
Capacity = entry_class(CAPACITY)

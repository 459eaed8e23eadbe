"""Budget lines, declared: the approved budget, its approved changes, spend.

A budget line belongs to a project and is kept in one ISO 4217 currency.
Money is a decimal string, never a float, with no more decimal places than
the currency has (JPY none, EUR two, KWD three); sums are exact.

- open -> add_budget_change -> open: the approved budget moves by an amount
  an approved change request (of the change log) authorised, once per line
- open -> record_actual / record_forecast -> open: spend and expected spend
  per month (YYYY-MM); correcting a month's actual needs a reason, and a
  month with an actual is no longer forecast
- open -> close_budget_line -> closed: nothing more is expected (its
  remaining forecast is dropped); closed -> reopen_budget_line (with a reason)

Estimate (forecast) at completion = actual to date + forecast for the months
without an actual; variance = approved budget - forecast at completion
(negative: an overspend).
"""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from typing import Any, Final

from service.domain.base import InvalidValueError, Meta
from service.domain.clock import timestamp
from service.domain.currency import CURRENCIES, fits, minor_units, normalised
from service.domain.entry import entry_class
from service.domain.register import (
    MONTH,
    Command,
    Field,
    ImportStep,
    RegisterKind,
    State,
    choice,
    money,
    month,
    needs_reason,
    optional_text,
    reference,
    text,
)

STATUSES: Final = ("open", "closed")
CATEGORIES: Final = (
    "labour",
    "contractors",
    "equipment",
    "software",
    "facilities",
    "travel",
    "training",
    "change-budget",
    "contingency",
    "other",
)
APPROVED: Final = ("approved", "implemented")
"""The statuses of a change request whose approval can move a budget."""
AMOUNTS: Final = ("approved_budget", "amount")

DESCRIBED: Final = (
    text("title", 200),
    choice("category", CATEGORIES),
    text("currency", 3),
    text("owner", 200),
)


def amounts_fit(currency: str, values: dict[str, Any]) -> None:
    """Refuse an amount with more decimal places than the currency has."""
    for name in AMOUNTS:
        amount = values.get(name)
        if isinstance(amount, str) and _decimal(amount) and not fits(amount, currency):
            places = minor_units(currency)
            message = f"must have at most {places} decimal places in {currency}"
            raise InvalidValueError(name, message)


def _decimal(amount: str) -> bool:
    try:
        finite = Decimal(amount).is_finite()
    except ArithmeticError:
        return False
    return finite and amount.strip() == amount and "e" not in amount.lower()


def known_currency(state: State, values: dict[str, Any], meta: Meta) -> None:
    """A currency is an ISO 4217 code, and amounts fit its decimal places."""
    currency = values.get("currency")
    if currency not in CURRENCIES:
        message = "must be an ISO 4217 currency code such as EUR, GBP or USD"
        raise InvalidValueError("currency", message)
    amounts_fit(str(currency), values)


def approved_change(state: State, values: dict[str, Any], meta: Meta) -> None:
    """A change moves a line once, by a non-zero amount, never below zero."""
    amounts_fit(state["currency"], values)
    amount = values.get("amount")
    if str(values.get("change_id")) in {c["change_id"] for c in _changes(state)}:
        raise InvalidValueError("change_id", "has already changed this budget line")
    if isinstance(amount, str) and _decimal(amount):
        if Decimal(amount) == 0:
            raise InvalidValueError("amount", "must not be zero")
        if Decimal(state["approved_budget"]) + Decimal(amount) < 0:
            message = "would take the approved budget below zero"
            raise InvalidValueError("amount", message)


def actual_checked(state: State, values: dict[str, Any], meta: Meta) -> None:
    """An actual is for a month begun, fits the currency; a correction has a reason."""
    amounts_fit(state["currency"], values)
    period = values.get("period")
    now = timestamp().strftime("%Y-%m")
    if isinstance(period, str) and MONTH.fullmatch(period) and period > now:
        message = f"must not be after this month ({now}): nothing is spent yet"
        raise InvalidValueError("period", message)
    if period in (state.get("actuals") or {}) and not (
        meta.reason and meta.reason.strip()
    ):
        message = f"is required to correct the actual already recorded for {period}"
        raise InvalidValueError("reason", message)


def forecast_checked(state: State, values: dict[str, Any], meta: Meta) -> None:
    """A forecast fits the currency and is for a month without an actual."""
    amounts_fit(state["currency"], values)
    period = values.get("period")
    if period in (state.get("actuals") or {}):
        message = f"{period} already has an actual; correct the actual instead"
        raise InvalidValueError("period", message)


def _changes(state: State) -> list[dict[str, str]]:
    return list(state.get("budget_changes") or [])


def _total(state: State, amounts: Any) -> str:
    total = sum((Decimal(a) for a in amounts), Decimal(0))
    return normalised(total, state["currency"])


def added(values: dict[str, Any], state: State) -> dict[str, Any]:
    """The first approved budget is also the line's original budget."""
    return dict(values) | {"original_budget": values["approved_budget"]}


def budget_changed(values: dict[str, Any], state: State) -> dict[str, Any]:
    """The approved budget moves by the amount; the change is listed."""
    budget = Decimal(state["approved_budget"]) + Decimal(values["amount"])
    change = {
        "change_id": str(values["change_id"]),
        "amount": values["amount"],
        "note": values["note"],
    }
    return {
        "approved_budget": normalised(budget, state["currency"]),
        "budget_changes": [*_changes(state), change],
    }


def actual_recorded(values: dict[str, Any], state: State) -> dict[str, Any]:
    """The month's actual is set (replacing any earlier one)."""
    actuals = dict(state.get("actuals") or {}) | {values["period"]: values["amount"]}
    return {"actuals": dict(sorted(actuals.items()))}


def forecast_recorded(values: dict[str, Any], state: State) -> dict[str, Any]:
    """The month's forecast is set (replacing any earlier one)."""
    forecasts = dict(state.get("forecasts") or {})
    forecasts[values["period"]] = values["amount"]
    return {"forecasts": dict(sorted(forecasts.items()))}


def closed(values: dict[str, Any], state: State) -> dict[str, Any]:
    """Nothing more is expected: the remaining forecast is dropped."""
    return {"forecasts": {}}


def actual_to_date(state: State) -> str:
    """Everything spent on the line so far."""
    return _total(state, (state.get("actuals") or {}).values())


def forecast_to_complete(state: State) -> str:
    """What the months without an actual are forecast to cost."""
    actuals = state.get("actuals") or {}
    forecasts = state.get("forecasts") or {}
    return _total(state, (v for m, v in forecasts.items() if m not in actuals))


def at_completion(state: State) -> str:
    """Actual to date plus forecast to complete."""
    total = Decimal(actual_to_date(state)) + Decimal(forecast_to_complete(state))
    return normalised(total, state["currency"])


def variance(state: State) -> str:
    """Approved budget minus forecast at completion (negative: overspend)."""
    total = Decimal(state["approved_budget"]) - Decimal(at_completion(state))
    return normalised(total, state["currency"])


BUDGET = RegisterKind(
    name="budgets",
    noun="budget line",
    aggregate="BudgetLine",
    module=__name__,
    description="A line of a project's budget in one currency, with its spend.",
    blueprint_description="Budget lines",
    list_summary="A project's budget lines, filtered, a page at a time.",
    statuses=STATUSES,
    fields=(
        *DESCRIBED,
        money("original_budget"),
        money("approved_budget"),
        Field("budget_changes", "json", nullable=True),
        Field("actuals", "json", nullable=True),
        Field("forecasts", "json", nullable=True),
        choice("status", STATUSES),
    ),
    derived={
        "actual_to_date": actual_to_date,
        "forecast_to_complete": forecast_to_complete,
        "forecast_at_completion": at_completion,
        "variance": variance,
    },
    derived_fields=(
        money("actual_to_date"),
        money("forecast_to_complete"),
        money("forecast_at_completion"),
        money("variance", signed=True),
    ),
    create=Command(
        "add_budget_line",
        "add",
        "Added",
        (*DESCRIBED, money("approved_budget")),
        schema="BudgetLineAddition",
        summary="Add a budget line, with its approved budget, to an open project.",
        action="add a budget line to",
        status="open",
        guard=known_currency,
        effect=added,
    ),
    commands=(
        Command(
            "add_budget_change",
            "change_budget",
            "BudgetChanged",
            (
                replace(reference("change_id", "changes"), refers_statuses=APPROVED),
                money("amount", signed=True),
                optional_text("note"),
            ),
            path="changes",
            schema="BudgetChange",
            summary="Move a line's approved budget as an approved change request says.",
            action="change the budget of",
            allowed=("open",),
            guard=approved_change,
            effect=budget_changed,
        ),
        Command(
            "record_actual",
            "record_actual",
            "ActualRecorded",
            (month("period"), money("amount")),
            path="actuals",
            schema="BudgetActual",
            summary="Record (or correct, with a reason) a month's actual spend.",
            action="record an actual on",
            allowed=("open",),
            guard=actual_checked,
            effect=actual_recorded,
        ),
        Command(
            "record_forecast",
            "record_forecast",
            "ForecastRecorded",
            (month("period"), money("amount")),
            path="forecasts",
            schema="BudgetForecast",
            summary="Record a month's forecast spend (a month without an actual).",
            action="record a forecast on",
            allowed=("open",),
            guard=forecast_checked,
            effect=forecast_recorded,
        ),
        Command(
            "close_budget_line",
            "close",
            "Closed",
            path="close",
            summary="Close a budget line: nothing more is expected on it.",
            action="close",
            allowed=("open",),
            status="closed",
            effect=closed,
            created=False,
            body_required=False,
        ),
        Command(
            "reopen_budget_line",
            "reopen",
            "Reopened",
            path="reopen",
            summary="Reopen a closed budget line (with a reason).",
            action="reopen",
            allowed=("closed",),
            status="open",
            guard=needs_reason("reopen a budget line"),
            created=False,
            body_required=False,
        ),
    ),
    filters={
        "status": ("status", "eq"),
        "category": ("category", "eq"),
        "currency": ("currency", "eq"),
        "owner": ("owner", "eq"),
    },
    list_filters=("status", "category"),
    title="Budget lines",
    ui_columns=(
        "title",
        "category",
        "currency",
        "approved_budget",
        "actual_to_date",
        "forecast_at_completion",
        "variance",
        "owner",
        "status",
    ),
    ui_filters=("status", "category", "currency", "owner"),
    export_columns=(
        "id",
        "title",
        "category",
        "currency",
        "owner",
        "original_budget",
        "approved_budget",
        "actual_to_date",
        "forecast_to_complete",
        "forecast_at_completion",
        "variance",
        "budget_changes",
        "actuals",
        "forecasts",
    ),
    import_steps=(
        ImportStep("record_actual", monthly="actual "),
        ImportStep("record_forecast", monthly="forecast "),
        ImportStep("close_budget_line", statuses=("closed",)),
    ),
)
BudgetLine = entry_class(BUDGET)

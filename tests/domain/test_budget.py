"""Budget line: approved budget moved by approved changes, actuals, forecasts, EAC."""

from __future__ import annotations

from decimal import Decimal
from typing import Any
from uuid import uuid4

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from service.domain.base import InvalidValueError, Meta
from service.domain.budget import BudgetLine
from service.domain.currency import minor_units
from tests.domain.support import (
    OFFICER,
    PROJECT_ID,
    assert_refused,
    assert_same_on_replay,
    event_names,
)

NO_REASON = Meta(actor="olive", role="project-officer")


def line(currency: str = "EUR", budget: str = "100000.00") -> BudgetLine:
    values = {
        "title": "Build team",
        "category": "labour",
        "currency": currency,
        "owner": "Finance BP",
        "approved_budget": budget,
    }
    return BudgetLine.start(PROJECT_ID, values, OFFICER)


def test_add_keeps_the_original_budget_and_starts_with_no_spend() -> None:
    budget = line()
    assert (budget.original_budget, budget.approved_budget) == ("100000.00",) * 2
    assert budget.actual_to_date == "0.00"
    assert budget.forecast_at_completion == "0.00"
    assert budget.variance == "100000.00"
    assert event_names(budget) == ["Added"]


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"currency": "EURO"}, "currency", "ISO 4217"),
        ({"currency": "XYZ"}, "currency", "ISO 4217"),
        ({"currency": "eur"}, "currency", "ISO 4217"),
        ({"approved_budget": "100.005"}, "approved_budget", "at most 2 decimal"),
        ({"approved_budget": 100.5}, "approved_budget", "must be a decimal"),
        ({"approved_budget": "-5"}, "approved_budget", "must be a decimal"),
        ({"approved_budget": "NaN"}, "approved_budget", "must be a decimal"),
        ({"category": "bribes"}, "category", "must be one of labour"),
        ({"title": ""}, "title", "must not be empty"),
    ],
)
def test_add_refuses_bad_values(
    changes: dict[str, Any], field: str, message: str
) -> None:
    values = {
        "title": "t",
        "category": "labour",
        "currency": "EUR",
        "owner": "o",
        "approved_budget": "10",
    }
    with pytest.raises(InvalidValueError) as caught:
        BudgetLine.start(PROJECT_ID, values | changes, OFFICER)
    assert caught.value.field == field
    assert message in caught.value.message


def test_minor_units_follow_the_currency() -> None:
    assert line("JPY", "1500000").approved_budget == "1500000"
    with pytest.raises(InvalidValueError, match="at most 0 decimal places in JPY"):
        line("JPY", "1500000.5")
    assert line("KWD", "12.345").variance == "12.345"


def test_an_approved_change_moves_the_budget_once() -> None:
    budget = line()
    change = str(uuid4())
    budget.change_budget(change, "-2500.50", "descoped reporting", OFFICER)
    assert budget.approved_budget == "97499.50"
    assert budget.original_budget == "100000.00"
    with pytest.raises(InvalidValueError, match="already changed this budget line"):
        budget.change_budget(change, "10", "", OFFICER)
    with pytest.raises(InvalidValueError, match="must not be zero"):
        budget.change_budget(str(uuid4()), "0.00", "", OFFICER)
    with pytest.raises(InvalidValueError, match="below zero"):
        budget.change_budget(str(uuid4()), "-97499.51", "", OFFICER)
    assert [c["amount"] for c in budget.budget_changes] == ["-2500.50"]
    assert_same_on_replay(budget)


def test_actuals_forecasts_and_completion() -> None:
    budget = line(budget="1000.00")
    budget.record_forecast("2026-01", "300", OFFICER)
    budget.record_forecast("2026-02", "400", OFFICER)
    budget.record_forecast("2026-03", "500", OFFICER)
    budget.record_actual("2026-01", "350.25", OFFICER)
    assert budget.actual_to_date == "350.25"
    assert budget.forecast_to_complete == "900.00"
    assert budget.forecast_at_completion == "1250.25"
    assert budget.variance == "-250.25"
    with pytest.raises(InvalidValueError, match="already has an actual"):
        budget.record_forecast("2026-01", "1", OFFICER)
    with pytest.raises(InvalidValueError, match="reason: is required to correct"):
        budget.record_actual("2026-01", "360", NO_REASON)
    budget.record_actual("2026-01", "360", OFFICER)
    assert budget.actual_to_date == "360.00"
    with pytest.raises(InvalidValueError, match="must be a month like 2026-04"):
        budget.record_actual("2026-13", "1", OFFICER)
    with pytest.raises(InvalidValueError, match="must not be after this month"):
        budget.record_actual("2999-01", "1", OFFICER)
    budget.record_forecast("2999-01", "1", OFFICER)  # a forecast may look ahead
    assert_same_on_replay(budget)


def test_closing_drops_the_remaining_forecast_and_reopening_needs_a_reason() -> None:
    budget = line(budget="1000.00")
    budget.record_actual("2026-01", "100", OFFICER)
    budget.record_forecast("2026-02", "400", OFFICER)
    budget.close(NO_REASON)
    assert (budget.status, budget.forecast_at_completion) == ("closed", "100.00")
    assert_refused("closed", budget.record_actual, "2026-02", "1", OFFICER)
    assert_refused("closed", budget.record_forecast, "2026-02", "1", OFFICER)
    assert_refused("closed", budget.change_budget, str(uuid4()), "1", "", OFFICER)
    assert_refused("closed", budget.close, OFFICER)
    with pytest.raises(InvalidValueError, match="reason: is required to reopen"):
        budget.reopen(NO_REASON)
    budget.reopen(OFFICER)
    assert budget.status == "open"
    assert_refused("open", budget.reopen, OFFICER)


def cents(currency: str) -> st.SearchStrategy[Decimal]:
    """Exact amounts with the currency's decimal places, signed."""
    places = minor_units(currency)
    return st.integers(-(10**9), 10**9).map(lambda n: Decimal(n).scaleb(-places))


@settings(max_examples=25, deadline=None)
@given(
    currency=st.sampled_from(["EUR", "JPY", "KWD"]),
    data=st.data(),
)
def test_money_never_loses_a_cent(currency: str, data: st.DataObject) -> None:
    """Thousands of random changes, actuals and forecasts sum exactly."""
    places = minor_units(currency)
    start = Decimal(10**12).scaleb(-places)
    budget = line(currency, str(start))
    expected_budget = start
    actuals: dict[str, Decimal] = {}
    forecasts: dict[str, Decimal] = {}
    steps = data.draw(st.lists(cents(currency), min_size=200, max_size=200))
    for i, amount in enumerate(steps):
        month = f"{1990 + i % 30}-{i % 12 + 1:02d}"
        if i % 3 == 0 and amount != 0:
            budget.change_budget(str(uuid4()), str(amount), "", OFFICER)
            expected_budget += amount
        elif i % 3 == 1:
            budget.record_actual(month, str(abs(amount)), OFFICER)
            actuals[month] = abs(amount)
            forecasts.pop(month, None)
        elif month not in actuals:
            budget.record_forecast(month, str(abs(amount)), OFFICER)
            forecasts[month] = abs(amount)
    actual = sum(actuals.values(), Decimal(0))
    remaining = sum(forecasts.values(), Decimal(0))
    assert Decimal(budget.approved_budget) == expected_budget
    assert Decimal(budget.actual_to_date) == actual
    assert Decimal(budget.forecast_at_completion) == actual + remaining
    assert Decimal(budget.variance) == expected_budget - actual - remaining
    assert Decimal(budget.variance).as_tuple().exponent == -places
    assert_same_on_replay(budget)

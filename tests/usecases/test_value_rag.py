"""The suggested cost and benefits RAG rules, one case per rule."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from usecases.value_rag import (
    Suggestion,
    benefit_rag,
    benefits_rag,
    cost_rag,
    planned_value,
)


def line(budget: str, actual: str, eac: str, currency: str = "EUR") -> dict[str, str]:
    return {
        "currency": currency,
        "approved_budget": budget,
        "actual_to_date": actual,
        "forecast_at_completion": eac,
    }


@pytest.mark.parametrize(
    ("lines", "tolerance", "colour"),
    [
        ([line("1000", "100", "1000")], "10", "green"),
        ([line("1000", "100", "1050")], "10", "amber"),
        ([line("1000", "100", "1100")], "10", "amber"),
        ([line("1000", "100", "1100.01")], "10", "red"),
        ([line("1000", "1200", "1200")], "10", "red"),
        ([line("1000", "100", "1000.01")], None, "red"),
        ([line("1000", "100", "850")], "10", "amber"),
        ([line("1000", "100", "850")], None, "green"),
        ([line("1000", "0", "900"), line("50", "0", "200", "USD")], "10", "red"),
    ],
)
def test_cost_rag(
    lines: list[dict[str, str]], tolerance: str | None, colour: str
) -> None:
    found = cost_rag(lines, tolerance)
    assert found is not None and found.colour == colour
    assert bool(found.reasons) == (colour != "green")


def test_cost_rag_sums_lines_of_a_currency_and_names_the_overrun() -> None:
    found = cost_rag([line("600", "0", "700"), line("400", "0", "400")], "5")
    assert found == Suggestion(
        "red",
        [
            "EUR: forecast at completion 1100 exceeds the budget 1000 by 10.0%, "
            "beyond the 5% tolerance"
        ],
    )
    assert cost_rag([], "5") is None


def benefit(status: str = "realising", **more: Any) -> dict[str, Any]:
    return {
        "title": "Fewer days",
        "kind": "benefit",
        "unit": "days",
        "status": status,
        "baseline_value": "20",
        "target_value": "10",
        "realise_from": "2026-01-01",
        "realise_to": "2026-11-01",
        "measurements": [],
    } | more


def measured(value: str, on: str = "2026-06-01", **more: Any) -> dict[str, Any]:
    return benefit(
        measurements=[{"measured_on": on, "value": value, "source": "s"}], **more
    )


def test_the_plan_is_a_straight_line_within_the_window() -> None:
    b = benefit(realise_to="2026-01-11")
    assert planned_value(b, date(2025, 12, 1)) == 20
    assert planned_value(b, date(2026, 1, 6)) == 15
    assert planned_value(b, date(2027, 1, 1)) == 10


@pytest.mark.parametrize(
    ("entry", "on", "colour"),
    [
        (benefit("realised"), date(2026, 6, 1), "green"),
        (benefit("not-realised"), date(2026, 6, 1), "red"),
        (benefit("identified"), date(2025, 6, 1), "green"),
        (benefit("identified"), date(2026, 6, 1), "amber"),
        (benefit("planned"), date(2025, 6, 1), "green"),
        (benefit("planned"), date(2026, 6, 1), "amber"),
        (benefit("planned"), date(2026, 12, 1), "red"),
        (measured("15.5"), date(2026, 6, 2), "green"),  # planned ~15.1 on 1 June
        (measured("17"), date(2026, 6, 2), "amber"),
        (measured("19"), date(2026, 6, 2), "red"),
        (measured("10", on="2026-11-01"), date(2026, 12, 1), "amber"),
        (measured("15", on="2026-07-01"), date(2026, 6, 2), "amber"),  # not yet taken
        (
            measured("25", kind="dis-benefit", target_value="30"),
            date(2026, 6, 2),
            "green",
        ),
        (
            measured("29", kind="dis-benefit", target_value="30"),
            date(2026, 6, 2),
            "red",
        ),
    ],
)
def test_benefit_rag(entry: dict[str, Any], on: date, colour: str) -> None:
    found = benefit_rag(entry, on)
    assert found is not None and found.colour == colour, found


def test_benefits_rag_is_the_worst_and_ignores_withdrawn() -> None:
    on = date(2026, 6, 2)
    assert benefit_rag(benefit("withdrawn"), on) is None
    assert benefits_rag([benefit("withdrawn")], on) is None
    found = benefits_rag([measured("15.5"), measured("19"), benefit("withdrawn")], on)
    assert found is not None and found.colour == "red"
    assert found.reasons == [
        "Fewer days: 19 days on 2026-06-01 is 39.7% of the planned change behind "
        "plan (15.03 planned)"
    ]

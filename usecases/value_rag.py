"""Suggested RAG for cost and benefits, computed from the registers.

These are suggestions set beside the RAG a project manager reports
(`usecases.suggested` gathers every dimension's; the highlight report flags a
report rosier than its suggestion). Every cost and benefits rule is here.

Cost (budget lines against the project's cost tolerance, per currency; the
project's colour is the worst of its currencies):

- red: forecast at completion exceeds the approved budget by more than the
  tolerance (a percentage of the budget; none set means no overrun is
  tolerated), or the actual spend alone does;
- amber: forecast at completion exceeds the budget within the tolerance, or
  (with a tolerance set) falls short of it by more than the tolerance, which
  says the plan no longer describes the spend;
- green: otherwise. No budget lines: no suggestion.

Benefits (each benefit on a day; the project's colour is the worst of its
benefits; withdrawn benefits are left out; none left: no suggestion):

- The plan is a straight line from the baseline value at the start of the
  realisation window to the target value at its end.
- Progress is how far a value has moved from baseline towards target, as a
  fraction of the whole planned move. The gap is planned progress minus
  measured progress at the latest measurement (for a dis-benefit, measured
  minus planned: more dis-benefit than planned is worse).
- realised: green. not-realised: red.
- identified: amber once its window has started (nobody planned how to
  measure it), else green.
- planned or realising with no measurement: red once its window has ended,
  amber once it has started, else green.
- measured: green when the gap is at most 10 %, amber up to 25 %, red
  beyond; once the window has ended without the benefit being recorded as
  realised, at least amber.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any, Final

ORDER: Final = {"green": 0, "amber": 1, "red": 2}
GREEN_GAP: Final = Decimal("0.10")
AMBER_GAP: Final = Decimal("0.25")


@dataclass(frozen=True)
class Suggestion:
    """A suggested colour and the reasons for it."""

    colour: str
    reasons: list[str] = field(default_factory=list)


def worst(colours: Iterable[str]) -> str:
    """The worst of some colours (green when there are none)."""
    return max(colours, key=ORDER.__getitem__, default="green")


def percent(part: Decimal, whole: Decimal) -> str:
    """A share as a percentage with one decimal place ("12.5%")."""
    if whole == 0:
        return "n/a"
    return f"{(part * 100 / whole).quantize(Decimal('0.1'))}%"


def cost_rag(
    lines: Iterable[Mapping[str, Any]], tolerance: str | None
) -> Suggestion | None:
    """The suggested cost RAG of a project's budget lines (None: no lines)."""
    totals: dict[str, list[Decimal]] = {}
    for line in lines:
        budget, actual, eac = totals.setdefault(line["currency"], [Decimal(0)] * 3)
        totals[line["currency"]] = [
            budget + Decimal(line["approved_budget"]),
            actual + Decimal(line["actual_to_date"]),
            eac + Decimal(line["forecast_at_completion"]),
        ]
    if not totals:
        return None
    allowed = Decimal(tolerance or 0)
    colours, reasons = [], []
    for currency, (budget, actual, eac) in sorted(totals.items()):
        allowance = budget * allowed / 100
        overrun = eac - budget
        if overrun > allowance or actual - budget > allowance:
            colour = "red"
            reasons.append(
                f"{currency}: forecast at completion {eac} exceeds the budget "
                f"{budget} by {percent(max(overrun, actual - budget), budget)}, "
                f"beyond the {allowed}% tolerance"
            )
        elif overrun > 0:
            colour = "amber"
            reasons.append(
                f"{currency}: forecast at completion {eac} exceeds the budget "
                f"{budget} by {percent(overrun, budget)}, within the {allowed}% "
                "tolerance"
            )
        elif tolerance is not None and -overrun > allowance:
            colour = "amber"
            reasons.append(
                f"{currency}: forecast at completion {eac} is "
                f"{percent(-overrun, budget)} under the budget {budget}, beyond "
                f"the {allowed}% tolerance"
            )
        else:
            colour = "green"
        colours.append(colour)
    return Suggestion(worst(colours), reasons)


def planned_value(benefit: Mapping[str, Any], on: date) -> Decimal:
    """The value the plan expects on a day (baseline before, target after)."""
    start, end = _day(benefit["realise_from"]), _day(benefit["realise_to"])
    baseline, target = (
        Decimal(benefit["baseline_value"]),
        Decimal(benefit["target_value"]),
    )
    if on <= start:
        return baseline
    if on >= end:
        return target
    share = Decimal((on - start).days) / Decimal((end - start).days)
    return baseline + (target - baseline) * share


def progress(benefit: Mapping[str, Any], value: Decimal) -> Decimal:
    """How far a value has moved from baseline towards target (1 = all the way)."""
    baseline, target = (
        Decimal(benefit["baseline_value"]),
        Decimal(benefit["target_value"]),
    )
    return (value - baseline) / (target - baseline)


def measured_by(benefit: Mapping[str, Any], on: date) -> list[dict[str, Any]]:
    """The benefit's measurements taken on or before a day."""
    return [
        m for m in benefit.get("measurements") or [] if _day(m["measured_on"]) <= on
    ]


def gap(benefit: Mapping[str, Any], measurement: Mapping[str, Any]) -> Decimal:
    """Planned minus measured progress (for a dis-benefit, the reverse)."""
    planned = progress(
        benefit, planned_value(benefit, _day(measurement["measured_on"]))
    )
    measured = progress(benefit, Decimal(measurement["value"]))
    return (
        measured - planned if benefit["kind"] == "dis-benefit" else planned - measured
    )


def benefit_rag(benefit: Mapping[str, Any], on: date) -> Suggestion | None:
    """The suggested RAG of one benefit on a day (None: withdrawn)."""
    status, title = benefit["status"], benefit["title"]
    start, end = _day(benefit["realise_from"]), _day(benefit["realise_to"])
    if status == "withdrawn":
        return None
    if status == "realised":
        return Suggestion("green")
    if status == "not-realised":
        return Suggestion("red", [f"{title}: recorded as not realised"])
    if status == "identified":
        if on > start:
            return Suggestion(
                "amber", [f"{title}: window started {start}, not planned"]
            )
        return Suggestion("green")
    taken = measured_by(benefit, on)
    if not taken:
        if on > end:
            return Suggestion("red", [f"{title}: window ended {end}, never measured"])
        if on > start:
            return Suggestion(
                "amber", [f"{title}: window started {start}, not measured"]
            )
        return Suggestion("green")
    latest = taken[-1]
    behind = gap(benefit, latest)
    colour = (
        "green" if behind <= GREEN_GAP else "amber" if behind <= AMBER_GAP else "red"
    )
    reasons = []
    if colour != "green":
        planned = planned_value(benefit, _day(latest["measured_on"]))
        reasons.append(
            f"{title}: {latest['value']} {benefit['unit']} "
            f"on {latest['measured_on']} "
            f"is {percent(behind, Decimal(1))} of the planned change behind plan "
            f"({planned.quantize(Decimal('0.01'))} planned)"
        )
    if on > end and colour == "green":
        colour = "amber"
        reasons.append(f"{title}: window ended {end}, realisation not yet recorded")
    return Suggestion(colour, reasons)


def benefits_rag(benefits: Iterable[Mapping[str, Any]], on: date) -> Suggestion | None:
    """The suggested benefits RAG of a project's benefits (None: none to judge)."""
    found = [s for s in (benefit_rag(b, on) for b in benefits) if s is not None]
    if not found:
        return None
    return Suggestion(
        worst(s.colour for s in found), [r for s in found for r in s.reasons]
    )


def _day(value: date | str) -> date:
    return value if isinstance(value, date) else date.fromisoformat(value)

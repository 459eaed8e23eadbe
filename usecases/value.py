"""Benefits and finance read together: figures, the cost tolerance, suggested RAG.

A project's finance summary and benefit figures come from the budget and
benefits registers' temporal read models (as at any moment); the cost
tolerance is the project's own, replayed to that moment. The colours are
worked out by `usecases.value_rag`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from service.application import Written
from service.domain.base import Meta
from service.domain.budget import BUDGET
from service.domain.currency import normalised
from service.domain.project import Project
from usecases.errors import NotAvailableError
from usecases.membership import Reach
from usecases.reads import (
    EntityQuery,
    RegisterQuery,
    as_aware,
    plain,
    read_entity,
    register_rows,
    wait_for_position,
)
from usecases.root import Services
from usecases.value_rag import (
    Suggestion,
    benefit_rag,
    benefits_rag,
    cost_rag,
    measured_by,
    planned_value,
    progress,
)

LINE_KEYS = ("status", *BUDGET.export_columns)
MONEY_TOTALS = (
    "original_budget",
    "approved_budget",
    "actual_to_date",
    "forecast_to_complete",
    "forecast_at_completion",
    "variance",
)


@dataclass(frozen=True)
class SetCostTolerance:
    """A project's cost tolerance: a percentage of its budget."""

    project_id: UUID
    percent: str
    expected_version: int | None = None


@dataclass(frozen=True)
class ValueQuery:
    """A project's figures as at a moment (after a position is read)."""

    project_id: UUID
    as_of: datetime | None = None
    min_position: int | None = None


@dataclass(frozen=True)
class PortfolioQuery:
    """The portfolio's figures as at a moment (after a position is read)."""

    as_of: datetime | None = None
    min_position: int | None = None
    reach: Reach | None = None
    """The projects the caller reaches (None: every project)."""


def set_cost_tolerance(
    services: Services, command: SetCostTolerance, meta: Meta
) -> Written:
    """Record the cost tolerance the project board set."""
    return services.app.change(
        Project,
        command.project_id,
        lambda p: p.set_cost_tolerance(command.percent, meta),
        command.expected_version,
    )


def cost_tolerance(
    services: Services, project_id: UUID, as_of: datetime | None
) -> str | None:
    """The project's cost tolerance (percent) as at a moment, None if unset.

    An unknown project is not found; a project registered after the moment
    had set no tolerance then (its registers may hold backdated entries).
    """
    services.app.load(Project, project_id, read_only=True)
    try:
        state = read_entity(services, EntityQuery(Project, project_id, as_of)).state
    except NotAvailableError:
        return None
    value: str | None = state.get("cost_tolerance")
    return value


def day_of(as_of: datetime | None) -> date:
    """The day a moment falls on (UTC; today without one)."""
    return as_aware(as_of).astimezone(UTC).date() if as_of else datetime.now(UTC).date()


def finance(services: Services, query: ValueQuery) -> dict[str, Any]:
    """A project's budget lines with totals per currency and the cost suggestion."""
    wait_for_position(services, query.min_position)
    tolerance = cost_tolerance(services, query.project_id, query.as_of)
    lines = register_rows(
        services, RegisterQuery("budgets", query.project_id, query.as_of)
    )
    return {
        "project_id": str(query.project_id),
        "as_of": plain(query.as_of),
        "cost_tolerance": tolerance,
        "lines": [{k: plain(line[k]) for k in LINE_KEYS} for line in lines],
        "totals": money_totals(lines),
        "suggested_rag": suggestion(cost_rag(lines, tolerance)),
    }


def money_totals(lines: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Each currency's sums, with its months' actual and forecast spend."""
    by_currency: dict[str, list[Mapping[str, Any]]] = {}
    for line in lines:
        by_currency.setdefault(line["currency"], []).append(line)
    totals = []
    for currency, found in sorted(by_currency.items()):
        total = {
            key: normalised(sum((Decimal(x[key]) for x in found), Decimal(0)), currency)
            for key in MONEY_TOTALS
        }
        months: dict[str, dict[str, Decimal]] = {}
        for line in found:
            actuals = line.get("actuals") or {}
            for month, amount in actuals.items():
                months.setdefault(month, {}).setdefault("actual", Decimal(0))
                months[month]["actual"] += Decimal(amount)
            for month, amount in (line.get("forecasts") or {}).items():
                if month not in actuals:
                    months.setdefault(month, {}).setdefault("forecast", Decimal(0))
                    months[month]["forecast"] += Decimal(amount)
        periods = [
            {
                "month": month,
                "actual": normalised(sums.get("actual", Decimal(0)), currency),
                "forecast": normalised(sums.get("forecast", Decimal(0)), currency),
            }
            for month, sums in sorted(months.items())
        ]
        totals.append({"currency": currency, **total, "periods": periods})
    return totals


def suggestion(found: Suggestion | None) -> dict[str, Any] | None:
    """A suggestion as plain data (None stays None)."""
    return None if found is None else asdict(found)


def benefit_figures(benefit: Mapping[str, Any], on: date) -> dict[str, Any]:
    """One benefit's plan line and measurements, each beside the planned value."""
    taken = measured_by(benefit, on)
    latest = taken[-1] if taken else None
    planned_now = planned_value(benefit, on)
    return {
        "id": str(benefit["id"]),
        "project_id": str(benefit["project_id"]),
        "title": benefit["title"],
        "kind": benefit["kind"],
        "category": benefit["category"],
        "measure": benefit["measure"],
        "unit": benefit["unit"],
        "status": benefit["status"],
        "baseline_value": benefit["baseline_value"],
        "target_value": benefit["target_value"],
        "realise_from": plain(benefit["realise_from"]),
        "realise_to": plain(benefit["realise_to"]),
        "on": on.isoformat(),
        "planned_value": str(planned_now.quantize(Decimal("0.01"))),
        "planned_progress": str(
            progress(benefit, planned_now).quantize(Decimal("0.001"))
        ),
        "measured_value": latest["value"] if latest else None,
        "measured_progress": (
            str(progress(benefit, Decimal(latest["value"])).quantize(Decimal("0.001")))
            if latest
            else None
        ),
        "measurements": [
            {
                **m,
                "planned": str(
                    planned_value(
                        benefit, date.fromisoformat(m["measured_on"])
                    ).quantize(Decimal("0.01"))
                ),
            }
            for m in taken
        ],
        "suggested_rag": suggestion(benefit_rag(benefit, on)),
    }


def project_benefits(services: Services, query: ValueQuery) -> dict[str, Any]:
    """A project's benefits, planned against measured, with the suggested RAG."""
    wait_for_position(services, query.min_position)
    services.app.load(Project, query.project_id, read_only=True)
    on = day_of(query.as_of)
    rows = register_rows(
        services, RegisterQuery("benefits", query.project_id, query.as_of)
    )
    return {
        "project_id": str(query.project_id),
        "as_of": plain(query.as_of),
        "on": on.isoformat(),
        "benefits": [benefit_figures(b, on) for b in rows],
        "suggested_rag": suggestion(benefits_rag(rows, on)),
    }


def portfolio_benefits(services: Services, query: PortfolioQuery) -> dict[str, Any]:
    """Every project's benefits, planned against measured, with totals per unit.

    The totals add up, per unit, the financial benefits' whole planned change
    (target against baseline, whichever way it runs), the share of it planned
    by now and the share measured (a dis-benefit counts against).
    """
    wait_for_position(services, query.min_position)
    on = day_of(query.as_of)
    projects = []
    totals: dict[str, dict[str, Decimal]] = {}
    for project in services.views.list_projects(query.as_of):
        project_id = UUID(str(project["id"]))
        if query.reach is not None and query.reach.role_in(project_id) is None:
            continue
        rows = register_rows(
            services, RegisterQuery("benefits", project_id, query.as_of)
        )
        if not rows:
            continue
        figures = [benefit_figures(b, on) for b in rows]
        for benefit in rows:
            if benefit["category"] != "financial" or benefit["status"] == "withdrawn":
                continue
            sign = -1 if benefit["kind"] == "dis-benefit" else 1
            whole = sign * abs(
                Decimal(benefit["target_value"]) - Decimal(benefit["baseline_value"])
            )
            taken = measured_by(benefit, on)
            unit = totals.setdefault(
                benefit["unit"],
                {"target": Decimal(0), "planned": Decimal(0), "measured": Decimal(0)},
            )
            unit["target"] += whole
            unit["planned"] += whole * progress(benefit, planned_value(benefit, on))
            if taken:
                unit["measured"] += whole * progress(
                    benefit, Decimal(taken[-1]["value"])
                )
        projects.append(
            {
                "project_id": str(project_id),
                "code": project["code"],
                "name": project["name"],
                "benefits": figures,
                "suggested_rag": suggestion(benefits_rag(rows, on)),
            }
        )
    return {
        "as_of": plain(query.as_of),
        "on": on.isoformat(),
        "projects": projects,
        "totals": [
            {
                "unit": unit,
                **{k: str(v.quantize(Decimal("0.01"))) for k, v in sums.items()},
            }
            for unit, sums in sorted(totals.items())
        ],
    }


def suggested_value_rag(
    services: Services, project_id: UUID, as_of: datetime | None
) -> dict[str, Suggestion | None]:
    """The suggested cost and benefits RAG of a project as at a moment."""
    on = day_of(as_of)
    lines = register_rows(services, RegisterQuery("budgets", project_id, as_of))
    benefits = register_rows(services, RegisterQuery("benefits", project_id, as_of))
    tolerance = cost_tolerance(services, project_id, as_of)
    return {"cost": cost_rag(lines, tolerance), "benefits": benefits_rag(benefits, on)}

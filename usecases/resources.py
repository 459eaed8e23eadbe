"""The portfolio's resource picture: demand against capacity per role and month.

Demand is every open demand of every open project; capacity is every active
declaration of the portfolio's capacity register; both as at any moment.
Roles are matched without regard to case or surrounding spaces. A month in
which a role's demand exceeds its capacity is over-allocated.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any, Final
from uuid import UUID

from service.domain.base import InvalidValueError
from service.domain.register import MONTH, PORTFOLIO_ID
from usecases.reads import RegisterQuery, plain, register_rows, wait_for_position
from usecases.root import Services

MAX_MONTHS: Final = 60


@dataclass(frozen=True)
class ResourceQuery:
    """Demand against capacity from one month to another (default: all planned)."""

    first: str | None = None
    last: str | None = None
    as_of: datetime | None = None
    min_position: int | None = None


def months_between(first: str, last: str) -> list[str]:
    """Every month from first to last, both included (YYYY-MM)."""
    year, month = int(first[:4]), int(first[5:])
    found = []
    while f"{year:04d}-{month:02d}" <= last:
        found.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return found


def check_span(first: str | None, last: str | None) -> None:
    """Refuse a malformed month or a span that runs backwards or is too long."""
    for name, value in (("from", first), ("to", last)):
        if value is not None and not MONTH.fullmatch(value):
            raise InvalidValueError(name, "must be a month like 2026-04")
    if first and last:
        if last < first:
            raise InvalidValueError("to", "must not be before from")
        if len(months_between(first, last)) > MAX_MONTHS:
            raise InvalidValueError("to", f"must be at most {MAX_MONTHS} months on")


def resource_picture(services: Services, query: ResourceQuery) -> dict[str, Any]:
    """Per role and month: demand (by project), capacity and over-allocation."""
    check_span(query.first, query.last)
    wait_for_position(services, query.min_position)
    roles: dict[str, dict[str, Any]] = {}

    def role(name: str) -> dict[str, Any]:
        key = " ".join(name.split()).casefold()
        return roles.setdefault(
            key,
            {"role": " ".join(name.split()), "demand": {}, "capacity": {}, "by": {}},
        )

    for project in services.views.list_projects(query.as_of):
        if project["status"] != "open":
            continue
        project_id = UUID(str(project["id"]))
        demands = register_rows(
            services,
            RegisterQuery("demands", project_id, query.as_of, {"status": "open"}),
        )
        for demand in demands:
            found = role(demand["role"])
            for month, fte in (demand.get("months") or {}).items():
                found["demand"][month] = found["demand"].get(
                    month, Decimal(0)
                ) + Decimal(fte)
                by = found["by"].setdefault(month, {})
                by[project["code"]] = str(
                    Decimal(by.get(project["code"], 0)) + Decimal(fte)
                )
    capacity = register_rows(
        services,
        RegisterQuery("capacity", PORTFOLIO_ID, query.as_of, {"status": "active"}),
    )
    for declared in capacity:
        found = role(declared["role"])
        for month, fte in (declared.get("months") or {}).items():
            found["capacity"][month] = found["capacity"].get(
                month, Decimal(0)
            ) + Decimal(fte)
    planned = sorted(
        {m for r in roles.values() for m in (*r["demand"], *r["capacity"])}
    )
    first = query.first or (planned[0] if planned else query.last)
    last = query.last or (planned[-1] if planned else query.first)
    if first and last and last < first:  # one bound given, the plans lie beyond it
        first = last = query.first or query.last
    months = months_between(first, last)[:MAX_MONTHS] if first and last else []
    return {
        "as_of": plain(query.as_of),
        "months": months,
        "roles": [
            {
                "role": r["role"],
                "months": [
                    {
                        "month": m,
                        "demand": str(r["demand"].get(m, Decimal(0))),
                        "capacity": str(r["capacity"].get(m, Decimal(0))),
                        "over_allocated": r["demand"].get(m, Decimal(0))
                        > r["capacity"].get(m, Decimal(0)),
                        "by_project": r["by"].get(m, {}),
                    }
                    for m in months
                ],
            }
            for _, r in sorted(roles.items())
        ],
    }

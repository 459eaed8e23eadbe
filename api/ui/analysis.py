"""Figures the project page draws: counts by cell, band, step and age."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

from api.ui.charts import band
from api.ui.common import age_days, services, when
from projections.views import Kind
from service.domain.change import STEPS
from usecases.reads import RegisterQuery, register_rows

SAMPLES = 12
AGE_BUCKETS = ((0, 7, "under a week"), (7, 30, "1-4 weeks"), (30, 90, "1-3 months"))


def rows(
    kind: Kind,
    project_id: UUID,
    as_of: datetime | None = None,
    **filters: object,
) -> list[dict[str, Any]]:
    """A project's whole register (as at a time), optionally filtered."""
    return register_rows(services(), RegisterQuery(kind, project_id, as_of, filters))


def heat_counts(risks: Iterable[dict[str, Any]], side: str) -> Counter[tuple[int, int]]:
    """Open risks per (probability, impact) cell, inherent or residual."""
    return Counter(
        (r[f"{side}_probability"], r[f"{side}_impact"])
        for r in risks
        if r["status"] == "open"
    )


def sample_times(start: datetime | None, end: datetime) -> list[datetime]:
    """Evenly spaced moments from the project's registration until now."""
    if start is None or start >= end:
        return [end]
    step = (end - start) / (SAMPLES - 1)
    return [start + step * i for i in range(SAMPLES)]


def risk_trend(project_id: UUID, times: list[datetime]) -> dict[str, list[int]]:
    """Open risks by residual score band at each moment (from the temporal table)."""
    trend: dict[str, list[int]] = {"red": [], "amber": [], "green": []}
    for moment in times:
        found = Counter(
            band(r["residual_score"])
            for r in rows("risks", project_id, moment, status="open")
        )
        for name in trend:
            trend[name].append(found[name])
    return trend


def issue_burndown(project_id: UUID, times: list[datetime]) -> dict[str, list[int]]:
    """Issues not yet closed, and issues raised so far, at each moment."""
    series: dict[str, list[int]] = {"open": [], "raised": []}
    for moment in times:
        found = rows("issues", project_id, moment)
        series["open"].append(sum(1 for r in found if r["status"] != "closed"))
        series["raised"].append(len(found))
    return series


def issue_ageing(
    issues: Iterable[dict[str, Any]], now: datetime
) -> list[tuple[str, int, str]]:
    """Unclosed issues by how long ago they were raised."""
    ages = [age_days(r["created_at"], now) for r in issues if r["status"] != "closed"]
    bars = [
        (label, sum(1 for a in ages if low <= a < high), "")
        for low, high, label in AGE_BUCKETS
    ]
    bars.append(("3 months or more", sum(1 for a in ages if a >= 90), ""))
    return bars


def pipeline(changes: Iterable[dict[str, Any]], now: datetime) -> list[dict[str, Any]]:
    """Change requests per step, with the oldest time spent in that step."""
    by_step: dict[str, list[dict[str, Any]]] = {step: [] for step in STEPS}
    for change in changes:
        by_step[change["step"]].append(change)
    return [
        {
            "step": step,
            "count": len(items),
            "oldest_days": max(
                (age_days(c["recorded_at"], now) for c in items), default=0
            ),
            "items": items,
        }
        for step, items in by_step.items()
    ]


def period_bounds(start: str, end: str) -> tuple[datetime, datetime]:
    """A report period's first and last instants (whole days, UTC)."""
    first = datetime.fromisoformat(start).replace(tzinfo=UTC)
    last = datetime.fromisoformat(end).replace(tzinfo=UTC) + timedelta(days=1)
    return first, last


def created_between(
    entries: Iterable[dict[str, Any]], first: datetime, last: datetime
) -> list[dict[str, Any]]:
    """Entries created within [first, last)."""
    return [e for e in entries if first <= (when(e["created_at"]) or first) < last]

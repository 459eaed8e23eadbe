"""Figures the project page draws: counts by cell, band, step and age.

Each figure is a grouped count in the read model (`usecases.reads.register_tally`),
so the page costs the same few queries whether a register holds ten entries or
ten thousand.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from typing import Any
from uuid import UUID

from api.ui.charts import band
from api.ui.common import age_days, services
from projections.views import Kind
from service.domain.change import STEPS
from usecases.reads import RegisterPageQuery, TallyQuery, register_page, register_tally

SAMPLES = 12
AGE_BUCKETS = ((0, 7, "under a week"), (7, 30, "1-4 weeks"), (30, 90, "1-3 months"))
LISTED = 20


def tally(
    kind: Kind,
    project_id: UUID,
    by: tuple[str, ...],
    as_of: datetime | None = None,
    oldest: str | None = None,
    **filters: object,
) -> list[dict[str, Any]]:
    """A register's entries counted per value of `by` (as at a time)."""
    query = TallyQuery(kind, project_id, by, as_of, filters, oldest)
    return register_tally(services(), query)


def heat_counts(project_id: UUID, side: str) -> Counter[tuple[int, int]]:
    """Open risks per (probability, impact) cell, inherent or residual."""
    cell = (f"{side}_probability", f"{side}_impact")
    return Counter(
        {
            (row[cell[0]], row[cell[1]]): row["count"]
            for row in tally("risks", project_id, cell, status="open")
        }
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
        found: Counter[str] = Counter()
        scores = tally("risks", project_id, ("residual_score",), moment, status="open")
        for row in scores:
            found[band(row["residual_score"])] += row["count"]
        for name in trend:
            trend[name].append(found[name])
    return trend


def issue_burndown(project_id: UUID, times: list[datetime]) -> dict[str, list[int]]:
    """Issues not closed at each moment, beside the straight line from the peak to
    none by the last moment (the ideal burndown)."""
    still_open = [
        sum(
            row["count"]
            for row in tally("issues", project_id, ("status",), moment)
            if row["status"] != "closed"
        )
        for moment in times
    ]
    peak = max(range(len(still_open)), key=lambda i: still_open[i], default=0)
    steps = max(len(still_open) - 1 - peak, 1)
    top = still_open[peak] if still_open else 0
    ideal = [
        top if i <= peak else round(top * (1 - (i - peak) / steps))
        for i in range(len(still_open))
    ]
    return {"open": still_open, "ideal": ideal}


def issue_ageing(project_id: UUID, now: datetime) -> list[tuple[str, int, str]]:
    """Unclosed issues by how long ago they were raised."""
    ages = Counter[int]()
    for row in tally("issues", project_id, ("created_at",), not_status="closed"):
        ages[age_days(row["created_at"], now)] += row["count"]
    bars = [
        (label, sum(n for a, n in ages.items() if low <= a < high), "")
        for low, high, label in AGE_BUCKETS
    ]
    bars.append(("3 months or more", sum(n for a, n in ages.items() if a >= 90), ""))
    return bars


def pipeline(project_id: UUID, now: datetime) -> list[dict[str, Any]]:
    """Change requests per step, with the oldest time spent in that step."""
    counted = {
        row["step"]: row
        for row in tally("changes", project_id, ("step",), oldest="recorded_at")
    }
    none = {"count": 0, "oldest": now}
    return [
        {
            "step": step,
            "count": counted.get(step, none)["count"],
            "oldest_days": age_days(counted.get(step, none)["oldest"], now),
        }
        for step in STEPS
    ]


def listed(
    kind: Kind, project_id: UUID, sort: str, **filters: object
) -> tuple[list[dict[str, Any]], int]:
    """The first entries of a register in an order, and how many match in all."""
    query = RegisterPageQuery(kind, project_id, None, filters, sort, None, LISTED)
    found = register_page(services(), query)
    return found.items, found.total

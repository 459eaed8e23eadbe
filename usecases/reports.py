"""The highlight report (PRINCE2): one project and reporting period, as at its end.

A report shows the registers as they stood when the next report was made
(now, for the latest one); "this period" is the time since the report before.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from projections.views import Kind
from usecases.audit import EventsQuery, entity_events
from usecases.errors import NotAvailableError
from usecases.reads import RegisterQuery, register_rows
from usecases.report_contents import OPEN_ISSUES
from usecases.root import Services
from usecases.suggested import Suggestion, SuggestionsQuery, disagrees, suggestions

PENDING = frozenset({"raised", "assessed", "deferred", "info-requested"})
PRIORITY = {"critical": 0, "high": 1, "medium": 2, "low": 3}
KEY_ENTRIES = 5


@dataclass(frozen=True)
class HighlightQuery:
    """A project's highlight report: the one recorded at a position, or the latest."""

    project_id: UUID
    position: str = ""


@dataclass(frozen=True)
class Highlight:
    """Every report made, the one chosen, and the registers as at its period end."""

    made: list[dict[str, Any]]
    report: dict[str, Any] | None = None
    previous_rag: dict[str, str] = field(default_factory=dict)
    since: datetime | None = None
    as_of: datetime | None = None
    changes: dict[str, int] = field(default_factory=dict)
    risks: list[dict[str, Any]] = field(default_factory=list)
    issues: list[dict[str, Any]] = field(default_factory=list)
    suggested: dict[str, Suggestion] = field(default_factory=dict)
    disagreements: list[str] = field(default_factory=list)
    """The dimensions reported rosier than the registers suggest."""


def highlight_report(services: Services, query: HighlightQuery) -> Highlight:
    """The chosen report with the period's change counts, key risks and issues."""
    made = entity_events(
        services, EventsQuery(query.project_id, "Project.StatusReported")
    )
    if not made:
        return Highlight(made)
    index = next(
        (i for i, r in enumerate(made) if str(r["position"]) == query.position),
        len(made) - 1,
    )
    if query.position and str(made[index]["position"]) != query.position:
        raise NotAvailableError(f"no highlight report at position {query.position}")
    since = _when(made[index - 1]["recorded_at"]) if index else None
    as_of = _when(made[index + 1]["recorded_at"]) if index + 1 < len(made) else None
    until = as_of or datetime.now(UTC)

    def rows(kind: Kind) -> list[dict[str, Any]]:
        return register_rows(services, RegisterQuery(kind, query.project_id, as_of))

    changes = rows("changes")
    risks = [r for r in rows("risks") if r["status"] == "open"]
    issues = [r for r in rows("issues") if r["status"] in OPEN_ISSUES]
    raised = [
        c for c in changes if since is None or (_when(c["created_at"]) or until) > since
    ]
    suggested = suggestions(services, SuggestionsQuery(query.project_id, as_of))
    rag = made[index]["data"]["rag"]
    risks.sort(key=lambda r: -r["residual_score"])
    issues.sort(key=lambda i: PRIORITY.get(i["priority"], 9))
    return Highlight(
        made,
        made[index],
        made[index - 1]["data"]["rag"] if index else {},
        since,
        until,
        {
            "raised this period": len(raised),
            "approved": sum(1 for c in changes if c["decision"] == "approve"),
            "rejected": sum(1 for c in changes if c["decision"] == "reject"),
            "pending": sum(1 for c in changes if c["status"] in PENDING),
        },
        risks[:KEY_ENTRIES],
        issues[:KEY_ENTRIES],
        suggested,
        [d for d, s in suggested.items() if disagrees(rag.get(d), s)],
    )


def _when(value: str | datetime | None) -> datetime | None:
    if value is None or isinstance(value, datetime):
        return value
    return datetime.fromisoformat(value)

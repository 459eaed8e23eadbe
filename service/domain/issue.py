"""An issue in a project's issue register: open -> examined -> resolved -> closed.

An open or examined issue can be (re-)examined; only an examined issue can be
resolved. A resolved issue closes without further ado; an open or examined
one may also be closed (a duplicate, withdrawn or overtaken issue), but only
with a reason in the event's meta, so the register explains why it was closed
unresolved. A closed issue accepts nothing further.
"""

from __future__ import annotations

from typing import Final
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from service.domain.base import (
    InvalidValueError,
    Meta,
    TransitionError,
    check_choice,
    check_text,
)

STATUSES: Final = ("open", "examined", "resolved", "closed")
ISSUE_TYPES: Final = ("request-for-change", "off-specification", "problem-concern")
PRIORITIES: Final = ("low", "medium", "high", "critical")
SEVERITIES: Final = ("minor", "significant", "major", "critical")


class Issue(Aggregate):
    """A request for change, off-specification or problem/concern."""

    @event("Raised")
    def __init__(
        self,
        project_id: UUID,
        issue_type: str,
        title: str,
        description: str,
        priority: str,
        severity: str,
        meta: Meta,
    ) -> None:
        self.project_id = project_id
        self.issue_type = issue_type
        self.title = title
        self.description = description
        self.priority = priority
        self.severity = severity
        self.impact_analysis = ""
        self.options = ""
        self.recommendation = ""
        self.resolution = ""
        self.status = "open"

    @classmethod
    def raise_issue(
        cls,
        project_id: UUID,
        issue_type: str,
        title: str,
        description: str,
        priority: str,
        severity: str,
        meta: Meta,
    ) -> Issue:
        """Validate and record a newly raised issue."""
        check_choice("issue_type", issue_type, ISSUE_TYPES)
        check_text("title", title, max_length=200)
        check_text("description", description)
        check_choice("priority", priority, PRIORITIES)
        check_choice("severity", severity, SEVERITIES)
        return cls(project_id, issue_type, title, description, priority, severity, meta)

    def _check_status(self, action: str, allowed: tuple[str, ...]) -> None:
        if self.status not in allowed:
            raise TransitionError("issue", action, self.status)

    def examine(
        self, impact_analysis: str, options: str, recommendation: str, meta: Meta
    ) -> None:
        """Record the impact analysis, options and recommendation."""
        self._check_status("examine", ("open", "examined"))
        check_text("impact_analysis", impact_analysis)
        check_text("options", options)
        check_text("recommendation", recommendation)
        self._examine(impact_analysis, options, recommendation, meta)

    @event("Examined")
    def _examine(
        self, impact_analysis: str, options: str, recommendation: str, meta: Meta
    ) -> None:
        self.impact_analysis = impact_analysis
        self.options = options
        self.recommendation = recommendation
        self.status = "examined"

    def resolve(self, resolution: str, meta: Meta) -> None:
        """Record how an examined issue was resolved."""
        self._check_status("resolve", ("examined",))
        check_text("resolution", resolution)
        self._resolve(resolution, meta)

    @event("Resolved")
    def _resolve(self, resolution: str, meta: Meta) -> None:
        self.resolution = resolution
        self.status = "resolved"

    def close(self, meta: Meta) -> None:
        """Close the issue; an unresolved one only with a reason."""
        self._check_status("close", ("open", "examined", "resolved"))
        if self.status != "resolved" and not (meta.reason and meta.reason.strip()):
            raise InvalidValueError(
                "reason", "is required to close an unresolved issue"
            )
        self._close(meta)

    @event("Closed")
    def _close(self, meta: Meta) -> None:
        self.status = "closed"

"""A change request through change control: capture, examine, decide, implement.

Transitions (status -> command -> status):

- raised / assessed / deferred / info-requested -> assess_impact -> assessed
- assessed -> decide -> approved | rejected | deferred | info-requested
- approved -> implement -> implemented
- implemented / rejected / deferred -> close -> closed

A decision always follows an assessment, so a deferred or info-requested
change is re-assessed before it is decided again. A deferred change may be
closed (deferred indefinitely); an approved one must be implemented first.
"""

from __future__ import annotations

import re
from typing import Final
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from service.domain.base import (
    InvalidValueError,
    Meta,
    TransitionError,
    check_choice,
    check_optional_text,
    check_text,
)

STATUSES: Final = (
    "raised",
    "assessed",
    "approved",
    "rejected",
    "deferred",
    "info-requested",
    "implemented",
    "closed",
)
DECISIONS: Final = ("approve", "reject", "defer", "request-info")
STEPS: Final = ("capture", "examine", "decide", "implement", "done")
_DECIDED_STATUS: Final = {
    "approve": "approved",
    "reject": "rejected",
    "defer": "deferred",
    "request-info": "info-requested",
}
_STEP: Final = {
    "raised": "capture",
    "info-requested": "examine",
    "deferred": "examine",
    "assessed": "decide",
    "approved": "implement",
    "rejected": "done",
    "implemented": "done",
    "closed": "done",
}
_COST = re.compile(r"-?\d{1,12}(\.\d{1,2})?")
MAX_DAYS: Final = 3650


class ChangeRequest(Aggregate):
    """A proposed change to a project's baseline."""

    @event("Raised")
    def __init__(
        self,
        project_id: UUID,
        title: str,
        description: str,
        justification: str,
        related_issue_id: str | None,
        meta: Meta,
    ) -> None:
        self.project_id = project_id
        self.title = title
        self.description = description
        self.justification = justification
        self.related_issue_id = related_issue_id
        self.impact: dict[str, str | int] | None = None
        self.decision: str | None = None
        self.authority = ""
        self.rationale = ""
        self.implementation_notes = ""
        self.status = "raised"

    @classmethod
    def raise_request(
        cls,
        project_id: UUID,
        title: str,
        description: str,
        justification: str,
        related_issue_id: str | None,
        meta: Meta,
    ) -> ChangeRequest:
        """Validate and record a newly raised change request."""
        check_text("title", title, max_length=200)
        check_text("description", description)
        check_text("justification", justification)
        if related_issue_id is not None:
            check_text("related_issue_id", related_issue_id, max_length=100)
        return cls(
            project_id, title, description, justification, related_issue_id, meta
        )

    @property
    def step(self) -> str:
        """Where the request stands in the change-control pipeline."""
        return _STEP[self.status]

    def _check_status(self, action: str, allowed: tuple[str, ...]) -> None:
        if self.status not in allowed:
            raise TransitionError("change request", action, self.status)

    def assess_impact(
        self,
        cost_impact: str,
        time_impact_days: int,
        scope_impact: str,
        quality_impact: str,
        risk_impact: str,
        benefits_impact: str,
        meta: Meta,
    ) -> None:
        """Record the change's impact; cost is a decimal string, time in days."""
        self._check_status(
            "assess", ("raised", "assessed", "deferred", "info-requested")
        )
        if not isinstance(cost_impact, str) or not _COST.fullmatch(cost_impact):
            raise InvalidValueError("cost_impact", "must be a decimal like -1500.50")
        if (
            isinstance(time_impact_days, bool)
            or not isinstance(time_impact_days, int)
            or abs(time_impact_days) > MAX_DAYS
        ):
            raise InvalidValueError(
                "time_impact_days", f"must be an integer from -{MAX_DAYS} to {MAX_DAYS}"
            )
        for field, text in (
            ("scope_impact", scope_impact),
            ("quality_impact", quality_impact),
            ("risk_impact", risk_impact),
            ("benefits_impact", benefits_impact),
        ):
            check_optional_text(field, text)
        self._assess_impact(
            cost_impact,
            time_impact_days,
            scope_impact,
            quality_impact,
            risk_impact,
            benefits_impact,
            meta,
        )

    @event("ImpactAssessed")
    def _assess_impact(
        self,
        cost_impact: str,
        time_impact_days: int,
        scope_impact: str,
        quality_impact: str,
        risk_impact: str,
        benefits_impact: str,
        meta: Meta,
    ) -> None:
        self.impact = {
            "cost_impact": cost_impact,
            "time_impact_days": time_impact_days,
            "scope_impact": scope_impact,
            "quality_impact": quality_impact,
            "risk_impact": risk_impact,
            "benefits_impact": benefits_impact,
        }
        self.status = "assessed"

    def decide(self, decision: str, authority: str, rationale: str, meta: Meta) -> None:
        """Record the change authority's decision on an assessed request."""
        self._check_status("decide", ("assessed",))
        check_choice("decision", decision, DECISIONS)
        check_text("authority", authority, max_length=200)
        check_text("rationale", rationale)
        self._decide(decision, authority, rationale, meta)

    @event("Decided")
    def _decide(
        self, decision: str, authority: str, rationale: str, meta: Meta
    ) -> None:
        self.decision = decision
        self.authority = authority
        self.rationale = rationale
        self.status = _DECIDED_STATUS[decision]

    def implement(self, notes: str, meta: Meta) -> None:
        """Record that an approved change has been implemented."""
        self._check_status("implement", ("approved",))
        check_optional_text("notes", notes)
        self._implement(notes, meta)

    @event("Implemented")
    def _implement(self, notes: str, meta: Meta) -> None:
        self.implementation_notes = notes
        self.status = "implemented"

    def close(self, meta: Meta) -> None:
        """Close an implemented, rejected or deferred request."""
        self._check_status("close", ("implemented", "rejected", "deferred"))
        self._close(meta)

    @event("Closed")
    def _close(self, meta: Meta) -> None:
        self.status = "closed"

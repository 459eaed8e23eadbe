"""A risk in a project's risk register: cause, event and effect, scored 1-25.

The probability and impact given when a risk is identified are its inherent
values; until an assessment says otherwise the residual values equal them.
Only an open risk can be assessed, responded to or closed; only a closed one
can be reopened.
"""

from __future__ import annotations

from typing import Final
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from service.domain.base import (
    Meta,
    TransitionError,
    check_choice,
    check_scale,
    check_text,
)

STATUSES: Final = ("open", "closed")
CATEGORIES: Final = (
    "schedule",
    "cost",
    "quality",
    "scope",
    "legal",
    "commercial",
    "technical",
    "resource",
    "safety",
    "other",
)
KINDS: Final = ("threat", "opportunity")
PROXIMITIES: Final = ("imminent", "within-stage", "within-project", "beyond-project")
RESPONSES: Final = {
    "threat": ("avoid", "reduce", "prepare", "transfer", "share", "accept"),
    "opportunity": ("exploit", "enhance", "share", "reject"),
}


class Risk(Aggregate):
    """A threat or opportunity with one owner."""

    @event("Identified")
    def __init__(
        self,
        project_id: UUID,
        title: str,
        cause: str,
        event: str,
        effect: str,
        category: str,
        kind: str,
        owner: str,
        proximity: str,
        probability: int,
        impact: int,
        meta: Meta,
    ) -> None:
        self.project_id = project_id
        self.title = title
        self.cause = cause
        self.event = event
        self.effect = effect
        self.category = category
        self.kind = kind
        self.owner = owner
        self.proximity = proximity
        self.inherent_probability = probability
        self.inherent_impact = impact
        self.residual_probability = probability
        self.residual_impact = impact
        self.response: str | None = None
        self.actions = ""
        self.actionee = ""
        self.status = "open"

    @classmethod
    def identify(
        cls,
        project_id: UUID,
        title: str,
        cause: str,
        event: str,
        effect: str,
        category: str,
        kind: str,
        owner: str,
        proximity: str,
        probability: int,
        impact: int,
        meta: Meta,
    ) -> Risk:
        """Validate and record a newly identified risk."""
        check_text("title", title, max_length=200)
        check_text("cause", cause)
        check_text("event", event)
        check_text("effect", effect)
        check_choice("category", category, CATEGORIES)
        check_choice("kind", kind, KINDS)
        check_text("owner", owner, max_length=200)
        check_choice("proximity", proximity, PROXIMITIES)
        check_scale("probability", probability)
        check_scale("impact", impact)
        return cls(
            project_id,
            title,
            cause,
            event,
            effect,
            category,
            kind,
            owner,
            proximity,
            probability,
            impact,
            meta,
        )

    @property
    def inherent_score(self) -> int:
        """Probability times impact before any response."""
        return self.inherent_probability * self.inherent_impact

    @property
    def residual_score(self) -> int:
        """Probability times impact after the planned response."""
        return self.residual_probability * self.residual_impact

    def check_open(self, action: str) -> None:
        """Refuse the action unless the risk is open."""
        if self.status != "open":
            raise TransitionError("risk", action, self.status)

    def assess(
        self,
        inherent_probability: int,
        inherent_impact: int,
        residual_probability: int,
        residual_impact: int,
        meta: Meta,
    ) -> None:
        """Record inherent and residual probability and impact (1-5 each)."""
        self.check_open("assess")
        check_scale("inherent_probability", inherent_probability)
        check_scale("inherent_impact", inherent_impact)
        check_scale("residual_probability", residual_probability)
        check_scale("residual_impact", residual_impact)
        self._assess(
            inherent_probability,
            inherent_impact,
            residual_probability,
            residual_impact,
            meta,
        )

    @event("Assessed")
    def _assess(
        self,
        inherent_probability: int,
        inherent_impact: int,
        residual_probability: int,
        residual_impact: int,
        meta: Meta,
    ) -> None:
        self.inherent_probability = inherent_probability
        self.inherent_impact = inherent_impact
        self.residual_probability = residual_probability
        self.residual_impact = residual_impact

    def plan_response(
        self, response: str, actions: str, actionee: str, meta: Meta
    ) -> None:
        """Record the response category, its actions and who carries them out."""
        self.check_open("plan a response to")
        check_choice("response", response, RESPONSES[self.kind])
        check_text("actions", actions)
        check_text("actionee", actionee, max_length=200)
        self._plan_response(response, actions, actionee, meta)

    @event("ResponsePlanned")
    def _plan_response(
        self, response: str, actions: str, actionee: str, meta: Meta
    ) -> None:
        self.response = response
        self.actions = actions
        self.actionee = actionee

    def close(self, meta: Meta) -> None:
        """Close the risk."""
        self.check_open("close")
        self._close(meta)

    @event("Closed")
    def _close(self, meta: Meta) -> None:
        self.status = "closed"

    def reopen(self, meta: Meta) -> None:
        """Reopen a closed risk."""
        if self.status != "closed":
            raise TransitionError("risk", "reopen", self.status)
        self._reopen(meta)

    @event("Reopened")
    def _reopen(self, meta: Meta) -> None:
        self.status = "open"

"""A decision-log entry: recorded once, never edited, only superseded."""

from __future__ import annotations

from datetime import date
from typing import Final
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from service.domain.base import (
    InvalidValueError,
    Meta,
    TransitionError,
    check_date,
    check_text,
)

STATUSES: Final = ("approved", "superseded")


def check_text_list(field: str, values: list[str], *, max_length: int = 1_000) -> None:
    """Refuse a value that is not a list of non-empty texts."""
    if not isinstance(values, list):
        raise InvalidValueError(field, "must be a list of texts")
    for i, value in enumerate(values):
        check_text(f"{field}[{i}]", value, max_length=max_length)


class Decision(Aggregate):
    """A decision with its context, options considered and rationale."""

    @event("Recorded")
    def __init__(
        self,
        project_id: UUID,
        title: str,
        context: str,
        options: list[str],
        outcome: str,
        rationale: str,
        decided_by: str,
        decided_on: date,
        related_ids: list[str],
        meta: Meta,
    ) -> None:
        self.project_id = project_id
        self.title = title
        self.context = context
        self.options = list(options)
        self.outcome = outcome
        self.rationale = rationale
        self.decided_by = decided_by
        self.decided_on = decided_on
        self.related_ids = list(related_ids)
        self.superseded_by: str | None = None
        self.status = "approved"

    @classmethod
    def record(
        cls,
        project_id: UUID,
        title: str,
        context: str,
        options: list[str],
        outcome: str,
        rationale: str,
        decided_by: str,
        decided_on: date,
        related_ids: list[str],
        meta: Meta,
    ) -> Decision:
        """Validate and record a decision."""
        check_text("title", title, max_length=200)
        check_text("context", context)
        check_text_list("options", options)
        check_text("outcome", outcome)
        check_text("rationale", rationale)
        check_text("decided_by", decided_by, max_length=200)
        check_date("decided_on", decided_on)
        check_text_list("related_ids", related_ids, max_length=100)
        return cls(
            project_id,
            title,
            context,
            list(options),
            outcome,
            rationale,
            decided_by,
            decided_on,
            list(related_ids),
            meta,
        )

    def supersede(self, superseded_by: str, meta: Meta) -> None:
        """Mark this decision as replaced by another decision."""
        if self.status != "approved":
            raise TransitionError("decision", "supersede", self.status)
        check_text("superseded_by", superseded_by, max_length=100)
        if superseded_by == str(self.id):
            raise InvalidValueError(
                "superseded_by", "a decision cannot supersede itself"
            )
        self._supersede(superseded_by, meta)

    @event("Superseded")
    def _supersede(self, superseded_by: str, meta: Meta) -> None:
        self.superseded_by = superseded_by
        self.status = "superseded"

"""The decision log: every decision and when it was superseded."""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, Column, Date, String, Text

from projections.register import RegisterModel, events_of
from service.domain.decision import Decision

STATUS = {"Recorded": "approved", "Superseded": "superseded"}


class DecisionLog(RegisterModel):
    """Decisions with their context, options and rationale."""

    name = "decisions"
    created = "Recorded"
    event_classes = events_of(Decision, "Recorded", "Superseded")
    filters = {"status": ("status", "eq"), "decided_by": ("decided_by", "eq")}
    sorts = ("created_at", "recorded_at", "title", "decided_on")

    def columns(self) -> list[Column[Any]]:
        """Columns named as Decision's attributes."""
        return [
            *(Column(n, Text, nullable=False) for n in ("title", "context")),
            *(Column(n, Text, nullable=False) for n in ("outcome", "rationale")),
            Column("options", JSON, nullable=False),
            Column("related_ids", JSON, nullable=False),
            Column("decided_by", String(200), nullable=False, index=True),
            Column("decided_on", Date, nullable=False),
            Column("superseded_by", String(100)),
        ]

    def changes(
        self, event: str, fields: dict[str, Any], before: dict[str, Any]
    ) -> dict[str, Any]:
        """Recorded starts approved; Superseded names the newer decision."""
        if event == "Recorded":
            fields["superseded_by"] = None
        return {**fields, "status": STATUS[event]}

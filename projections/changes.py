"""The change log: every version of every change request, with its pipeline step."""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, Column, String, Text

from projections.register import RegisterModel, events_of
from service.domain.change import _DECIDED_STATUS, _STEP, ChangeRequest

STATUS = {
    "Raised": "raised",
    "ImpactAssessed": "assessed",
    "Implemented": "implemented",
    "Closed": "closed",
}


class ChangeLog(RegisterModel):
    """Change requests through capture, examine, decide and implement."""

    name = "changes"
    created = "Raised"
    event_classes = events_of(
        ChangeRequest, "Raised", "ImpactAssessed", "Decided", "Implemented", "Closed"
    )
    filters = {
        "status": ("status", "eq"),
        "step": ("step", "eq"),
        "decision": ("decision", "eq"),
        "authority": ("authority", "eq"),
    }
    sorts = ("created_at", "recorded_at", "title")

    def columns(self) -> list[Column[Any]]:
        """Columns named as ChangeRequest's attributes, plus its step."""
        text = (
            "title",
            "description",
            "justification",
            "authority",
            "rationale",
            "implementation_notes",
        )
        return [
            *(Column(n, Text, nullable=False) for n in text),
            Column("related_issue_id", String(100)),
            Column("impact", JSON),
            Column("decision", String(32), index=True),
            Column("step", String(32), nullable=False, index=True),
        ]

    def changes(
        self, event: str, fields: dict[str, Any], before: dict[str, Any]
    ) -> dict[str, Any]:
        """Map each event onto the columns the aggregate changes."""
        if event == "Raised":
            fields.update(
                impact=None,
                decision=None,
                authority="",
                rationale="",
                implementation_notes="",
            )
        elif event == "ImpactAssessed":
            fields = {"impact": fields}
        elif event == "Implemented":
            fields = {"implementation_notes": fields["notes"]}
        status = (
            _DECIDED_STATUS[fields["decision"]] if event == "Decided" else STATUS[event]
        )
        return {**fields, "status": status, "step": _STEP[status]}

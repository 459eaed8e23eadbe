"""The issue register: every version of every issue."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Column, String, Text

from projections.register import RegisterModel, events_of
from service.domain.issue import Issue

STATUS = {
    "Raised": "open",
    "Examined": "examined",
    "Resolved": "resolved",
    "Closed": "closed",
}


class IssueRegister(RegisterModel):
    """Requests for change, off-specifications and problems/concerns."""

    name = "issues"
    created = "Raised"
    event_classes = events_of(Issue, "Raised", "Examined", "Resolved", "Closed")
    filters = {
        "status": ("status", "eq"),
        "issue_type": ("issue_type", "eq"),
        "type": ("issue_type", "eq"),
        "priority": ("priority", "eq"),
        "severity": ("severity", "eq"),
    }
    sorts = ("created_at", "recorded_at", "title")

    def columns(self) -> list[Column[Any]]:
        """Columns named as Issue's attributes."""
        text = (
            "title",
            "description",
            "impact_analysis",
            "options",
            "recommendation",
            "resolution",
        )
        short = ("issue_type", "priority", "severity")
        return [
            *(Column(n, Text, nullable=False) for n in text),
            *(Column(n, String(32), nullable=False, index=True) for n in short),
        ]

    def changes(
        self, event: str, fields: dict[str, Any], before: dict[str, Any]
    ) -> dict[str, Any]:
        """Raised starts with empty analysis; every event sets the status."""
        if event == "Raised":
            empty = ("impact_analysis", "options", "recommendation", "resolution")
            fields.update(dict.fromkeys(empty, ""))
        return {**fields, "status": STATUS[event]}

"""The risk register: every version of every risk, scored."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Column, Integer, String, Text

from projections.register import RegisterModel, events_of
from service.domain.risk import Risk

STATUS = {"Identified": "open", "Closed": "closed", "Reopened": "open"}


class RiskRegister(RegisterModel):
    """Risks with inherent and residual probability, impact and score."""

    name = "risks"
    created = "Identified"
    event_classes = events_of(
        Risk, "Identified", "Assessed", "ResponsePlanned", "Closed", "Reopened"
    )
    filters = {
        "status": ("status", "eq"),
        "owner": ("owner", "eq"),
        "category": ("category", "eq"),
        "kind": ("kind", "eq"),
        "proximity": ("proximity", "eq"),
        "response": ("response", "eq"),
        "min_score": ("residual_score", "min"),
        "min_residual_score": ("residual_score", "min"),
        "min_inherent_score": ("inherent_score", "min"),
    }
    sorts = ("created_at", "recorded_at", "title", "inherent_score", "residual_score")

    def columns(self) -> list[Column[Any]]:
        """Columns named as Risk's attributes, plus both scores."""
        text = ("title", "cause", "event", "effect", "actions", "actionee")
        short = ("category", "kind", "owner", "proximity")
        ratings = (
            "inherent_probability",
            "inherent_impact",
            "residual_probability",
            "residual_impact",
            "inherent_score",
            "residual_score",
        )
        return [
            *(Column(n, Text, nullable=False) for n in text),
            *(Column(n, String(200), nullable=False, index=True) for n in short),
            Column("response", String(32)),
            *(Column(n, Integer, nullable=False) for n in ratings),
        ]

    def changes(
        self, event: str, fields: dict[str, Any], before: dict[str, Any]
    ) -> dict[str, Any]:
        """Identified rates inherent = residual; every rating recomputes scores."""
        if event == "Identified":
            probability = fields.pop("probability")
            impact = fields.pop("impact")
            fields.update(
                inherent_probability=probability,
                inherent_impact=impact,
                residual_probability=probability,
                residual_impact=impact,
                response=None,
                actions="",
                actionee="",
            )
        if event in STATUS:
            fields["status"] = STATUS[event]
        rated = {**before, **fields}
        if "inherent_probability" in fields:
            fields["inherent_score"] = (
                rated["inherent_probability"] * rated["inherent_impact"]
            )
            fields["residual_score"] = (
                rated["residual_probability"] * rated["residual_impact"]
            )
        return fields

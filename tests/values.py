"""Values the tests give to commands again and again, written once."""

from __future__ import annotations

from typing import Any

RISK: dict[str, Any] = {
    "title": "r",
    "cause": "c",
    "event": "e",
    "effect": "f",
    "category": "cost",
    "kind": "threat",
    "owner": "o",
    "proximity": "imminent",
    "probability": 3,
    "impact": 3,
}
"""A valid risk identification: short texts, a cost threat rated 3 by 3."""


def risk_values(**changes: Any) -> dict[str, Any]:
    """A valid risk identification with the given values changed."""
    return RISK | changes

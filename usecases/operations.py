"""The running system: is the store answering, and how far behind are the views."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from usecases.root import Services


@dataclass(frozen=True)
class Readiness:
    """The store's head position and each read model's lag and state."""

    position: int
    read_models: list[dict[str, Any]]


def read_model_status(services: Services) -> list[dict[str, Any]]:
    """Each read model: generation, position, head, lag, state and last error."""
    return services.views.status()


def readiness(services: Services) -> Readiness:
    """Whether the store answers (errors propagate), with every read model's lag."""
    position = services.app.head_position()
    lag = [
        {"name": row["name"], "lag": row["lag"], "state": row["state"]}
        for row in read_model_status(services)
    ]
    return Readiness(position, lag)

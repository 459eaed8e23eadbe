"""The running system: is the store answering, and how far behind are the views."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from service.config import Settings
from service.errors import StoreUnavailableError
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
    """Whether the store answers and can be written, with every read model's lag."""
    cause = unwritable(services.settings)
    if cause is not None:
        raise StoreUnavailableError(cause)
    position = services.app.head_position()
    lag = [
        {"name": row["name"], "lag": row["lag"], "state": row["state"]}
        for row in read_model_status(services)
    ]
    return Readiness(position, lag)


def unwritable(settings: Settings) -> str | None:
    """Why the data directory or its SQLite files cannot be written (None: they can)."""
    data_dir = settings.data_dir
    try:
        data_dir.mkdir(parents=True, exist_ok=True)
        probe = data_dir / f".writable.{os.getpid()}"
        os.close(os.open(probe, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600))
        probe.unlink()
    except OSError as error:
        return f"the data directory {data_dir} is not writable: {error.strerror}"
    if settings.backend != "sqlite":
        return None
    for path in (settings.sqlite_path, settings.sqlite_path.with_name("views.db")):
        if cause := _unwritable_file(path):
            return cause
    return None


def _unwritable_file(path: Path) -> str | None:
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_APPEND))
    except FileNotFoundError:
        return None
    except OSError as error:
        return f"the store file {path} is not writable: {error.strerror}"
    return None

"""The retention schedule as events: read it as at a moment, propose, record."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from service.application import Written
from service.domain.base import Meta
from service.retention import (
    Recorded,
    load_schedule_file,
    schedule_diff,
    schedule_to_data,
)
from usecases.root import Services

SYSTEM = Meta("system", "pmo-head", "the initial retention schedule (configured file)")


@dataclass(frozen=True)
class ScheduleQuery:
    """The schedule in force at a moment (None: now)."""

    as_of: datetime | None = None


@dataclass(frozen=True)
class Proposal:
    """A schedule file compared with the schedule in force."""

    classes: dict[str, dict[str, Any]]
    changes: list[str]
    current_version: int


@dataclass(frozen=True)
class ApplySchedule:
    """Record a proposed schedule; retroactive names the classes that reach back."""

    classes: dict[str, dict[str, Any]]
    retroactive: tuple[str, ...] = ()


def schedule(services: Services, query: ScheduleQuery) -> dict[str, Any]:
    """The version in force at the moment: its classes, number, who, when and why."""
    history = services.app.retention_history()
    found = history.current if query.as_of is None else history.as_of(query.as_of)
    return describe(found) | {"versions": len(history.versions)}


def retention_classes(services: Services) -> list[str]:
    """The names of the classes in the schedule in force now, sorted."""
    return sorted(services.app.retention_history().current.schedule.classes)


def schedule_versions(services: Services) -> list[dict[str, Any]]:
    """Every recorded version, oldest first."""
    return [describe(v) for v in services.app.retention_history().versions]


def describe(version: Recorded) -> dict[str, Any]:
    """A version for people and clients (periods also in words)."""
    classes = schedule_to_data(version.schedule)
    for name, values in classes.items():
        values["period_text"] = str(version.schedule.classes[name].period)
    return {
        "version": version.number,
        "recorded": version.number > 0,
        "recorded_at": version.recorded_at,
        "actor": version.actor,
        "reason": version.reason,
        "retroactive": sorted(version.retroactive),
        "classes": classes,
    }


def propose(services: Services, path: Path) -> Proposal:
    """Read a schedule file and list how it differs from the schedule in force."""
    proposed = load_schedule_file(path)
    current = services.app.retention_history().current
    return Proposal(
        schedule_to_data(proposed),
        schedule_diff(current.schedule, proposed),
        current.number,
    )


def apply_schedule(services: Services, command: ApplySchedule, meta: Meta) -> Written:
    """Record the proposed schedule as the next version."""
    return services.app.change_retention_schedule(
        command.classes, list(command.retroactive), meta
    )


def record_initial_schedule(services: Services) -> Written | None:
    """On a store with no recorded schedule, record the configured file's."""
    return services.app.record_initial_schedule(SYSTEM)

"""The retention schedule as events: every version of it, who made it and why.

One aggregate per store (its id is fixed). A version holds every class as
plain values (trigger, period, action, description, mandate) and names the
classes whose change applies to documents triggered before it (retroactive);
service.retention turns the versions into disposal dates.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final
from uuid import UUID, uuid5

from eventsourcing.domain import Aggregate, event

from service.domain.base import (
    InvalidValueError,
    Meta,
    check_text,
    require_role,
)

SCHEDULE_ROLES: Final = ("pmo-head", "custodian")
_NAMESPACE: Final = UUID("6f0b8c1e-3d0a-5b7e-9a41-2c55d0f1e8a3")
SCHEDULE_ID: Final = uuid5(_NAMESPACE, "retention-schedule")


@dataclass(frozen=True)
class ScheduleVersion:
    """One recorded version of the schedule."""

    number: int
    recorded_at: datetime | None
    classes: dict[str, dict[str, Any]]
    retroactive: tuple[str, ...]
    actor: str
    reason: str | None


class RetentionSchedule(Aggregate):
    """Every version of the retention schedule; a change is never an edit."""

    @staticmethod
    def create_id() -> UUID:
        """The one schedule of a store always has this id."""
        return SCHEDULE_ID

    @event("Recorded")
    def __init__(
        self,
        classes: dict[str, dict[str, Any]],
        meta: Meta,
        timestamp: datetime | None = None,
    ) -> None:
        self.versions: list[ScheduleVersion] = []
        self._append(classes, [], meta, timestamp)

    @classmethod
    def record(
        cls, classes: dict[str, dict[str, Any]], meta: Meta
    ) -> RetentionSchedule:
        """Record the first schedule (checked by service.retention beforehand)."""
        require_role(meta, "record the retention schedule", SCHEDULE_ROLES)
        if not classes:
            raise InvalidValueError("classes", "a schedule needs at least one class")
        return cls(classes, meta)

    @property
    def current(self) -> ScheduleVersion:
        """The version in force now."""
        return self.versions[-1]

    def change(
        self,
        classes: dict[str, dict[str, Any]],
        retroactive: list[str],
        meta: Meta,
    ) -> None:
        """Record a new version; retroactive names changed classes only."""
        require_role(meta, "change the retention schedule", SCHEDULE_ROLES)
        check_text("reason", meta.reason or "", max_length=2000)
        if not classes:
            raise InvalidValueError("classes", "a schedule needs at least one class")
        old = self.current.classes
        changed = {n for n, c in classes.items() if old.get(n) != c}
        if not changed and set(classes) == set(old):
            raise InvalidValueError("classes", "the schedule is unchanged")
        stray = sorted(set(retroactive) - changed)
        if stray:
            raise InvalidValueError(
                "retroactive",
                f"only a class this change adds or alters can apply to past "
                f"documents, not {', '.join(stray)}",
            )
        self._change(classes, sorted(set(retroactive)), meta)

    @event("Changed")
    def _change(
        self,
        classes: dict[str, dict[str, Any]],
        retroactive: list[str],
        meta: Meta,
        timestamp: datetime | None = None,
    ) -> None:
        self._append(classes, retroactive, meta, timestamp)

    def _append(
        self,
        classes: dict[str, dict[str, Any]],
        retroactive: list[str],
        meta: Meta,
        timestamp: datetime | None,
    ) -> None:
        self.versions.append(
            ScheduleVersion(
                len(self.versions) + 1,
                timestamp,
                dict(classes),
                tuple(retroactive),
                meta.actor,
                meta.reason,
            )
        )

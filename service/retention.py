"""The retention schedule, its recorded versions, and the disposal dates they give.

Each class names a trigger (the latest approval of a version, registration, or
the project's closure), a period after it and the action due then (destroy,
review or transfer). A document's disposal date is the trigger's date plus
the period; it is None while the trigger has not happened.

The schedule is recorded in the store (service.domain.retention); a TOML file
(the packaged default, or PMO_LEDGER_RETENTION_FILE) is the initial version
and the way to propose a change. A document follows its class as it stood
when its trigger occurred, unless a later change to that class said it
applies to past documents (retroactive).
"""

from __future__ import annotations

import calendar
import functools
import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any, Final

from service.config import ConfigError
from service.domain.base import InvalidValueError
from service.domain.document import Document
from service.domain.project import Project
from service.domain.retention import ScheduleVersion

TRIGGERS: Final = ("approval", "registration", "project-close")
ACTIONS: Final = ("destroy", "review", "transfer")
RETENTION_FILE_VARIABLE: Final = "PMO_LEDGER_RETENTION_FILE"
DEFAULT_FILE: Final = Path(__file__).with_name("retention.toml")
_PERIOD_UNITS: Final = ("years", "months", "days")


@dataclass(frozen=True)
class Period:
    """A calendar period: whole years, months and days."""

    years: int = 0
    months: int = 0
    days: int = 0

    def after(self, start: date) -> date:
        """The date this period after start (29 Feb + 1 year is 28 Feb)."""
        index = start.month - 1 + self.months + 12 * self.years
        year, month = start.year + index // 12, index % 12 + 1
        day = min(start.day, calendar.monthrange(year, month)[1])
        return date(year, month, day) + timedelta(days=self.days)

    def __str__(self) -> str:
        amounts = [(getattr(self, unit), unit) for unit in _PERIOD_UNITS]
        parts = [f"{n} {unit if n != 1 else unit[:-1]}" for n, unit in amounts if n]
        return ", ".join(parts) or "0 days"


@dataclass(frozen=True)
class RetentionClass:
    """One class of the schedule: how long after which trigger, then what."""

    name: str
    trigger: str
    period: Period
    action: str
    description: str = ""
    mandate: str = ""


@dataclass(frozen=True)
class Schedule:
    """Every retention class, by name."""

    classes: Mapping[str, RetentionClass]

    def get(self, name: str) -> RetentionClass:
        """The named class; an unknown name is refused as a retention_class value."""
        try:
            return self.classes[name]
        except KeyError:
            known = ", ".join(sorted(self.classes))
            raise InvalidValueError(
                "retention_class", f"unknown retention class; one of {known}"
            ) from None


@dataclass(frozen=True)
class DisposalDate:
    """What the schedule says about one document, for display."""

    retention_class: str
    action: str
    trigger: str
    period: str
    triggered_on: date | None
    due_on: date | None
    retention_until: date | None
    disposable_from: date | None
    holds: int
    schedule_version: int = 0
    schedule_recorded_at: datetime | None = None
    retroactive: bool = False


@dataclass(frozen=True)
class Recorded:
    """A version of the schedule: number 0 is the file, not yet recorded."""

    number: int
    recorded_at: datetime | None
    schedule: Schedule
    retroactive: frozenset[str]
    actor: str | None
    reason: str | None


@dataclass(frozen=True)
class Applied:
    """The class definition a document follows, from which version, and since when."""

    version: Recorded
    retention: RetentionClass
    triggered_at: datetime | None
    retroactive: bool


@dataclass(frozen=True)
class ScheduleHistory:
    """Every version of the schedule, oldest first (never empty)."""

    versions: tuple[Recorded, ...]

    @classmethod
    def from_versions(cls, versions: list[ScheduleVersion]) -> ScheduleHistory:
        """From the aggregate's recorded versions."""
        return cls(
            tuple(
                Recorded(
                    v.number,
                    v.recorded_at,
                    schedule_from_data(v.classes, f"schedule version {v.number}"),
                    frozenset(v.retroactive),
                    v.actor,
                    v.reason,
                )
                for v in versions
            )
        )

    @classmethod
    def unrecorded(cls, schedule: Schedule) -> ScheduleHistory:
        """A store with no recorded schedule follows the configured file."""
        return cls((Recorded(0, None, schedule, frozenset(), None, None),))

    @property
    def current(self) -> Recorded:
        """The version in force now."""
        return self.versions[-1]

    def as_of(self, moment: datetime) -> Recorded:
        """The version in force at a moment (the first one before it was recorded)."""
        found = self.versions[0]
        for version in self.versions:
            if version.recorded_at is None or version.recorded_at <= moment:
                found = version
        return found

    def applied(self, document: Document, project: Project | None) -> Applied:
        """The definition of the document's class that governs it.

        The class as it stood when its trigger (by that definition) occurred
        (the first version stands for all time before it), unless a later
        version changed the class retroactively: then the latest such one.
        """
        name = document.retention_class
        defining = [v for v in self.versions if name in v.schedule.classes]
        if not defining:
            self.current.schedule.get(name)  # raises: an unknown class
        chosen: Applied | None = None
        for i, version in enumerate(defining):
            retention = version.schedule.classes[name]
            moment = trigger_moment(document, project, retention.trigger)
            later = defining[i + 1].recorded_at if i + 1 < len(defining) else None
            starts = None if i == 0 else version.recorded_at
            in_force = moment is not None and (
                (starts is None or moment >= starts)
                and (later is None or moment < later)
            )
            if in_force:
                chosen = Applied(version, retention, moment, False)
            elif name in version.retroactive and (
                chosen is not None or moment is not None
            ):
                chosen = Applied(version, retention, moment, True)
        if chosen is None:
            # Not yet triggered under any version: the current one says what waits.
            latest = defining[-1]
            retention = latest.schedule.classes[name]
            moment = trigger_moment(document, project, retention.trigger)
            chosen = Applied(latest, retention, moment, False)
        return chosen


def schedule_path(environ: Mapping[str, str] | None = None) -> Path:
    """PMO_LEDGER_RETENTION_FILE if set, else the schedule packaged with us."""
    env = os.environ if environ is None else environ
    configured = env.get(RETENTION_FILE_VARIABLE)
    return Path(configured) if configured else DEFAULT_FILE


@functools.cache
def load_schedule(path: Path) -> Schedule:
    """Read and check a schedule file (once per path and process)."""
    return load_schedule_file(path)


def load_schedule_file(path: Path) -> Schedule:
    """Read and check a schedule file as it is now."""
    try:
        with Path(path).open("rb") as file:
            data = tomllib.load(file)
    except (OSError, tomllib.TOMLDecodeError) as error:
        raise ConfigError(f"retention schedule {path}: {error}") from None
    return parse_schedule(data, str(path))


def parse_schedule(data: Mapping[str, Any], source: str) -> Schedule:
    """Build a schedule from parsed TOML, naming the first bad entry."""
    tables = data.get("classes")
    if not isinstance(tables, Mapping) or not tables:
        raise ConfigError(f"{source}: needs at least one [classes.NAME] table")
    classes = {}
    for name, table in tables.items():
        where = f"{source}: class {name!r}"
        if not isinstance(table, Mapping):
            raise ConfigError(f"{where} must be a table")
        unknown = set(table) - {"trigger", "period", "action", "description", "mandate"}
        if unknown:
            raise ConfigError(f"{where}: unknown keys {', '.join(sorted(unknown))}")
        trigger, action = table.get("trigger"), table.get("action")
        if trigger not in TRIGGERS:
            raise ConfigError(f"{where}: trigger must be one of {', '.join(TRIGGERS)}")
        if action not in ACTIONS:
            raise ConfigError(f"{where}: action must be one of {', '.join(ACTIONS)}")
        classes[name] = RetentionClass(
            name,
            trigger,
            _period(table.get("period"), where),
            action,
            str(table.get("description", "")),
            str(table.get("mandate", "")),
        )
    return Schedule(classes)


def _period(value: object, where: str) -> Period:
    if not isinstance(value, Mapping) or not value or set(value) - set(_PERIOD_UNITS):
        raise ConfigError(f"{where}: period must be a table of years, months, days")
    for unit, amount in value.items():
        if isinstance(amount, bool) or not isinstance(amount, int) or amount < 0:
            raise ConfigError(f"{where}: period {unit} must be a whole number >= 0")
    return Period(**value)


def current_schedule() -> Schedule:
    """The schedule this process uses (the configured file, loaded once)."""
    return load_schedule(schedule_path())


def trigger_moment(
    document: Document, project: Project | None, trigger: str
) -> datetime | None:
    """When the trigger happened for this document, or None if it has not."""
    if trigger == "registration":
        return document.created_on
    if trigger == "approval":
        approvals = [v.approved_at for v in document.versions if v.approved_at]
        return max(approvals) if approvals else None
    # A closed project refuses every command but reopen, so its last change
    # is the closure itself. The office's own documents (no project) never close.
    if project is None:
        return None
    return project.modified_on if project.status == "closed" else None


def due_date(
    document: Document, project: Project | None, history: ScheduleHistory
) -> date | None:
    """When the document's retention class makes it due for disposal, if known."""
    return disposal_date(document, project, history).due_on


def disposal_date(
    document: Document, project: Project | None, history: ScheduleHistory
) -> DisposalDate:
    """The class, trigger, due date and earliest disposal date of a document."""
    applied = history.applied(document, project)
    retention = applied.retention
    start = None if applied.triggered_at is None else applied.triggered_at.date()
    due_on = retention.period.after(start) if start else None
    until = document.retention_until
    disposable = None if due_on is None else max(due_on, until or due_on)
    return DisposalDate(
        retention.name,
        retention.action,
        retention.trigger,
        str(retention.period),
        start,
        due_on,
        until,
        disposable,
        len(document.holds),
        applied.version.number,
        applied.version.recorded_at,
        applied.retroactive,
    )


def schedule_to_data(schedule: Schedule) -> dict[str, dict[str, Any]]:
    """The schedule as the plain values an event carries (and TOML holds)."""
    return {
        name: {
            "trigger": c.trigger,
            "period": {u: getattr(c.period, u) for u in _PERIOD_UNITS},
            "action": c.action,
            "description": c.description,
            "mandate": c.mandate,
        }
        for name, c in sorted(schedule.classes.items())
    }


def schedule_from_data(data: Mapping[str, Any], source: str) -> Schedule:
    """A schedule from an event's plain values (checked like a file)."""
    return parse_schedule({"classes": data}, source)


def schedule_diff(old: Schedule, new: Schedule) -> list[str]:
    """What a proposed schedule changes: one line per added, removed or altered."""
    before, after = schedule_to_data(old), schedule_to_data(new)
    lines = []
    for name in sorted(set(before) | set(after)):
        if name not in before:
            lines.append(f"+ {name}: {_describe(new.classes[name])}")
        elif name not in after:
            lines.append(f"- {name}: {_describe(old.classes[name])}")
        else:
            for key in ("trigger", "period", "action", "description", "mandate"):
                was = getattr(old.classes[name], key)
                now = getattr(new.classes[name], key)
                if was != now:
                    lines.append(f"~ {name}: {key} {str(was)!r} -> {str(now)!r}")
    return lines


def _describe(retention: RetentionClass) -> str:
    return f"{retention.action} {retention.period} after {retention.trigger}"

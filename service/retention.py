"""Retention classes read from one TOML file, and the disposal dates they give.

Each class names a trigger (the latest approval of a version, registration, or
the project's closure), a period after it and the action due then (destroy,
review or transfer). A document's disposal date is the trigger's date plus
the period; it is None while the trigger has not happened.
"""

from __future__ import annotations

import calendar
import functools
import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any, Final

from service.config import ConfigError
from service.domain.base import InvalidValueError
from service.domain.document import Document
from service.domain.project import Project

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


def schedule_path(environ: Mapping[str, str] | None = None) -> Path:
    """PMO_LEDGER_RETENTION_FILE if set, else the schedule packaged with us."""
    env = os.environ if environ is None else environ
    configured = env.get(RETENTION_FILE_VARIABLE)
    return Path(configured) if configured else DEFAULT_FILE


@functools.cache
def load_schedule(path: Path) -> Schedule:
    """Read and check a schedule file (once per path and process)."""
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


def triggered_on(document: Document, project: Project, trigger: str) -> date | None:
    """The date the trigger happened for this document, or None if it has not."""
    if trigger == "registration":
        return document.created_on.date()
    if trigger == "approval":
        approvals = [v.approved_at for v in document.versions if v.approved_at]
        return max(approvals).date() if approvals else None
    # A closed project refuses every command but reopen, so its last change
    # is the closure itself.
    return project.modified_on.date() if project.status == "closed" else None


def due_date(document: Document, project: Project, schedule: Schedule) -> date | None:
    """When the document's retention class makes it due for disposal, if known."""
    retention = schedule.get(document.retention_class)
    start = triggered_on(document, project, retention.trigger)
    return retention.period.after(start) if start else None


def disposal_date(
    document: Document, project: Project, schedule: Schedule
) -> DisposalDate:
    """The class, trigger, due date and earliest disposal date of a document."""
    retention = schedule.get(document.retention_class)
    start = triggered_on(document, project, retention.trigger)
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
    )

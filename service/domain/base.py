"""What every event carries and the errors every aggregate shares."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Final

ROLES: Final = ("pmo-head", "project-officer", "custodian", "contributor", "auditor")
SYSTEM_ACTORS: Final = frozenset({"system", "cli", "webhooks"})
"""Actors that are the service itself (bootstrap, the CLI, the webhook deliverer),
not people's accounts: never sealed, never erased."""


@dataclass(frozen=True)
class Meta:
    """Who recorded an event, in which role, why, and under which request."""

    actor: str
    role: str
    reason: str | None = None
    request_id: str | None = None


class DomainError(Exception):
    """A command that the domain refuses."""


class InvalidValueError(DomainError, ValueError):
    """A command carried a value outside its allowed range or set."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


class TransitionError(DomainError):
    """A command is not allowed in the aggregate's current state."""

    def __init__(self, entity: str, action: str, state: str) -> None:
        article = "an" if entity[:1].lower() in "aeiou" else "a"
        super().__init__(f"cannot {action} {article} {entity} that is {state}")
        self.entity = entity
        self.action = action
        self.state = state


def check_choice(field: str, value: str, allowed: tuple[str, ...]) -> None:
    """Refuse a value that is not one of the allowed choices."""
    if value not in allowed:
        raise InvalidValueError(field, f"must be one of {', '.join(allowed)}")


def check_scale(field: str, value: int, low: int = 1, high: int = 5) -> None:
    """Refuse a rating outside low..high."""
    if (
        isinstance(value, bool)
        or not isinstance(value, int)
        or not low <= value <= high
    ):
        raise InvalidValueError(field, f"must be an integer from {low} to {high}")


def check_text(field: str, value: str, *, max_length: int = 10_000) -> None:
    """Refuse empty or overlong required text."""
    if not isinstance(value, str) or not value.strip():
        raise InvalidValueError(field, "must not be empty")
    if len(value) > max_length:
        raise InvalidValueError(field, f"must be at most {max_length} characters")


def check_optional_text(field: str, value: str, *, max_length: int = 10_000) -> None:
    """Refuse a non-string or overlong optional text (empty is allowed)."""
    if not isinstance(value, str):
        raise InvalidValueError(field, "must be text")
    if len(value) > max_length:
        raise InvalidValueError(field, f"must be at most {max_length} characters")


def check_date(field: str, value: date) -> None:
    """Refuse anything but a calendar date (a datetime is not a date here)."""
    if not isinstance(value, date) or isinstance(value, datetime):
        raise InvalidValueError(field, "must be a date")


def utc_day(moment: datetime) -> date:
    """The calendar day a moment falls on in UTC."""
    return moment.astimezone(UTC).date()


def check_sha256(field: str, value: str) -> None:
    """Refuse anything but 64 lowercase hexadecimal digits."""
    if not isinstance(value, str) or not re.fullmatch(r"[0-9a-f]{64}", value):
        raise InvalidValueError(field, "must be 64 lowercase hexadecimal digits")


class RoleRequiredError(DomainError):
    """A command that only some roles may give."""

    def __init__(self, action: str, roles: tuple[str, ...]) -> None:
        super().__init__(f"only {' or '.join(roles)} may {action}")
        self.action = action
        self.roles = roles


def require_role(meta: Meta, action: str, roles: tuple[str, ...]) -> None:
    """Refuse a command given in a role other than the allowed ones."""
    if meta.role not in roles:
        raise RoleRequiredError(action, roles)

"""A webhook subscription: where to deliver, which events, and whether to.

The signing secret is never in an event: the events carry a random salt, and
the secret is derived from it with a key kept outside the database
(feed/keys.py), so the audit trail and evidence packs cannot leak it.
"""

from __future__ import annotations

import re
from typing import Final
from urllib.parse import urlsplit

from eventsourcing.domain import Aggregate, event

from service.domain.base import InvalidValueError, Meta, TransitionError, check_text

STATUSES: Final = ("active", "paused")
EVENT_TYPE = re.compile(r"^[A-Za-z]+(\.[A-Za-z]+)?$")
MAX_FILTERS = 100


class Subscription(Aggregate):
    """A target URL that is sent every matching event, in log order."""

    @event("Created")
    def __init__(
        self,
        name: str,
        url: str,
        event_types: list[str],
        project_ids: list[str],
        secret_salt: str,
        meta: Meta,
    ) -> None:
        self.name = name
        self.url = url
        self.event_types = event_types
        self.project_ids = project_ids
        self.secret_salt = secret_salt
        self.status = "active"
        self.replays = 0

    @classmethod
    def create(
        cls,
        name: str,
        url: str,
        event_types: list[str],
        project_ids: list[str],
        secret_salt: str,
        meta: Meta,
    ) -> Subscription:
        """Validate and create a subscription (active at once)."""
        check_text("name", name, max_length=200)
        check_url(url)
        check_event_types(event_types)
        if len(project_ids) > MAX_FILTERS:
            raise InvalidValueError("project_ids", f"at most {MAX_FILTERS}")
        return cls(name, url, event_types, project_ids, secret_salt, meta)

    def pause(self, meta: Meta) -> None:
        """Stop delivering; the cursor stays where it is."""
        if self.status != "active":
            raise TransitionError("subscription", "pause", self.status)
        self._pause(meta)

    @event("Paused")
    def _pause(self, meta: Meta) -> None:
        self.status = "paused"

    def resume(self, meta: Meta) -> None:
        """Deliver again, from the event after the last one delivered."""
        if self.status != "paused":
            raise TransitionError("subscription", "resume", self.status)
        self._resume(meta)

    @event("Resumed")
    def _resume(self, meta: Meta) -> None:
        self.status = "active"

    def replay(self, from_position: int, meta: Meta) -> None:
        """Deliver again every matching event from a position on."""
        if from_position < 1:
            raise InvalidValueError("from_position", "must be 1 or more")
        self._replay(from_position, meta)

    @event("ReplayRequested")
    def _replay(self, from_position: int, meta: Meta) -> None:
        self.replays += 1


def check_url(url: str) -> None:
    """An absolute http(s) URL with a host and no credentials in it."""
    check_text("url", url, max_length=2000)
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InvalidValueError("url", "must be an absolute http or https URL")
    if parts.username or parts.password:
        raise InvalidValueError("url", "must not carry a user name or password")
    if parts.fragment:
        raise InvalidValueError("url", "must not carry a fragment")


def check_event_types(event_types: list[str]) -> None:
    """Names such as `Risk` (every risk event) or `Risk.Assessed`."""
    if len(event_types) > MAX_FILTERS:
        raise InvalidValueError("event_types", f"at most {MAX_FILTERS}")
    for name in event_types:
        if not EVENT_TYPE.fullmatch(name):
            raise InvalidValueError(
                "event_types", f"{name!r} is not like Risk or Risk.Assessed"
            )

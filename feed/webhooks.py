"""Webhook delivery: each subscription follows the log from its durable cursor.

One thread per subscription sends its matching events in log order, one at a
time; a 2xx answer moves the cursor to that event in the same transaction that
records the delivery, so a crash at any point sends an event again (same
`webhook-id`) rather than losing it. A failure is retried with exponential
backoff and jitter; a subscription failing for longer than the configured time
is paused by an event, and resumes from its cursor.
"""

from __future__ import annotations

import json
import logging
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from sqlalchemy import Engine, insert, select, update

from feed import catalog
from feed.config import FeedSettings
from feed.events import EventReader, FeedEvent
from feed.keys import derive_secret
from feed.signing import headers
from feed.tables import deliveries, subscriptions
from feed.targets import TargetRefusedError, post
from projections.catalog import now
from projections.runner import exclusive
from service.durability import durable

log = logging.getLogger(__name__)

IDLE_POLL_SECONDS = 0.2
LOCK_NAME = "feed-webhooks"

Pause = Callable[[UUID, str], None]
"""Records that a subscription is paused (an event), giving the reason."""


@dataclass(frozen=True)
class Cursor:
    """A subscription's delivery state as one attempt reads it."""

    subscription_id: UUID
    url: str
    event_types: list[str]
    project_ids: list[str]
    secret_salt: str
    status: str
    position: int
    epoch: int
    attempts: int
    next_attempt_at: datetime | None
    failing_since: datetime | None

    @classmethod
    def of(cls, row: Any) -> Cursor:
        """From a feed_subscriptions row."""
        return cls(
            row.subscription_id,
            row.url,
            json.loads(row.event_types),
            json.loads(row.project_ids),
            row.secret_salt,
            row.status,
            row.position,
            row.epoch,
            row.attempts,
            row.next_attempt_at,
            row.failing_since,
        )

    def webhook_id(self, position: int) -> str:
        """The message id: the same for every attempt, new after a replay."""
        return f"msg_{self.subscription_id.hex}_{self.epoch}_{position}"


def backoff(attempts: int, base: float, cap: float) -> float:
    """Seconds before the next attempt: doubling, capped, with jitter.

    "Equal jitter": half the doubled delay is kept, the other half is random,
    so retries spread out but never come back at once.
    """
    delay = min(cap, base * 2 ** max(attempts - 1, 0))
    return delay / 2 + random.uniform(0, delay / 2)


class Deliverer:
    """Sends one subscription's events; one instance per subscription thread."""

    def __init__(
        self,
        engine: Engine,
        reader: EventReader,
        settings: FeedSettings,
        key: bytes,
        pause: Pause,
        subscription_id: UUID,
    ) -> None:
        self.engine = engine
        self.reader = reader
        self.settings = settings
        self.key = key
        self.pause = pause
        self.subscription_id = subscription_id

    def load(self) -> Cursor | None:
        """The subscription's current delivery state."""
        with self.engine.connect() as conn:
            row = conn.execute(
                select(subscriptions).where(
                    subscriptions.c.subscription_id == self.subscription_id
                )
            ).one_or_none()
        return Cursor.of(row) if row is not None else None

    def step(self) -> bool:
        """Deliver what is due; whether more is waiting right now."""
        # Only as far as the subscriptions' own events were applied: an event
        # after a Paused one is never sent before the pause is known. Read
        # before the state: a pause applied in between is then in the state
        # loaded next, or beyond what may be read (read after, a pause applied
        # in between was sent, the Paused event itself included).
        known = self._known()
        state = self.load()
        if state is None or state.status != "active":
            return False
        if state.next_attempt_at is not None and state.next_attempt_at > now():
            return False
        events, reached = self.reader.read(
            state.position, self.settings.batch_size, known
        )
        for event in events:
            if not event.matches(state.event_types, state.project_ids):
                continue
            if not self._deliver(state, event):
                return False  # failed, or a replay moved the cursor: read it again
            state = replace(state, position=event.position, attempts=0)
        if reached > state.position:
            self._advance(state, reached)
        return len(events) == self.settings.batch_size

    def _known(self) -> int:
        return catalog.peek(self.engine, catalog.NAME)

    def _deliver(self, state: Cursor, event: FeedEvent) -> bool:
        """One attempt; records it (and moves the cursor on success)."""
        message_id = state.webhook_id(event.position)
        body = event.body(self.settings.public_url)
        secret = derive_secret(self.key, state.subscription_id, state.secret_salt)
        sent = headers(secret, message_id, int(time.time()), body)
        status: int | None = None
        error: str | None = None
        try:
            status = post(
                state.url,
                body,
                sent,
                self.settings.allowed_networks,
                self.settings.timeout,
            )
            if not 200 <= status < 300:
                error = f"the target answered {status}"
        except (OSError, TargetRefusedError) as failure:
            error = f"{type(failure).__name__}: {failure}"[:2000]
        if error is None:
            return self._succeeded(state, event.position, message_id, status)
        self._failed(state, event.position, message_id, status, error)
        return False

    def _record(
        self,
        conn: Any,
        state: Cursor,
        position: int,
        message_id: str,
        status: int | None,
        error: str | None,
    ) -> None:
        conn.execute(
            insert(deliveries).values(
                subscription_id=state.subscription_id,
                position=position,
                webhook_id=message_id,
                attempt=state.attempts + 1,
                ok=error is None,
                status_code=status,
                error=error,
                at=now(),
            )
        )

    def _still(self, state: Cursor) -> Any:
        row = subscriptions.c
        return (
            (row.subscription_id == state.subscription_id)
            & (row.position == state.position)
            & (row.epoch == state.epoch)
        )

    def _succeeded(
        self, state: Cursor, position: int, message_id: str, status: int | None
    ) -> bool:
        with durable(self.engine) as conn:
            moved = conn.execute(
                update(subscriptions)
                .where(self._still(state))
                .values(
                    position=position,
                    attempts=0,
                    delivered=subscriptions.c.delivered + 1,
                    next_attempt_at=None,
                    failing_since=None,
                    last_attempt_at=now(),
                    updated_at=now(),
                )
            ).rowcount
            if moved:
                self._record(conn, state, position, message_id, status, None)
        return bool(moved)

    def _failed(
        self,
        state: Cursor,
        position: int,
        message_id: str,
        status: int | None,
        error: str,
    ) -> None:
        at = now()
        since = state.failing_since or at
        delay = backoff(
            state.attempts + 1, self.settings.retry_base, self.settings.retry_max
        )
        with durable(self.engine) as conn:
            changed = conn.execute(
                update(subscriptions)
                .where(self._still(state))
                .values(
                    attempts=subscriptions.c.attempts + 1,
                    failures=subscriptions.c.failures + 1,
                    last_error=error,
                    last_attempt_at=at,
                    next_attempt_at=at + timedelta(seconds=delay),
                    failing_since=since,
                    updated_at=at,
                )
            ).rowcount
            if changed:
                self._record(conn, state, position, message_id, status, error)
        if changed and (at - since).total_seconds() >= self.settings.pause_after:
            self.pause(
                state.subscription_id,
                f"failing since {since.isoformat()}: {error}"[:1000],
            )

    def _advance(self, state: Cursor, position: int) -> None:
        """Move past events that did not match (no delivery to record)."""
        with durable(self.engine) as conn:
            conn.execute(
                update(subscriptions)
                .where(self._still(state))
                .values(position=position, updated_at=now())
            )


class WebhookWorker:
    """Follows every subscription, each in its own thread, under one lock."""

    def __init__(
        self,
        engine: Engine,
        reader: EventReader,
        sync: Callable[[], int],
        settings: FeedSettings,
        key: bytes,
        pause: Pause,
    ) -> None:
        self.engine = engine
        self.reader = reader
        self.sync = sync
        self.settings = settings
        self.key = key
        self.pause = pause
        self.stop_event = threading.Event()
        self.holding = threading.Event()
        self.wakes: dict[UUID, threading.Event] = {}
        self.threads: list[threading.Thread] = []
        self.error: str | None = None
        self._sync_lock = threading.Lock()

    def start(self) -> WebhookWorker:
        """Start the supervising thread; returns self."""
        thread = threading.Thread(target=self._loop, name="webhooks", daemon=True)
        self.threads.append(thread)
        thread.start()
        return self

    def wake(self) -> None:
        """New events were committed: every subscription looks now."""
        for wake in list(self.wakes.values()):
            wake.set()

    def stop(self, timeout: float = 10.0) -> None:
        """Stop after the current attempts and wait for the threads."""
        self.stop_event.set()
        self.wake()
        for thread in list(self.threads):
            thread.join(timeout)

    def sync_now(self) -> int:
        """Apply subscription events (one sync at a time in this process)."""
        with self._sync_lock:
            return self.sync()

    def _loop(self) -> None:
        while not self.stop_event.is_set():
            try:
                with exclusive(self.engine, LOCK_NAME, self.stop_event) as granted:
                    if granted:
                        self.holding.set()
                        self._supervise()
            except Exception as error:  # the database may be restarting
                log.warning("webhooks paused: %r", error)
                self.error = repr(error)
                self.stop_event.wait(1.0)
            finally:
                self.holding.clear()

    def _supervise(self) -> None:
        while not self.stop_event.is_set():
            self.sync_now()
            with self.engine.connect() as conn:
                ids = conn.execute(select(subscriptions.c.subscription_id)).scalars()
                for subscription_id in ids:
                    if subscription_id not in self.wakes:
                        self._spawn(subscription_id)
            self.error = None
            self.stop_event.wait(IDLE_POLL_SECONDS)

    def _spawn(self, subscription_id: UUID) -> None:
        wake = threading.Event()
        self.wakes[subscription_id] = wake
        deliverer = Deliverer(
            self.engine,
            self.reader,
            self.settings,
            self.key,
            self._pause_and_sync,
            subscription_id,
        )
        thread = threading.Thread(
            target=self._follow,
            args=(deliverer, wake),
            name=f"webhook-{subscription_id}",
            daemon=True,
        )
        self.threads.append(thread)
        thread.start()

    def _pause_and_sync(self, subscription_id: UUID, reason: str) -> None:
        self.pause(subscription_id, reason)
        self.sync_now()

    def _follow(self, deliverer: Deliverer, wake: threading.Event) -> None:
        while not self.stop_event.is_set():
            if not self.holding.is_set():
                self.stop_event.wait(IDLE_POLL_SECONDS)
                continue
            try:
                more = deliverer.step()
            except Exception as error:  # the database may be restarting
                log.warning("webhook %s paused: %r", deliverer.subscription_id, error)
                self.error = repr(error)
                self.stop_event.wait(1.0)
                continue
            if not more:
                wake.wait(IDLE_POLL_SECONDS)
                wake.clear()

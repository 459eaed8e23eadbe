"""Delivery state follows the subscriptions' own events, in log order.

A subscription's row is made when its Created event is read (its cursor at
that event, so it hears what happens after it), and its Paused, Resumed and
ReplayRequested events change the row in the transaction that moves this
follower's cursor: a replay asked for is never lost, nor applied twice.
"""

from __future__ import annotations

import json
from typing import Any

from eventsourcing.persistence import ApplicationRecorder, Mapper
from eventsourcing.utils import get_topic
from sqlalchemy import Connection, Engine, insert, select, update

from feed.subscription import Subscription
from feed.tables import cursors, subscriptions
from projections.catalog import now
from service.durability import durable

NAME = "subscriptions"
EVENTS = (
    Subscription.Created,
    Subscription.Paused,  # type: ignore[attr-defined]
    Subscription.Resumed,  # type: ignore[attr-defined]
    Subscription.ReplayRequested,  # type: ignore[attr-defined]
)
TOPICS = [get_topic(cls) for cls in EVENTS]


def cursor(conn: Connection, name: str) -> int:
    """Lock a follower's row and read its position (a row at 0 if missing)."""
    # A write first: SQLite takes its lock, PostgreSQL locks the row.
    conn.execute(
        update(cursors)
        .where(cursors.c.name == name)
        .values(position=cursors.c.position)
    )
    found = conn.execute(
        select(cursors.c.position).where(cursors.c.name == name)
    ).scalar()
    if found is None:
        conn.execute(insert(cursors).values(name=name, position=0, updated_at=now()))
        return 0
    return int(found)


def peek(engine: Engine, name: str) -> int:
    """A follower's position, read without a lock (0 if it has no row yet)."""
    with engine.connect() as conn:
        found = conn.execute(
            select(cursors.c.position).where(cursors.c.name == name)
        ).scalar()
    return int(found or 0)


def move(conn: Connection, name: str, position: int) -> None:
    """Set a follower's position."""
    conn.execute(
        update(cursors)
        .where(cursors.c.name == name)
        .values(position=position, updated_at=now())
    )


def sync(engine: Engine, recorder: ApplicationRecorder, mapper: Mapper[Any]) -> int:
    """Apply every subscription event not yet applied; return how many."""
    head = recorder.max_notification_id() or 0
    if head <= peek(engine, NAME):
        return 0  # nothing new: no write transaction (this runs several times a second)
    with durable(engine) as conn:
        start = cursor(conn, NAME)
        head = recorder.max_notification_id() or 0
        if head <= start:
            return 0
        notes = recorder.select_notifications(
            start=start + 1, limit=1000, stop=head, topics=TOPICS
        )
        for note in notes:
            _apply(conn, mapper.to_domain_event(note), note.id)
        move(conn, NAME, notes[-1].id if len(notes) == 1000 else head)
        return len(notes)


def _apply(conn: Connection, event: Any, position: int) -> None:
    row = subscriptions.c
    key = row.subscription_id == event.originator_id
    kind = type(event).__name__
    if kind == "Created":
        conn.execute(
            insert(subscriptions).values(
                subscription_id=event.originator_id,
                url=event.url,
                event_types=json.dumps(event.event_types),
                project_ids=json.dumps(event.project_ids),
                secret_salt=event.secret_salt,
                status="active",
                position=position,
                epoch=0,
                attempts=0,
                delivered=0,
                failures=0,
                updated_at=now(),
            )
        )
    elif kind == "Paused":
        conn.execute(update(subscriptions).where(key).values(status="paused"))
    elif kind == "Resumed":
        conn.execute(
            update(subscriptions).where(key).values(status="active", **_fresh_start())
        )
    else:
        conn.execute(
            update(subscriptions)
            .where(key)
            .values(
                position=event.from_position - 1,
                epoch=row.epoch + 1,
                **_fresh_start(),
            )
        )


def _fresh_start() -> dict[str, Any]:
    return {
        "attempts": 0,
        "next_attempt_at": None,
        "failing_since": None,
        "updated_at": now(),
    }

"""The private-connection insert on PostgreSQL: order, conflicts, lost connections."""

from __future__ import annotations

from collections.abc import Iterator
from uuid import uuid4

import pytest
from eventsourcing.persistence import IntegrityError, OperationalError, StoredEvent
from eventsourcing.postgres import PostgresApplicationRecorder

from service.app import PmoApplication
from service.store import PostgresInsert

pytestmark = pytest.mark.parametrize("backend", ["postgres"])


@pytest.fixture
def insert(app: PmoApplication) -> Iterator[PostgresInsert]:
    """An insert on its own connection beside the application's."""
    recorder = app.recorder
    assert isinstance(recorder, PostgresApplicationRecorder)
    made = PostgresInsert(recorder)
    yield made
    made.close()


def events(count: int = 1) -> list[StoredEvent]:
    """`count` versions of one new aggregate."""
    originator = uuid4()
    return [
        StoredEvent(originator, version, "topic", f"state {version}".encode())
        for version in range(1, count + 1)
    ]


def stored(app: PmoApplication, ids: list[int]) -> list[tuple[int, int, bytes]]:
    """(id, version, state) of the stored events with those ids."""
    found = app.recorder.select_notifications(start=min(ids), limit=len(ids) + 10)
    return [(n.id, n.originator_version, n.state) for n in found if n.id in set(ids)]


def test_events_get_ids_in_their_order(
    app: PmoApplication, insert: PostgresInsert
) -> None:
    batch = events(5)
    ids = insert.insert(batch)
    assert ids == sorted(ids) and len(set(ids)) == 5
    assert ids[-1] == app.recorder.max_notification_id()
    assert stored(app, ids) == [
        (i, e.originator_version, e.state) for i, e in zip(ids, batch, strict=True)
    ]


def test_a_conflict_writes_nothing_and_the_connection_goes_on(
    app: PmoApplication, insert: PostgresInsert
) -> None:
    first = events(1)
    insert.insert(first)
    head = app.recorder.max_notification_id()
    clash = [first[0], *events(2)]  # one event already stored: none may land
    with pytest.raises(IntegrityError):
        insert.insert(clash)
    assert app.recorder.max_notification_id() == head
    after = insert.insert(events(1))
    assert after[0] > (head or 0)


def test_a_killed_connection_is_replaced_and_the_insert_lands_once(
    app: PmoApplication, insert: PostgresInsert
) -> None:
    insert.insert(events(1))
    conn = insert._conn
    assert conn is not None
    backend = conn.info.backend_pid
    recorder = app.recorder
    assert isinstance(recorder, PostgresApplicationRecorder)
    with recorder.datastore.get_connection() as other:
        other.execute("SELECT pg_terminate_backend(%s)", (backend,))
    batch = events(2)
    ids = insert.insert(batch)
    assert insert._conn is not None and insert._conn.info.backend_pid != backend
    assert [v for _, v, _ in stored(app, ids)] == [1, 2]


def test_closed_refuses(insert: PostgresInsert) -> None:
    insert.close()
    with pytest.raises(OperationalError):
        insert.insert(events(1))


def test_conflicts_again_and_again_never_break_the_connection(
    app: PmoApplication, insert: PostgresInsert
) -> None:
    # More rounds than psycopg's auto-prepare threshold: a statement it thought
    # prepared inside an aborted pipeline failed every later use.
    for _ in range(12):
        batch = events(1)
        insert.insert(batch)
        with pytest.raises(IntegrityError):
            insert.insert(batch)
    assert insert.insert(events(2))

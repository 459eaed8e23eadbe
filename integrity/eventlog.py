"""The event log read raw: stored events straight from the recorder's table.

The ledger processor and the verifier read the log as plain tuples (position,
originator id as 16 bytes, version, topic, state), never as decoded events, in
bounded windows of notification ids (docs/decisions.md, 21).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any
from uuid import UUID

from eventsourcing.persistence import ApplicationRecorder
from eventsourcing.postgres import PostgresApplicationRecorder
from eventsourcing.sqlite import SQLiteApplicationRecorder
from psycopg.rows import tuple_row

from integrity.leaf import RawEvent
from integrity.scan import (
    LogSource,
    postgres_window_sql,
    sqlite_window_sql,
    with_id_bytes,
)


def read_events_page(
    recorder: ApplicationRecorder, after: int, stop: int | None, limit: int
) -> list[RawEvent]:
    """Up to `limit` stored events after a position, raw and in order.

    `stop` is the last position to read (None: the log's end now). A DB-API
    cursor straight on the recorder's table: plain tuples, the originator id as
    its 16 bytes, no Notification objects. Each query reads a bounded window of
    ids (dense but for gaps), so no page makes the database scan and sort the
    rest of the log, whatever plan its statistics suggest.
    """
    if stop is None:
        stop = recorder.max_notification_id() or 0
    window = _window_reader(recorder)
    if window is None:
        return [
            (
                n.id,
                as_uuid(n.originator_id).bytes,
                n.originator_version,
                n.topic,
                n.state,
            )
            for n in recorder.select_notifications(
                start=after + 1, limit=limit, stop=stop
            )
        ]
    rows: list[RawEvent] = []
    while len(rows) < limit and after < stop:
        high = min(stop, after + limit - len(rows))
        rows += window(after, high)
        after = high
    return rows


def _window_reader(
    recorder: ApplicationRecorder,
) -> Callable[[int, int], list[RawEvent]] | None:
    """A reader of the events with ids in (low, high], for the native recorders."""
    if isinstance(recorder, SQLiteApplicationRecorder):
        sql = sqlite_window_sql(recorder.events_table_name)

        def sqlite_window(low: int, high: int) -> list[RawEvent]:
            with recorder.datastore.transaction(commit=False) as cursor:
                raw = cursor.sqlite_cursor
                raw.row_factory = None
                raw.execute(sql, (low, high))
                return with_id_bytes(raw.fetchall())

        return sqlite_window
    if isinstance(recorder, PostgresApplicationRecorder):
        datastore = recorder.datastore
        text_ids = datastore.originator_id_type == "text"
        query = postgres_window_sql(
            datastore.schema, recorder.events_table_name, text_ids
        )

        def postgres_window(low: int, high: int) -> list[RawEvent]:
            with datastore.transaction(commit=False) as cursor:
                cursor.row_factory = tuple_row  # type: ignore[assignment]
                cursor.execute(query, (low, high), binary=True, prepare=True)
                rows: list[Any] = cursor.fetchall()
            return with_id_bytes(rows) if text_ids else rows

        return postgres_window
    return None


def log_source(recorder: ApplicationRecorder) -> LogSource | None:
    """How another process can read this recorder's log (None: it cannot)."""
    if isinstance(recorder, SQLiteApplicationRecorder):
        pool = recorder.datastore.pool
        if pool.is_sqlite_memory_mode:
            return None
        connect = {"database": pool.db_name, "uri": True, "isolation_level": None}
        return LogSource("sqlite", connect, "", recorder.events_table_name, True)
    if isinstance(recorder, PostgresApplicationRecorder):
        datastore = recorder.datastore
        given = datastore.pool.kwargs
        kwargs = {
            key: value
            for key, value in (given if isinstance(given, dict) else {}).items()
            if key in ("dbname", "host", "port", "user", "password")
        }
        return LogSource(
            "postgresql",
            kwargs,
            datastore.schema,
            recorder.events_table_name,
            datastore.originator_id_type == "text",
        )
    return None


def read_events(
    recorder: ApplicationRecorder, after: int, stop: int | None, limit: int
) -> Iterator[list[RawEvent]]:
    """Every stored event after a position, up to `stop` (None: the end now)."""
    if stop is None:
        stop = recorder.max_notification_id() or 0
    while page := read_events_page(recorder, after, stop, limit):
        yield page
        after = page[-1][0]


def as_uuid(value: UUID | str) -> UUID:
    """An originator id as a UUID (recorders may return either form)."""
    return value if isinstance(value, UUID) else UUID(value)

"""The log as the processors read it: the recorder's query, ids made once.

eventsourcing's SQLite recorder builds every notification from an
`sqlite3.Row` and a new `UUID` for its originator id: in a rebuild that is
about a tenth of a worker's CPU. Here the same statement runs with plain
tuples, and each distinct originator id is made once and shared (UUIDs are
immutable). Other recorders are read through `select_notifications` itself.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any
from uuid import UUID

from eventsourcing.persistence import ApplicationRecorder, Notification
from eventsourcing.sqlite import SQLiteApplicationRecorder

# Distinct originator ids remembered (a rebuild batch's worth and more).
MEMO_LIMIT = 50_000

Select = Callable[[int, int, int, Sequence[str]], Sequence[Notification]]


def notification_reader(recorder: ApplicationRecorder) -> Select:
    """read(start, limit, stop, topics): notifications start..stop, in order.

    The same answer as `recorder.select_notifications(start=..., limit=...,
    stop=..., topics=...)`.
    """
    if (
        isinstance(recorder, SQLiteApplicationRecorder)
        and recorder.datastore.originator_id_type == "uuid"
    ):
        return _SQLiteReader(recorder).read

    def read(start: int, limit: int, stop: int, topics: Sequence[str]) -> Any:
        return recorder.select_notifications(
            start=start, limit=limit, stop=stop, topics=topics
        )

    return read


class _SQLiteReader:
    def __init__(self, recorder: SQLiteApplicationRecorder) -> None:
        self.recorder = recorder
        self.table = recorder.events_table_name
        self.ids: dict[str, UUID] = {}

    def read(
        self, start: int, limit: int, stop: int, topics: Sequence[str]
    ) -> list[Notification]:
        # The recorder's statement (rowid is the notification id); the table
        # name is the recorder's own, never input.
        statement = (
            "SELECT rowid, originator_id, originator_version, topic, state "  # noqa: S608
            f"FROM {self.table} WHERE rowid>=? AND rowid<=? "
        )
        params: list[Any] = [start, stop]
        if topics:
            statement += f"AND topic IN ({','.join('?' * len(topics))}) "
            params += list(topics)
        statement += "ORDER BY rowid LIMIT ?"
        params.append(limit)
        with self.recorder.datastore.transaction(commit=False) as cursor:
            raw = cursor.sqlite_cursor
            raw.row_factory = None
            raw.execute(statement, params)
            rows = raw.fetchall()
        ids = self.ids
        if len(ids) > MEMO_LIMIT:
            ids.clear()
        found = []
        for position, originator, version, topic, state in rows:
            try:
                uuid = ids[originator]
            except KeyError:
                uuid = ids[originator] = UUID(originator)
            # Positional in the dataclass's field order (the id comes last).
            found.append(Notification(uuid, version, topic, state, position))
        return found

"""The two hottest statements on the SQLite store, on private connections.

Through eventsourcing's recorder, reading the head or inserting a command's
events costs a pool checkout, context managers and (for the head) a BEGIN:
several times the statement itself. These run the recorder's own statements,
with its own id encoding, on one connection each. Durability is the file's:
WAL mode (set by the recorder) and synchronous at the build default, as for the
recorder's connections. Every other read and write still goes through the
recorder.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable, Sequence
from uuid import UUID

from eventsourcing.persistence import (
    ApplicationRecorder,
    IntegrityError,
    OperationalError,
    StoredEvent,
)
from eventsourcing.sqlite import SQLiteApplicationRecorder

Insert = Callable[[Sequence[StoredEvent]], Sequence[int] | None]


class SQLiteStatements:
    """The head query and the event insert on two private connections."""

    def __init__(self, recorder: SQLiteApplicationRecorder) -> None:
        self._max = recorder.select_max_notification_id_statement
        self._insert = recorder.insert_events_statement
        pool = recorder.datastore.pool
        self._reader, self._writer = (
            sqlite3.connect(
                pool.db_name,
                uri=True,
                check_same_thread=False,
                isolation_level=None,
                timeout=pool.lock_timeout or 5,
            )
            for _ in range(2)
        )
        self._reading, self._writing = threading.Lock(), threading.Lock()

    def head(self) -> int:
        """The highest notification id (0 when empty): WAL shows the last commit."""
        try:
            with self._reading:
                row = self._reader.execute(self._max).fetchone()
        except sqlite3.Error as error:
            raise OperationalError(error) from error
        return int(row[0] or 0)

    def insert(self, stored: Sequence[StoredEvent]) -> list[int]:
        """Insert events in one transaction; their notification ids."""
        rows = [
            (
                s.originator_id.hex
                if isinstance(s.originator_id, UUID)
                else s.originator_id,
                s.originator_version,
                s.topic,
                s.state,
            )
            for s in stored
        ]
        with self._writing:
            conn = self._writer
            try:
                conn.execute("BEGIN IMMEDIATE")
                try:
                    ids = [
                        conn.execute(self._insert, row).lastrowid or 0 for row in rows
                    ]
                    conn.execute("COMMIT")
                except BaseException:
                    if conn.in_transaction:
                        conn.execute("ROLLBACK")
                    raise
            except sqlite3.IntegrityError as error:
                raise IntegrityError(error) from error
            except sqlite3.Error as error:
                raise OperationalError(error) from error
        return ids

    def close(self) -> None:
        """Close both connections."""
        with self._reading, self._writing:
            self._reader.close()
            self._writer.close()


def fast_paths(
    recorder: ApplicationRecorder,
) -> tuple[Callable[[], int], Insert, SQLiteStatements | None]:
    """How to read the head and insert events on this store (and what to close)."""
    if (
        isinstance(recorder, SQLiteApplicationRecorder)
        and not recorder.datastore.pool.is_sqlite_memory_mode
    ):
        statements = SQLiteStatements(recorder)
        return statements.head, statements.insert, statements
    return (lambda: recorder.max_notification_id() or 0), recorder.insert_events, None

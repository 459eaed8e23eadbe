"""The hottest statements on private connections (SQLite: head, insert; PG: head).

Through eventsourcing's recorder, reading the head or inserting a command's
events costs a pool checkout, context managers and (for the head) a BEGIN:
several times the statement itself. These run the recorder's own statements,
with its own id encoding, on one connection each. Durability is the file's:
WAL mode (set by the recorder) and synchronous at the build default, as for the
recorder's connections. On PostgreSQL only the head query (one statement in
autocommit, as the recorder runs it) leaves the pool. Every other read and
write still goes through the recorder.
"""

from __future__ import annotations

import queue
import sqlite3
import threading
from collections.abc import Callable, Sequence
from uuid import UUID

import psycopg
from eventsourcing.persistence import (
    ApplicationRecorder,
    IntegrityError,
    OperationalError,
    StoredEvent,
)
from eventsourcing.postgres import PostgresApplicationRecorder
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


class PostgresHead:
    """The head query on connections of its own, one per concurrent caller."""

    # A restart breaks every idle connection: retry on new ones, as the recorder
    # would (it waits 0.2 s between attempts, 10 times).
    ATTEMPTS = 10

    def __init__(self, recorder: PostgresApplicationRecorder) -> None:
        self._max = recorder.max_notification_id_statement
        self._pool = recorder.datastore.pool
        self._idle: queue.SimpleQueue[psycopg.Connection[tuple[int | None]]] = (
            queue.SimpleQueue()
        )
        self._all: list[psycopg.Connection[tuple[int | None]]] = []
        self._connecting = threading.Lock()
        self._closed = threading.Event()

    def head(self) -> int:
        """The highest notification id (0 when empty), in autocommit."""
        attempt = 1
        while True:
            try:
                conn = self._idle.get_nowait()
            except queue.Empty:
                conn = None
            try:
                if conn is None:
                    conn = self._connect()
                row = conn.execute(self._max, prepare=True).fetchone()
            except psycopg.Error as error:
                # Likely a restart: the other idle connections are broken too.
                self._drop_idle(conn)
                if attempt == self.ATTEMPTS or self._closed.is_set():
                    raise OperationalError(error) from error
                self._closed.wait(0.2 if attempt > 1 else 0)
                attempt += 1
                continue
            self._idle.put(conn)
            return int(row[0] or 0) if row else 0

    def _connect(self) -> psycopg.Connection[tuple[int | None]]:
        if self._closed.is_set():
            raise psycopg.InterfaceError("the store is closed")
        pool = self._pool
        conninfo = pool.conninfo() if callable(pool.conninfo) else pool.conninfo
        kwargs = (pool.kwargs() if callable(pool.kwargs) else pool.kwargs) or {}
        kwargs = {k: v for k, v in kwargs.items() if k != "row_factory"}
        conn: psycopg.Connection[tuple[int | None]] = psycopg.connect(
            conninfo, **kwargs, autocommit=True
        )
        with self._connecting:
            self._all = [c for c in self._all if not c.closed] + [conn]
        return conn

    def _drop_idle(self, failed: psycopg.Connection[tuple[int | None]] | None) -> None:
        if failed is not None:
            failed.close()
        while True:
            try:
                self._idle.get_nowait().close()
            except queue.Empty:
                return

    def close(self) -> None:
        """Close every connection this made."""
        self._closed.set()
        with self._connecting:
            for conn in self._all:
                conn.close()


def fast_paths(
    recorder: ApplicationRecorder,
) -> tuple[Callable[[], int], Insert, SQLiteStatements | PostgresHead | None]:
    """How to read the head and insert events on this store (and what to close)."""
    if (
        isinstance(recorder, SQLiteApplicationRecorder)
        and not recorder.datastore.pool.is_sqlite_memory_mode
    ):
        statements = SQLiteStatements(recorder)
        return statements.head, statements.insert, statements
    if isinstance(recorder, PostgresApplicationRecorder):
        head = PostgresHead(recorder)
        return head.head, recorder.insert_events, head
    return (lambda: recorder.max_notification_id() or 0), recorder.insert_events, None

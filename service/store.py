"""The hottest statements on private connections: the head and the insert.

Through eventsourcing's recorder, reading the head or inserting a command's
events costs a pool checkout, context managers and (for the head) a BEGIN:
several times the statement itself. These run the recorder's own statements,
with its own id encoding, on one connection each. Durability is the file's:
WAL mode (set by the recorder) and synchronous at the build default, as for the
recorder's connections. On PostgreSQL the head query runs in autocommit, as
the recorder runs it, and the insert is the recorder's transaction in one round
trip. Every other read and write still goes through the recorder.
"""

from __future__ import annotations

import queue
import sqlite3
import threading
from collections.abc import Callable, Sequence
from typing import Any
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
from psycopg import sql

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
        conn: psycopg.Connection[tuple[int | None]] = _connect_like(self._pool)
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


class PostgresInsert:
    """A command's events inserted in one round trip, on a connection of its own.

    The recorder's insert takes a pool checkout and two round trips (a pipeline
    synced before the COMMIT), and NOTIFYs a channel this service never
    listens to. Here the same transaction (lock timeout, the table lock that
    keeps ids in commit order, the insert, COMMIT) goes out as one pipeline.
    A broken connection is replaced and the insert retried as the recorder
    would (10 attempts, 0.2 s apart); if the lost attempt had committed, the
    retry fails on the unique key and the application recognises its events.
    """

    ATTEMPTS = 10

    def __init__(self, recorder: PostgresApplicationRecorder) -> None:
        datastore = recorder.datastore
        self._pool = datastore.pool
        table = sql.Identifier(datastore.schema, recorder.events_table_name)
        self._lock = sql.SQL("LOCK TABLE {} IN EXCLUSIVE MODE").format(table)
        self._timeout = sql.SQL("SET LOCAL lock_timeout = '{}s'").format(
            sql.SQL(str(datastore.lock_timeout))
        )
        self._insert = sql.SQL(
            "INSERT INTO {} (originator_id, originator_version, topic, state) "
            "SELECT * FROM unnest(%s::{}[], %s::bigint[], %s::text[], %s::bytea[]) "
            "RETURNING notification_id"
        ).format(table, sql.Identifier(datastore.originator_id_type))
        self._conn: psycopg.Connection[tuple[int]] | None = None
        self._using = threading.Lock()
        self._closed = threading.Event()

    def insert(self, stored: Sequence[StoredEvent]) -> list[int]:
        """Insert events in one transaction; their notification ids, in order."""
        columns = (
            [s.originator_id for s in stored],
            [s.originator_version for s in stored],
            [s.topic for s in stored],
            [s.state for s in stored],
        )
        with self._using:
            attempt = 1
            while True:
                try:
                    return self._send(columns)
                except psycopg.errors.UniqueViolation as error:
                    self._roll_back()
                    raise IntegrityError(error) from error
                except (psycopg.OperationalError, psycopg.InterfaceError) as error:
                    self._drop()
                    if attempt == self.ATTEMPTS or self._closed.is_set():
                        raise OperationalError(error) from error
                    self._closed.wait(0.2)
                    attempt += 1
                except psycopg.Error as error:
                    self._drop()
                    raise OperationalError(error) from error

    def _send(self, columns: tuple[list[Any], ...]) -> list[int]:
        conn = self._conn or self._connect()
        with conn.pipeline():
            conn.execute("BEGIN")
            conn.execute(self._timeout)
            conn.execute(self._lock)
            cursor = conn.execute(self._insert, columns)
            conn.execute("COMMIT")
        # Rows come back in insertion order, which is also the ids' order.
        return sorted(row[0] for row in cursor.fetchall())

    def _roll_back(self) -> None:
        # The pipeline stopped at the failed INSERT: end its transaction.
        try:
            if self._conn is not None:
                self._conn.execute("ROLLBACK")
        except psycopg.Error:
            self._drop()

    def _connect(self) -> psycopg.Connection[tuple[int]]:
        if self._closed.is_set():
            raise psycopg.InterfaceError("the store is closed")
        conn = _connect_like(self._pool)
        # Nothing prepared: after an error inside a pipeline psycopg can believe
        # a statement prepared that the server never kept ("prepared statement
        # does not exist" on every later use).
        conn.prepare_threshold = None
        self._conn = conn
        return conn

    def _drop(self) -> None:
        # A failed pipeline may leave the transaction open or aborted: a new
        # connection starts clean (and the old one's transaction rolls back).
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def close(self) -> None:
        """Close the connection."""
        self._closed.set()
        with self._using:
            self._drop()


def _connect_like(pool: Any) -> psycopg.Connection[Any]:
    """A new autocommit connection with the recorder pool's settings."""
    conninfo = pool.conninfo() if callable(pool.conninfo) else pool.conninfo
    kwargs = (pool.kwargs() if callable(pool.kwargs) else pool.kwargs) or {}
    kwargs = {k: v for k, v in kwargs.items() if k != "row_factory"}
    conn: psycopg.Connection[Any] = psycopg.connect(conninfo, **kwargs, autocommit=True)
    return conn


class PostgresStatements:
    """The head query and the event insert, each on connections of its own."""

    def __init__(self, recorder: PostgresApplicationRecorder) -> None:
        self.reader = PostgresHead(recorder)
        self.writer = PostgresInsert(recorder)

    def close(self) -> None:
        """Close every connection."""
        self.reader.close()
        self.writer.close()


def fast_paths(
    recorder: ApplicationRecorder,
) -> tuple[Callable[[], int], Insert, SQLiteStatements | PostgresStatements | None]:
    """How to read the head and insert events on this store (and what to close)."""
    if (
        isinstance(recorder, SQLiteApplicationRecorder)
        and not recorder.datastore.pool.is_sqlite_memory_mode
    ):
        statements = SQLiteStatements(recorder)
        return statements.head, statements.insert, statements
    if isinstance(recorder, PostgresApplicationRecorder):
        postgres = PostgresStatements(recorder)
        return postgres.reader.head, postgres.writer.insert, postgres
    return (lambda: recorder.max_notification_id() or 0), recorder.insert_events, None

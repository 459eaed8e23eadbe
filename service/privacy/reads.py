"""The key store's per-event lookups on one plain connection per thread.

Opening a sealed value looks its key up, once per value read; through a pooled
SQLAlchemy connection that costs ~25x the statement (checkout, reset, compile),
so the lookups run on a DB-API connection each thread keeps, in autocommit
(every lookup sees the latest commit, so a destroyed key is gone at once).
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import threading
from collections.abc import Callable, Sequence
from typing import Any
from urllib.parse import urlsplit

import psycopg

from service.config import Settings

Connect = Callable[[], Any]


def connector(settings: Settings) -> tuple[Connect, str]:
    """How to open a lookup connection for these settings, and its paramstyle."""
    if settings.backend == "sqlite":
        path = settings.sqlite_path.with_name("keys.db")

        def open_sqlite() -> sqlite3.Connection:
            conn = sqlite3.connect(
                path, check_same_thread=False, isolation_level=None, timeout=30
            )
            conn.execute("PRAGMA secure_delete=ON")
            return conn

        return open_sqlite, "?"
    parts = urlsplit(settings.database_url)

    def open_postgres() -> psycopg.Connection[Any]:
        return psycopg.connect(
            host=parts.hostname or "127.0.0.1",
            port=parts.port or 5432,
            user=parts.username or "postgres",
            password=parts.password or "",
            dbname=parts.path.lstrip("/") or "postgres",
            options=f"-csearch_path={settings.postgres_schema}",
            connect_timeout=5,
            autocommit=True,
        )

    return open_postgres, "%s"


class Lookups:
    """One autocommit connection per thread (and process) for single-row reads."""

    def __init__(self, connect: Connect, paramstyle: str) -> None:
        self._connect = connect
        self._paramstyle = paramstyle
        self._local = threading.local()
        self._opened: list[Any] = []
        self._lock = threading.Lock()

    def one(self, statement: str, params: Sequence[Any]) -> Any:
        """The first column of the first row (None if there is none)."""
        statement = statement.replace("?", self._paramstyle)
        for attempt in (1, 2):
            conn = self._connection()
            try:
                row = conn.execute(statement, tuple(params)).fetchone()
            except (sqlite3.OperationalError, psycopg.OperationalError):
                # A connection broken by a server restart: once more on a new one.
                self._local.conn = None
                if attempt == 2:
                    raise
                continue
            return None if row is None else row[0]
        return None

    def _connection(self) -> Any:
        conn = getattr(self._local, "conn", None)
        if conn is None or self._local.pid != os.getpid():
            conn = self._connect()
            self._local.conn, self._local.pid = conn, os.getpid()
            with self._lock:
                self._opened.append(conn)
        return conn

    def close(self) -> None:
        """Close every connection this process opened."""
        with self._lock:
            opened, self._opened = self._opened, []
        for conn in opened:
            with contextlib.suppress(Exception):  # already closed or broken
                conn.close()

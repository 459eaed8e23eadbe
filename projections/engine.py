"""SQLAlchemy engines for the read models, tuned per backend."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event, exc

from service.config import Settings


def create_views_engine(settings: Settings) -> Engine:
    """An engine for the read models: WAL and a busy timeout on SQLite.

    Connections are pooled on both backends: on SQLite a new connection costs
    its PRAGMAs and a parse of the schema, and closing the last one checkpoints
    the WAL, several times a small batch's own statements. A connection is
    never used in a process other than the one that opened it (see _same_process).
    """
    if settings.backend == "sqlite":
        engine = create_engine(
            settings.views_url,
            connect_args={"timeout": 30, "check_same_thread": False},
            # The request threads' reads and the processors' batches.
            pool_size=8,
            max_overflow=24,
        )
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
    else:
        engine = _postgres_engine(settings)
    event.listen(engine, "connect", _note_process)
    event.listen(engine, "checkout", _same_process)
    return engine


def _postgres_engine(settings: Settings) -> Engine:
    schema = settings.postgres_schema
    return create_engine(
        settings.views_url,
        connect_args={"options": f"-csearch_path={schema}", "connect_timeout": 5},
        # Each background processor holds one connection for its advisory lock
        # and borrows another per batch, beside the request threads' reads.
        pool_size=10,
        max_overflow=20,
        pool_pre_ping=True,
    )


def _note_process(_dbapi_connection: Any, record: Any) -> None:
    record.info["pid"] = os.getpid()


def _same_process(_dbapi_connection: Any, record: Any, proxy: Any) -> None:
    # A pooled connection inherited through fork belongs to the parent: drop it
    # unclosed (closing it here could disturb the parent's use of it) and let
    # the pool connect anew.
    if record.info.get("pid") != os.getpid():
        record.dbapi_connection = proxy.dbapi_connection = None
        raise exc.DisconnectionError("connection opened in another process")


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # Let SQLAlchemy, not the sqlite3 module, decide when transactions begin.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def _sqlite_begin(connection: Any) -> None:
    # A read followed by a write in a deferred transaction fails at once (no busy
    # wait) if another writer committed in between; writers say so up front.
    writer = connection.get_execution_options().get("pmo_write")
    connection.exec_driver_sql("BEGIN IMMEDIATE" if writer else "BEGIN")


@contextmanager
def writing(engine: Engine) -> Iterator[Connection]:
    """A transaction that reads then writes (takes SQLite's write lock first)."""
    with engine.execution_options(pmo_write=True).begin() as conn:
        yield conn


def compact(engine: Engine) -> None:
    """Rewrite SQLite's file and empty its WAL, so dropped rows leave no old page.

    After an erasure rebuilt the read models (docs/privacy.md); on PostgreSQL a
    rebuild's new tables are new files and the old ones are dropped.
    """
    if engine.dialect.name != "sqlite":
        return
    raw = engine.raw_connection()
    try:
        raw.execute("VACUUM")
        raw.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        raw.close()

"""SQLAlchemy engines for the read models, tuned per backend."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.pool import NullPool

from service.config import Settings


def create_views_engine(settings: Settings) -> Engine:
    """An engine for the read models: WAL and a busy timeout on SQLite."""
    if settings.backend == "sqlite":
        engine = create_engine(
            settings.views_url,
            connect_args={"timeout": 30, "check_same_thread": False},
            poolclass=NullPool,
        )
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
        return engine
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

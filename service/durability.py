"""Write transactions that are on disk when they end, on the SQLite read-model file.

The read-model database also keeps what the log cannot rebuild: idempotency
keys, content in the database blob backend, signed ledger heads and recorded
verifications. Its connections run with synchronous=NORMAL, right for read
models (in WAL mode a commit may be lost to a power failure, never half-kept,
and the processors redo it from the log), wrong for those records.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Connection, Engine


@contextmanager
def durable(engine: Engine) -> Iterator[Connection]:
    """A write transaction whose commit is synced to disk before the block ends.

    On SQLite it commits with synchronous=FULL, which syncs the WAL and with it
    every commit before it; the connection goes back to NORMAL afterwards (or
    is discarded). On other databases, a plain transaction (PostgreSQL commits
    are durable already).
    """
    if engine.dialect.name != "sqlite":
        with engine.begin() as conn:
            yield conn
        return
    # pmo_write: the read models' engine then begins with BEGIN IMMEDIATE.
    with engine.execution_options(pmo_write=True).connect() as conn:
        # The level cannot change inside a transaction: set before BEGIN.
        raw = conn.connection.dbapi_connection
        assert raw is not None
        raw.execute("PRAGMA synchronous=FULL")
        try:
            with conn.begin():
                yield conn
        finally:
            try:
                raw.execute("PRAGMA synchronous=NORMAL")
            except sqlite3.Error:
                conn.invalidate()  # never back in the pool still at FULL

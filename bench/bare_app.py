"""Bench-only Flask app: POST /raw inserts one row per transaction, nothing else.

The HTTP baseline for bench/write_http.py, served by gunicorn with the service's
own configuration. BARE_DATABASE is a SQLite file path or a PostgreSQL schema name
(prefixed ``pg:``).
"""

from __future__ import annotations

import os
import threading
from typing import Any

from common import RawPostgres, RawSQLite
from flask import Flask, request

app = Flask(__name__)
_local = threading.local()
# One SQLite writer at a time, as eventsourcing's connection pool does.
_sqlite_writer = threading.Lock()


def _store() -> Any:
    """One raw connection per server thread, as a pool would hand out."""
    if not hasattr(_local, "store"):
        target = os.environ["BARE_DATABASE"]
        if target.startswith("pg:"):
            _local.store = RawPostgres(target[3:])
        else:
            from pathlib import Path

            _local.store = RawSQLite(Path(target))
    return _local.store


@app.post("/raw")
def raw() -> tuple[dict[str, int], int]:
    """Insert the posted body as one row's state; answer with its id."""
    store = _store()
    if isinstance(store, RawSQLite):
        with _sqlite_writer:
            return {"id": store.insert(request.get_data())}, 201
    return {"id": store.insert(request.get_data())}, 201


@app.get("/raw")
def recent() -> dict[str, Any]:
    """The 50 newest rows (PostgreSQL only): the read baseline of bench/capacity.py."""
    store = _store()
    return {"items": store.recent(50)}

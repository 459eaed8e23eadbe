"""Shared by the benchmarks: stores, raw baselines, timing, machine facts, results."""

from __future__ import annotations

import json
import os
import platform
import shutil
import sqlite3
import subprocess
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import psycopg

from service.config import Settings
from service.domain.base import Meta

RESULTS = Path(__file__).parent / "results"
PG_DSN = os.environ.get("BENCH_PG_DSN", "postgresql://postgres@127.0.0.1:5432/test")
META = Meta("bench", "project-officer", "benchmark", "bench-1")
RISK = {
    "title": "r",
    "cause": "cause",
    "event": "event",
    "effect": "effect",
    "category": "cost",
    "kind": "threat",
    "owner": "owner",
    "proximity": "imminent",
    "probability": 3,
    "impact": 3,
}


def ratings(
    inherent_probability: int,
    inherent_impact: int,
    residual_probability: int,
    residual_impact: int,
) -> dict[str, int]:
    """The values of an assess_risk command."""
    return {
        "inherent_probability": inherent_probability,
        "inherent_impact": inherent_impact,
        "residual_probability": residual_probability,
        "residual_impact": residual_impact,
    }


@contextmanager
def settings_for(backend: str, **overrides: Any) -> Iterator[Settings]:
    """Settings for an empty store: a temp dir; a fresh schema on PostgreSQL."""
    data_dir = Path(tempfile.mkdtemp(prefix="pmo-bench-"))
    try:
        if backend == "sqlite":
            url = f"sqlite:///{data_dir}/events.db"
            yield Settings(data_dir=data_dir, database_url=url, **overrides)
            return
        with pg_schema() as schema:
            url = f"{PG_DSN}?schema={schema}"
            yield Settings(data_dir=data_dir, database_url=url, **overrides)
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)


@contextmanager
def pg_schema() -> Iterator[str]:
    """A fresh PostgreSQL schema, dropped afterwards."""
    name = f"bench_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(PG_DSN, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {name}")
    try:
        yield name
    finally:
        with psycopg.connect(PG_DSN, autocommit=True) as conn:
            conn.execute(f"DROP SCHEMA {name} CASCADE")


class RawSQLite:
    """One row per transaction into a table shaped like eventsourcing's, same PRAGMAs.

    eventsourcing opens the file in WAL mode and leaves synchronous at its default
    (FULL in this build); we do the same and check it.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self.conn = sqlite3.connect(
            path, isolation_level=None, check_same_thread=False, timeout=30
        )
        self.conn.execute("PRAGMA journal_mode=WAL")
        self.synchronous = self.conn.execute("PRAGMA synchronous").fetchone()[0]
        self.conn.execute(
            "CREATE TABLE IF NOT EXISTS raw (originator_id TEXT, originator_version "
            "INTEGER, topic TEXT, state BLOB, PRIMARY KEY "
            "(originator_id, originator_version))"
        )

    def insert(self, state: bytes) -> int:
        """Insert one row in its own transaction; return its rowid."""
        self.conn.execute("BEGIN")
        cursor = self.conn.execute(
            "INSERT INTO raw VALUES (?,?,?,?)",
            (uuid.uuid4().hex, 1, "service.domain.risk:Risk.Assessed", state),
        )
        self.conn.execute("COMMIT")
        return int(cursor.lastrowid or 0)


class RawPostgres:
    """One row per transaction into an eventsourcing-shaped table (sync commit on)."""

    def __init__(self, schema: str) -> None:
        self.conn = psycopg.connect(PG_DSN)
        self.schema, self.table = schema, f"{schema}.raw"
        self.conn.execute(
            f"CREATE TABLE IF NOT EXISTS {self.table} (originator_id uuid, "
            "originator_version int, topic text, state bytea, notification_id "
            "bigserial, PRIMARY KEY (originator_id, originator_version))"
        )
        self.conn.execute(
            f"CREATE INDEX IF NOT EXISTS raw_position ON {self.table} (notification_id)"
        )
        self.conn.commit()
        shown = self.conn.execute("SHOW synchronous_commit").fetchone()
        self.synchronous = shown[0] if shown else "unknown"

    def insert(self, state: bytes) -> int:
        """Insert one row in its own transaction; return its id."""
        row = self.conn.execute(
            f"INSERT INTO {self.table} VALUES (%s,%s,%s,%s) RETURNING notification_id",
            (uuid.uuid4(), 1, "service.domain.risk:Risk.Assessed", state),
            prepare=True,
        ).fetchone()
        self.conn.commit()
        return int(row[0]) if row else 0

    def recent(self, limit: int) -> list[dict[str, Any]]:
        """The newest rows, as a register page would list them."""
        rows = self.conn.execute(
            "SELECT originator_id, originator_version, topic, notification_id "
            f"FROM {self.table} ORDER BY notification_id DESC LIMIT %s",
            (limit,),
            prepare=True,
        ).fetchall()
        self.conn.commit()
        return [
            {"id": str(r[0]), "version": r[1], "topic": r[2], "position": r[3]}
            for r in rows
        ]


def rate(action: Callable[[], object], count: int) -> float:
    """Calls per second of `count` sequential calls."""
    started = time.perf_counter()
    for _ in range(count):
        action()
    return count / (time.perf_counter() - started)


def interleaved(
    actions: dict[str, Callable[[], object]],
    count: int,
    settle: Callable[[], object] | None = None,
) -> dict[str, float]:
    """Calls per second of each action, run in alternating rounds of 50.

    The disk's fsync latency drifts by 2x within minutes here; alternating keeps
    each ratio to its baseline fair. `settle`, if given, runs untimed after each
    round, so work a round left in the background does not slow the next one.
    """
    spent = dict.fromkeys(actions, 0.0)
    for _ in range(max(count // 50, 1)):
        for name, action in actions.items():
            started = time.perf_counter()
            for _ in range(50):
                action()
            spent[name] += time.perf_counter() - started
            if settle is not None:
                settle()
    return {name: max(count // 50, 1) * 50 / seconds for name, seconds in spent.items()}


def median_ms(action: Callable[[], object], repeat: int = 30) -> float:
    """Median milliseconds of a call (one warm-up call first)."""
    action()
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        action()
        samples.append(time.perf_counter() - started)
    return sorted(samples)[len(samples) // 2] * 1000


def machine() -> dict[str, object]:
    """The facts a figure needs to be read: CPUs, memory, Python, SQLite, PostgreSQL."""
    with open("/proc/meminfo") as f:
        mem_kb = int(f.readline().split()[1])
    try:
        with psycopg.connect(PG_DSN) as conn:
            pg = str(conn.execute("SHOW server_version").fetchone()[0])  # type: ignore[index]
    except psycopg.Error:
        pg = "unavailable"
    disk = subprocess.run(
        ["df", "-h", "--output=source,size", tempfile.gettempdir()],
        capture_output=True,
        text=True,
        check=False,
    ).stdout.split()[-2:]
    return {
        "nproc": os.cpu_count(),
        "memory_gb": round(mem_kb / 1024 / 1024, 1),
        "tmp_disk": " ".join(disk),
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "postgres": pg,
    }


def report(name: str, result: dict[str, object]) -> None:
    """Print each figure and write bench/results/<name>.json."""
    result = {"bench": name, **result, "machine": machine()}
    for key, value in result.items():
        if key != "machine":
            shown = f"{value:.3f}" if isinstance(value, float) else value
            print(f"  {key:34} {shown}")
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"{name}.json").write_text(json.dumps(result, indent=1) + "\n")

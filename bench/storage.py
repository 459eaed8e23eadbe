"""Bytes on disk per table, indexes included: a SQLite file or a PostgreSQL schema."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import psycopg
from common import PG_DSN


def table_bytes(where: Path | str) -> dict[str, int]:
    """Each table's bytes with its indexes (a Path: SQLite; a str: a schema)."""
    if isinstance(where, Path):
        return sqlite_table_bytes(where)
    with psycopg.connect(PG_DSN) as conn:
        rows = conn.execute(
            "SELECT c.relname, pg_total_relation_size(c.oid) FROM pg_class c "
            "JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = %s AND c.relkind = 'r'",
            (where,),
        ).fetchall()
    return {str(name): int(size) for name, size in rows}


def sqlite_table_bytes(path: Path) -> dict[str, int]:
    """Pages of each table and its indexes, after folding the WAL back in."""
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        rows = conn.execute(
            "SELECT m.tbl_name, SUM(s.pgsize) FROM dbstat s "
            "JOIN sqlite_master m ON m.name = s.name GROUP BY m.tbl_name"
        ).fetchall()
        free = conn.execute("PRAGMA freelist_count").fetchone()[0]
        page = conn.execute("PRAGMA page_size").fetchone()[0]
    found = {f"{path.stem}.{name}": int(size) for name, size in rows}
    if free:
        found[f"{path.stem}.(free pages)"] = free * page
    return found

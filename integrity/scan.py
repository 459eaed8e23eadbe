"""Windows of the event log read, hashed and summarised, here or in reader processes.

A window is the events whose ids are in (low, high]. Its summary is what full
verification needs of them: their positions, their leaf hashes and the
document blobs they record or dispose of. The same `summarise` serves the
verifier's own process and its reader processes, so both give the same pages.

A reader process opens the log from a `LogSource` (plain, picklable connection
settings) with a connection of its own.
"""

from __future__ import annotations

import json
import signal
import sqlite3
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from integrity.leaf import RawEvent, leaf_hashes

Window = Callable[[int, int], list[RawEvent]]


@dataclass(frozen=True)
class LogSource:
    """Where another process reads the event log: a SQLite file or PostgreSQL."""

    backend: str  # "sqlite" or "postgresql"
    connect: dict[str, Any]  # sqlite3.connect or psycopg.connect keyword arguments
    schema: str
    table: str
    text_ids: bool  # originator ids stored as text (always so on SQLite)


@dataclass(frozen=True)
class BlobTopics:
    """The topics of the events that record and dispose of document content."""

    version: str
    disposed: str


@dataclass
class Page:
    """One window of the log as verification needs it."""

    positions: list[int]
    hashes: list[bytes]
    # (position, originator id, sha256) of each version recorded in the window.
    versions: list[tuple[int, bytes, str]] = field(default_factory=list)
    disposed: list[bytes] = field(default_factory=list)


def summarise(events: Sequence[RawEvent], topics: BlobTopics) -> Page:
    """Positions, leaf hashes and blob references of some raw events."""
    page = Page([event[0] for event in events], leaf_hashes(events))
    for position, originator, _, topic, state in events:
        if topic == topics.version:
            page.versions.append((position, originator, json.loads(state)["sha256"]))
        elif topic == topics.disposed:
            page.disposed.append(originator)
    return page


def sqlite_window_sql(table: str) -> str:
    """The window query on a SQLite events table."""
    return (
        "SELECT rowid, originator_id, originator_version, topic, state "  # noqa: S608
        f"FROM {table} WHERE rowid > ? AND rowid <= ? ORDER BY rowid"
    )


def postgres_window_sql(schema: str, table: str, text_ids: bool) -> Any:
    """The window query on a PostgreSQL events table (a composed psycopg SQL)."""
    from psycopg.sql import SQL, Identifier

    return SQL(
        "SELECT notification_id, {originator}, originator_version, topic, state "
        "FROM {schema}.{table} WHERE notification_id > %s "
        "AND notification_id <= %s ORDER BY notification_id"
    ).format(
        originator=SQL("originator_id" if text_ids else "uuid_send(originator_id)"),
        schema=Identifier(schema),
        table=Identifier(table),
    )


def with_id_bytes(rows: list[Any]) -> list[RawEvent]:
    """Rows whose originator id is text, with the id as its 16 bytes instead."""
    text = [row[1] for row in rows]
    ids: list[bytes] | None = None
    if set(map(len, text)) == {32}:  # the usual 32 hex digits: decode the page at once
        try:
            joined = bytes.fromhex("".join(text))
        except ValueError:
            joined = b""
        if len(joined) == 16 * len(text):  # so no id held anything but hex digits
            ids = [joined[i : i + 16] for i in range(0, len(joined), 16)]
    if ids is None:
        ids = [_id_bytes(value) for value in text]
    return [
        (position, oid, version, topic, state)
        for (position, _, version, topic, state), oid in zip(rows, ids, strict=True)
    ]


def _id_bytes(value: str) -> bytes:
    """The 16 bytes of an originator id stored as text (32 hex digits, usually)."""
    if len(value) == 32:
        try:
            raw = bytes.fromhex(value)
        except ValueError:
            pass
        else:
            if len(raw) == 16:
                return raw
    return UUID(value).bytes


# A reader process's own connection and topics, set once by `start_reader`.
_reader: tuple[Window, BlobTopics] | None = None


def start_reader(source: LogSource, topics: BlobTopics) -> None:
    """Open the log in this (reader) process; Ctrl-C is the verifier's to handle."""
    global _reader
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _reader = (_open(source), topics)


def read_window(low: int, high: int) -> Page:
    """Summarise the window (low, high] in a reader process."""
    if _reader is None:
        raise RuntimeError("this process has no log reader (start_reader first)")
    window, topics = _reader
    return summarise(window(low, high), topics)


def _open(source: LogSource) -> Window:
    if source.backend == "sqlite":
        sqlite = sqlite3.connect(**source.connect, check_same_thread=False)
        sqlite_sql = sqlite_window_sql(source.table)

        def sqlite_window(low: int, high: int) -> list[RawEvent]:
            return with_id_bytes(sqlite.execute(sqlite_sql, (low, high)).fetchall())

        return sqlite_window
    import psycopg

    conn = psycopg.connect(**source.connect, autocommit=True)
    query = postgres_window_sql(source.schema, source.table, source.text_ids)

    def postgres_window(low: int, high: int) -> list[RawEvent]:
        with conn.cursor(binary=True) as cursor:
            cursor.execute(query, (low, high), prepare=True)
            rows: list[Any] = cursor.fetchall()
        return with_id_bytes(rows) if source.text_ids else rows

    return postgres_window

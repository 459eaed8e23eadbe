"""Which generation of each read model is live, and how far each has got."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import (
    BigInteger,
    Column,
    Connection,
    DateTime,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    select,
    update,
)

metadata = MetaData()

tracking = Table(
    "view_tracking",
    metadata,
    Column("name", String(64), primary_key=True),
    Column("generation", Integer, primary_key=True),
    Column("position", BigInteger, nullable=False, default=0),
    Column("state", String(16), nullable=False),
    Column("error", Text),
    Column("error_position", BigInteger),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

active = Table(
    "view_active",
    metadata,
    Column("name", String(64), primary_key=True),
    Column("generation", Integer, nullable=False),
)


@dataclass(frozen=True)
class TrackingRow:
    """The progress of one generation of one read model."""

    name: str
    generation: int
    position: int
    state: str
    error: str | None
    error_position: int | None
    updated_at: datetime


def now() -> datetime:
    """The current UTC time (for bookkeeping columns only, never for events)."""
    return datetime.now(UTC)


def active_generation(conn: Connection, name: str) -> int | None:
    """The live generation of a read model, if it has one."""
    value = conn.execute(
        select(active.c.generation).where(active.c.name == name)
    ).scalar_one_or_none()
    return None if value is None else int(value)


def lock_and_read(conn: Connection, name: str, generation: int) -> TrackingRow | None:
    """Lock the tracking row (a write first, so SQLite takes its lock) and read it."""
    conn.execute(
        update(tracking)
        .where(tracking.c.name == name, tracking.c.generation == generation)
        .values(position=tracking.c.position)
    )
    return read(conn, name, generation)


def read(conn: Connection, name: str, generation: int) -> TrackingRow | None:
    """The tracking row of one generation, if it exists."""
    row = conn.execute(
        select(tracking).where(
            tracking.c.name == name, tracking.c.generation == generation
        )
    ).one_or_none()
    return None if row is None else TrackingRow(**row._mapping)


def read_all(conn: Connection) -> list[TrackingRow]:
    """Every tracking row, live or building."""
    query = select(tracking).order_by(tracking.c.name, tracking.c.generation)
    rows = conn.execute(query)
    return [TrackingRow(**row._mapping) for row in rows]

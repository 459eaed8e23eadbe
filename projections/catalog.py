"""Which generation of each read model is live, and how far each has got."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Column,
    Connection,
    DateTime,
    Engine,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    bindparam,
    delete,
    insert,
    select,
    tuple_,
    update,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.sql.elements import BindParameter

from projections.engine import writing

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


def create(engine: Engine) -> None:
    """Create the catalog tables if they are missing."""
    with writing(engine) as conn:
        metadata.create_all(conn)


def active_generation(conn: Connection, name: str) -> int | None:
    """The live generation of a read model, if it has one."""
    value = conn.execute(
        select(active.c.generation).where(active.c.name == name)
    ).scalar_one_or_none()
    return None if value is None else int(value)


def active_generations(conn: Connection) -> dict[str, int]:
    """The live generation of every read model that has one."""
    rows = conn.execute(select(active.c.name, active.c.generation))
    return {name: int(generation) for name, generation in rows}


def live_generation(engine: Engine, name: str, default: int = 1) -> int:
    """The live generation, making `default` live if there is none yet."""
    with engine.begin() as conn:
        found = active_generation(conn, name)
    if found is not None:
        return found
    try:
        with engine.begin() as conn:
            conn.execute(insert(active).values(name=name, generation=default))
    except IntegrityError:  # another process made one live first
        pass
    with engine.begin() as conn:
        found = active_generation(conn, name)
    assert found is not None
    return found


def switch(conn: Connection, name: str, generation: int) -> int | None:
    """Make a generation live; return the generation it replaced."""
    old = active_generation(conn, name)
    if old is None:
        conn.execute(insert(active).values(name=name, generation=generation))
    else:
        conn.execute(
            update(active).where(active.c.name == name).values(generation=generation)
        )
    conn.execute(
        update(tracking)
        .where(tracking.c.name == name, tracking.c.generation == generation)
        .values(state="live", updated_at=now())
    )
    return old


def forget(conn: Connection, name: str, generation: int) -> None:
    """Remove the tracking row of a retired generation."""
    conn.execute(
        delete(tracking).where(
            tracking.c.name == name, tracking.c.generation == generation
        )
    )


def lock_and_read(conn: Connection, name: str, generation: int) -> TrackingRow | None:
    """Lock the tracking row (a write first, so SQLite takes its lock) and read it."""
    conn.execute(
        update(tracking)
        .where(tracking.c.name == name, tracking.c.generation == generation)
        .values(position=tracking.c.position)
    )
    return read(conn, name, generation)


Pair = tuple[str, int]  # a read model's name and generation

# Built once: a processor reads, locks and moves its tracking rows every batch.
_pairs: BindParameter[Any] = bindparam("pairs", expanding=True)
_key = tuple_(tracking.c.name, tracking.c.generation)
_READ_MANY = select(tracking).where(_key.in_(_pairs))
_LOCK_MANY = (
    update(tracking).where(_key.in_(_pairs)).values(position=tracking.c.position)
)
_ADVANCE_MANY = (
    update(tracking)
    .where(_key.in_(_pairs))
    .values(
        position=bindparam("to_position"),
        error=None,
        error_position=None,
        updated_at=bindparam("to_updated_at"),
    )
)


def read_many(conn: Connection, pairs: Sequence[Pair]) -> list[TrackingRow | None]:
    """The tracking rows of several generations (None where one is missing)."""
    found = {
        (row.name, row.generation): TrackingRow(**row._mapping)
        for row in conn.execute(_READ_MANY, {"pairs": list(pairs)})
    }
    return [found.get(pair) for pair in pairs]


def lock_and_read_many(
    conn: Connection, pairs: Sequence[Pair]
) -> list[TrackingRow | None]:
    """Lock several tracking rows (one write, so SQLite takes its lock); read them."""
    conn.execute(_LOCK_MANY, {"pairs": list(pairs)})
    return read_many(conn, pairs)


def advance_many(conn: Connection, pairs: Sequence[Pair], position: int) -> None:
    """Move several generations to a position, clearing any recorded failure."""
    conn.execute(
        _ADVANCE_MANY,
        {"pairs": list(pairs), "to_position": position, "to_updated_at": now()},
    )


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

"""Temporal tables: every change closes the current row version and adds the next."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Column,
    ColumnElement,
    Connection,
    DateTime,
    Dialect,
    Index,
    Integer,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
    TypeDecorator,
    and_,
    insert,
    or_,
    select,
    update,
)

from projections.processing import Item

BOOKKEEPING = frozenset(
    {"originator_id", "originator_version", "originator_topic", "timestamp", "meta"}
)


class UTCDateTime(TypeDecorator[datetime]):
    """A timestamp stored in UTC and read back timezone-aware on every backend."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(
        self, value: datetime | None, dialect: Dialect
    ) -> datetime | None:
        """Store in UTC (SQLite keeps no zone, so make it the same one always)."""
        if value is None:
            return None
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(
        self, value: datetime | None, dialect: Dialect
    ) -> datetime | None:
        """Read back as an aware UTC datetime."""
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value


def fields_of(event: Any) -> dict[str, Any]:
    """An event's own attributes (its method parameters), without bookkeeping."""
    return {k: v for k, v in vars(event).items() if k not in BOOKKEEPING}


def temporal_table(
    metadata: MetaData, name: str, keys: list[Column[Any]], *columns: Column[Any]
) -> Table:
    """A table of row versions keyed by `keys` and the position they start at."""
    key_names = [c.name for c in keys]
    table = Table(
        name,
        metadata,
        *keys,
        *columns,
        Column("version", Integer, nullable=False),
        Column("status", String(32), nullable=False),
        Column("created_at", UTCDateTime, nullable=False),
        Column("recorded_at", UTCDateTime, nullable=False),
        Column("position", BigInteger, nullable=False),
        Column("valid_from_position", BigInteger, nullable=False),
        Column("valid_from", UTCDateTime, nullable=False),
        Column("valid_to_position", BigInteger),
        Column("valid_to", UTCDateTime),
        PrimaryKeyConstraint(*key_names, "valid_from_position"),
    )
    Index(f"{name}_current", *key_names, "valid_to_position")
    Index(f"{name}_from", "valid_from", "valid_to")
    return table


def current(table: Table) -> ColumnElement[bool]:
    """Rows that hold now."""
    return table.c.valid_to_position.is_(None)


def as_at(table: Table, when: datetime | None) -> ColumnElement[bool]:
    """Rows that held at an instant (the current ones when it is None)."""
    if when is None:
        return current(table)
    return and_(
        table.c.valid_from <= when,
        or_(table.c.valid_to.is_(None), table.c.valid_to > when),
    )


def current_row(
    conn: Connection, table: Table, keys: dict[str, Any]
) -> dict[str, Any] | None:
    """The current row version of one entity, if it has one."""
    where = [table.c[k] == v for k, v in keys.items()]
    row = conn.execute(select(table).where(*where, current(table))).one_or_none()
    return None if row is None else dict(row._mapping)


def write(
    conn: Connection,
    table: Table,
    item: Item,
    keys: dict[str, Any],
    changes: dict[str, Any],
    before: dict[str, Any] | None,
) -> dict[str, Any]:
    """Close the entity's current row version (`before`) and insert the next.

    `before` is None when the event creates the entity; `changes` may set the
    version when the event belongs to another aggregate.
    """
    timestamp = item.event.timestamp
    if before is None:
        before = {"created_at": timestamp}
    else:
        where = [table.c[k] == v for k, v in keys.items()]
        conn.execute(
            update(table)
            .where(*where, current(table))
            .values(valid_to_position=item.position, valid_to=timestamp)
        )
    row = {
        **before,
        "version": item.event.originator_version,
        **changes,
        **keys,
        "recorded_at": timestamp,
        "position": item.position,
        "valid_from_position": item.position,
        "valid_from": timestamp,
        "valid_to_position": None,
        "valid_to": None,
    }
    conn.execute(insert(table), row)
    return row

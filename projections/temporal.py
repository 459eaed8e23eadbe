"""Temporal tables: every change closes the current row version and adds the next."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Column,
    ColumnElement,
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
    or_,
)

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
    Index(
        f"{name}_current", *(table.c[k] for k in key_names), table.c.valid_to_position
    )
    return table


def project_indexes(table: Table) -> None:
    """Indexes that serve a project's list, now and as at a time, in list order.

    Both end in (created_at, id), the default keyset order, so a page stops
    after `limit` rows; the as-at one holds the validity range, so versions
    that do not hold at the instant are skipped inside the index.
    """
    c = table.c
    Index(
        f"{table.name}_project", c.project_id, c.valid_to_position, c.created_at, c.id
    )
    Index(
        f"{table.name}_as_at",
        *(c.project_id, c.created_at, c.id, c.valid_from, c.valid_to),
    )


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

"""Many rows written with one DB-API executemany, bound column by column.

SQLAlchemy's executemany processes every parameter of every row on its own
(type lookups, bind processors, dict building). Here each column's bind
processor — the very function SQLAlchemy would call, so the stored values are
the same — is looked up once and run over the whole column, and the rows go to
the driver in one executemany of the statement SQLAlchemy compiled. Binding
needs only the dialect, so a batch's rows can be bound before its write
transaction starts and the lock is held only while the driver runs. Timestamps
repeat across a batch's rows (an event's time is its row's `recorded_at` and
`valid_from` and the closed row's `valid_to`), so each distinct one is
converted once and the columns filled from that memo.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta, timezone
from functools import partial
from operator import itemgetter
from typing import Any, NamedTuple

from sqlalchemy import (
    Connection,
    Dialect,
    Table,
    UpdateBase,
    bindparam,
    insert,
    update,
)

from projections.temporal import UTCDateTime

Convert = Callable[[Any], Any]
ConvertColumn = Callable[[list[Any]], list[Any]]
# Timestamps remembered per statement: a rebuild batch's worth and more (a
# smaller memo would be cleared column after column and convert them all again).
MEMO_LIMIT = 50_000


class Rows:
    """One INSERT or UPDATE run over many rows (dicts keyed by parameter name)."""

    def __init__(
        self, table: Table, statement: UpdateBase, params: dict[str, str]
    ) -> None:
        # params: parameter name -> the column whose type binds it.
        self.table = table
        self.statement = statement
        self.params = params
        self._compiled: dict[str, tuple[str, tuple[str, ...] | None]] = {}
        self._converters: dict[str, list[ConvertColumn | None]] = {}

    def _compile(self, dialect: Dialect) -> tuple[str, tuple[str, ...] | None]:
        if dialect.name not in self._compiled:
            compiled = self.statement.compile(
                dialect=dialect, column_keys=list(self.params)
            )
            order = compiled.positiontup
            self._compiled[dialect.name] = (
                compiled.string,
                tuple(order) if order is not None else None,
            )
        return self._compiled[dialect.name]

    def _convert(
        self, dialect: Dialect, names: Sequence[str]
    ) -> list[ConvertColumn | None]:
        if dialect.name not in self._converters:
            found: list[ConvertColumn | None] = []
            # One memo for the statement's timestamps: an event's time fills
            # several columns (recorded_at, valid_from, valid_to, ...).
            memo: dict[Any, Any] = {}
            for name in names:
                column_type = self.table.c[self.params[name]].type
                impl = column_type.dialect_impl(dialect)
                process: Convert | None = impl.bind_processor(dialect)
                if process is None:
                    found.append(None)
                elif isinstance(column_type, UTCDateTime):
                    found.append(_per_distinct(_faster(process, dialect), memo))
                else:
                    found.append(partial(_each, process))
            self._converters[dialect.name] = found
        return self._converters[dialect.name]

    def bind(self, dialect: Dialect, rows: Sequence[dict[str, Any]]) -> Bound:
        """The statement's SQL and every row bound column by column for dialect."""
        sql, order = self._compile(dialect)
        if not rows:
            return Bound(sql, [])
        names = order or tuple(self.params)
        columns = []
        for name, convert in zip(names, self._convert(dialect, names), strict=True):
            column = list(map(itemgetter(name), rows))
            columns.append(column if convert is None else convert(column))
        bound: list[Any] = list(zip(*columns, strict=True))
        if order is None:  # named parameters (psycopg)
            bound = [dict(zip(names, values, strict=True)) for values in bound]
        return Bound(sql, bound)

    def execute(self, conn: Connection, rows: Sequence[dict[str, Any]]) -> None:
        """Bind every row column by column and run one executemany."""
        run(conn, self.bind(conn.dialect, rows))


class Bound(NamedTuple):
    """A statement's SQL and its rows' parameters, ready for the driver."""

    sql: str
    params: list[Any]


def run(conn: Connection, bound: Bound) -> None:
    """Run bound rows as one executemany (nothing if there are none)."""
    if bound.params:
        conn.exec_driver_sql(bound.sql, bound.params)


def _faster(process: Convert, dialect: Dialect) -> Convert:
    """SQLite's text for a UTCDateTime without the per-value dict formatting.

    Used only if it gives exactly what SQLAlchemy's processor gives.
    """
    if dialect.name != "sqlite":
        return process

    def text(value: datetime | None) -> str | None:
        if value is None:
            return None
        utc = value.astimezone(UTC).replace(tzinfo=None)
        return utc.isoformat(" ", "microseconds")

    samples = [
        None,
        datetime(2026, 11, 30, 7, 25, 16, 123456, tzinfo=UTC),
        datetime(2026, 1, 2, 3, 4, 5, tzinfo=timezone(timedelta(hours=-5))),
        datetime(999, 12, 31, 23, 59, 59, 1, tzinfo=UTC),
    ]
    return text if all(text(v) == process(v) for v in samples) else process


def _each(process: Convert, column: list[Any]) -> list[Any]:
    return list(map(process, column))


def _per_distinct(process: Convert, memo: dict[Any, Any]) -> ConvertColumn:
    """Convert each distinct value once, remembered from batch to batch."""

    def convert(column: list[Any]) -> list[Any]:
        missing = set(column).difference(memo)
        if missing:
            if len(memo) + len(missing) > MEMO_LIMIT:
                memo.clear()
                missing = set(column)
            for value in missing:
                memo[value] = process(value)
        return list(map(memo.__getitem__, column))

    return convert


def insert_rows(table: Table) -> Rows:
    """Whole rows inserted, parameters named as the columns."""
    return Rows(table, insert(table), {c.name: c.name for c in table.columns})


def update_rows(table: Table, sets: Sequence[str], keys: Sequence[str]) -> Rows:
    """Rows updated by key: parameters `to_<column>` set, `key_<column>` match."""
    c = table.c
    statement = (
        update(table)
        .where(*(c[k] == bindparam(f"key_{k}", type_=c[k].type) for k in keys))
        .values({s: bindparam(f"to_{s}", type_=c[s].type) for s in sets})
    )
    params = {f"to_{s}": s for s in sets} | {f"key_{k}": k for k in keys}
    return Rows(table, statement, params)

"""Many rows written with one DB-API executemany, bound column by column.

SQLAlchemy's executemany processes every parameter of every row on its own
(type lookups, bind processors, dict building). Here each column's bind
processor — the very function SQLAlchemy would call, so the stored values are
the same — is looked up once and run over the whole column, and the rows go to
the driver in one executemany of the statement SQLAlchemy compiled. Timestamps
repeat across a batch's rows (an event's time is its row's `recorded_at` and
`valid_from` and the closed row's `valid_to`), so each distinct one is
converted once.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import (
    Connection,
    DateTime,
    Dialect,
    Table,
    UpdateBase,
    bindparam,
    insert,
    update,
)

Convert = Callable[[Any], Any]
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
        self._converters: dict[str, list[Convert | None]] = {}

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

    def _convert(self, dialect: Dialect, names: Sequence[str]) -> list[Convert | None]:
        if dialect.name not in self._converters:
            found: list[Convert | None] = []
            for name in names:
                column_type = self.table.c[self.params[name]].type
                impl = column_type.dialect_impl(dialect)
                process: Convert | None = impl.bind_processor(dialect)
                if process is not None and _is_time(column_type):
                    process = _memoised(process)
                found.append(process)
            self._converters[dialect.name] = found
        return self._converters[dialect.name]

    def execute(self, conn: Connection, rows: Sequence[dict[str, Any]]) -> None:
        """Bind every row column by column and run one executemany."""
        if not rows:
            return
        dialect = conn.dialect
        sql, order = self._compile(dialect)
        names = order or tuple(self.params)
        columns = []
        for name, process in zip(names, self._convert(dialect, names), strict=True):
            values = [row[name] for row in rows]
            if process is not None:
                values = [process(v) for v in values]
            columns.append(values)
        bound: list[Any] = list(zip(*columns, strict=True))
        if order is None:  # named parameters (psycopg)
            bound = [dict(zip(names, values, strict=True)) for values in bound]
        conn.exec_driver_sql(sql, bound)


def _is_time(column_type: Any) -> bool:
    return isinstance(column_type, DateTime) or isinstance(
        getattr(column_type, "impl", None), DateTime
    )


def _memoised(process: Convert) -> Convert:
    memo: dict[Any, Any] = {}

    def cached(value: Any) -> Any:
        try:
            return memo[value]
        except KeyError:
            if len(memo) > MEMO_LIMIT:
                memo.clear()
            converted = memo[value] = process(value)
            return converted

    return cached


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

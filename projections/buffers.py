"""Plain tables written a batch at a time: appended rows and a cached key lookup."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, Table, bindparam, select

from projections.rows import insert_rows


class Appends:
    """Rows added to one table, written with one executemany when the batch ends."""

    def __init__(self, table: Table) -> None:
        self._insert = insert_rows(table)
        self.reset()

    def reset(self) -> None:
        """Drop the rows held (a new batch, or a rolled-back one)."""
        self._rows: list[dict[str, Any]] = []

    def add(self, row: dict[str, Any]) -> None:
        """Hold one row (every row of a table with the same keys)."""
        self._rows.append(row)

    def flush(self, conn: Connection) -> None:
        """Insert the rows held."""
        self._insert.execute(conn, self._rows)
        self.reset()


class Lookup:
    """A table mapping a key to a value that never changes once written.

    Each key is read at most once per batch; new pairs are inserted when it ends.
    """

    def __init__(self, table: Table, key: str, value: str) -> None:
        self._key, self._value = key, value
        self._select = select(table.c[value]).where(table.c[key] == bindparam("key"))
        self._appends = Appends(table)
        self.reset()

    def reset(self) -> None:
        """Forget the pairs held (a new batch, or a rolled-back one)."""
        self._known: dict[Any, Any] = {}
        self._appends.reset()

    def get(self, conn: Connection, key: Any) -> Any:
        """The value stored for a key, or None."""
        if key not in self._known:
            found = conn.execute(self._select, {"key": key}).scalar_one_or_none()
            self._known[key] = found
        return self._known[key]

    def add(self, key: Any, value: Any) -> None:
        """Store a new pair (written when the batch ends)."""
        self._known[key] = value
        self._appends.add({self._key: key, self._value: value})

    def flush(self, conn: Connection) -> None:
        """Insert the pairs added in this batch."""
        self._appends.flush(conn)

"""Plain tables written a batch at a time: appended rows and a cached key lookup."""

from __future__ import annotations

import itertools
from typing import Any

from sqlalchemy import Connection, Dialect, Table, bindparam, select, update

from projections.rows import Bound, insert_rows, run

# Pairs a Lookup remembers from batch to batch (a key and a value each).
REMEMBERED = 50_000


class Appends:
    """Rows added to one table, written with one executemany when the batch ends."""

    def __init__(self, table: Table) -> None:
        self._insert = insert_rows(table)
        self.reset()

    def reset(self) -> None:
        """Drop the rows held (a new batch, or a rolled-back one)."""
        self._rows: list[dict[str, Any]] = []
        self._bound: Bound | None = None

    def forget(self) -> None:
        """Nothing is remembered across batches."""
        self.reset()

    def add(self, row: dict[str, Any]) -> None:
        """Hold one row (every row of a table with the same keys)."""
        self._rows.append(row)
        self._bound = None

    def changed(self) -> None:
        """A held row was changed in place: bind the rows again when flushing."""
        self._bound = None

    def prepare(self, dialect: Dialect) -> None:
        """Bind the rows held, ahead of the flush."""
        self._bound = self._insert.bind(dialect, self._rows)

    def flush(self, conn: Connection) -> None:
        """Insert the rows held."""
        run(conn, self._bound or self._insert.bind(conn.dialect, self._rows))
        self.reset()


class Lookup:
    """A table mapping a key to a value that never changes once written.

    Pairs read or added are remembered from batch to batch (up to REMEMBERED);
    new pairs are inserted when the batch ends.
    """

    def __init__(self, table: Table, key: str, value: str) -> None:
        self._key, self._value = key, value
        self._select = select(table.c[value]).where(table.c[key] == bindparam("key"))
        self._appends = Appends(table)
        self.forget()

    def forget(self) -> None:
        """Forget every pair (a rolled-back batch, or another process wrote)."""
        self._known: dict[Any, Any] = {}
        self.reset()

    def reset(self) -> None:
        """Drop the new pairs held (a new batch)."""
        self._appends.reset()
        self._pending: set[Any] = set()

    def get(self, conn: Connection, key: Any) -> Any:
        """The value stored for a key, or None."""
        try:
            return self._known[key]
        except KeyError:
            found = conn.execute(self._select, {"key": key}).scalar_one_or_none()
            self._remember(key, found)
            return found

    def add(self, key: Any, value: Any) -> None:
        """Store a new pair (written when the batch ends)."""
        self._remember(key, value)
        self._pending.add(key)
        self._appends.add({self._key: key, self._value: value})

    def _remember(self, key: Any, value: Any) -> None:
        known = self._known
        if len(known) >= REMEMBERED + len(self._pending):  # pending ones stay
            for old in list(itertools.islice(known, REMEMBERED // 2)):
                if old not in self._pending:  # not yet written: keep
                    del known[old]
        known[key] = value

    def prepare(self, dialect: Dialect) -> None:
        """Bind the pairs added in this batch, ahead of the flush."""
        self._appends.prepare(dialect)

    def flush(self, conn: Connection) -> None:
        """Insert the pairs added in this batch."""
        self._appends.flush(conn)


class Holds:
    """Legal holds placed and released in a batch, written when it ends.

    A hold released in the batch that placed it is inserted already released;
    one placed before is released by an UPDATE of its open row.
    """

    def __init__(self, table: Table) -> None:
        self._appends = Appends(table)
        c = table.c
        self._release = (
            update(table)
            .where(
                c.document_id == bindparam("key_document_id"),
                c.hold_id == bindparam("key_hold_id"),
                c.released_position.is_(None),
            )
            .values(
                released_at=bindparam("to_released_at", type_=c.released_at.type),
                released_by=bindparam("to_released_by"),
                released_position=bindparam("to_released_position"),
            )
        )
        self.reset()

    def reset(self) -> None:
        """Drop what is held (a new batch, or a rolled-back one)."""
        self._appends.reset()
        self._open: dict[tuple[Any, str], dict[str, Any]] = {}
        self._releases: list[dict[str, Any]] = []

    def forget(self) -> None:
        """Nothing is remembered across batches."""
        self.reset()

    def place(self, row: dict[str, Any]) -> None:
        """Hold a placed hold's row."""
        self._appends.add(row)
        self._open[(row["document_id"], row["hold_id"])] = row

    def release(self, document_id: Any, hold_id: str, **released: Any) -> None:
        """Release the open hold of that id on the document."""
        placed = self._open.pop((document_id, hold_id), None)
        if placed is not None:
            placed.update(released)
            self._appends.changed()
            return
        self._releases.append(
            {"key_document_id": document_id, "key_hold_id": hold_id}
            | {f"to_{k}": v for k, v in released.items()}
        )

    def prepare(self, dialect: Dialect) -> None:
        """Bind this batch's placements, ahead of the flush."""
        self._appends.prepare(dialect)

    def flush(self, conn: Connection) -> None:
        """Release the holds placed before this batch, then insert its placements."""
        # In this order an UPDATE never meets a hold this batch placed again.
        if self._releases:
            conn.execute(self._release, self._releases)
        self._appends.flush(conn)
        self.reset()

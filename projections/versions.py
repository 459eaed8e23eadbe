"""Row versions written a batch at a time: current rows remembered, writes flushed.

Only one processor writes a generation's tables (the tracking row decides), so
the current version of an entity is read from the database at most once and
then kept in memory, from batch to batch (up to REMEMBERED entities; the
processor makes this object forget them all if another process wrote). A
version created and superseded within a batch is inserted already closed; the
batch's closing UPDATEs and its INSERTs go out as one executemany each.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, Dialect, Table, bindparam, select

from projections.read_model import Item
from projections.rows import Bound, insert_rows, run, update_rows

# Current row versions remembered from batch to batch, per table (oldest first).
REMEMBERED = 5_000


class Versions:
    """The row versions of one temporal table that a batch reads and writes."""

    def __init__(self, table: Table, keys: Sequence[str]) -> None:
        self.table = table
        self.keys = tuple(keys)
        self._blank = dict.fromkeys(c.name for c in table.columns)
        self._close_keys = tuple(f"key_{k}" for k in self.keys)
        c = table.c
        # Built once: SQLAlchemy then reuses the compiled form for every batch.
        self._select = select(table).where(
            *(c[k] == bindparam(k) for k in self.keys), c.valid_to_position.is_(None)
        )
        closes, matches = ("valid_to_position", "valid_to"), ("valid_from_position",)
        self._close = update_rows(table, closes, (*self.keys, *matches))
        self._insert = insert_rows(table)
        self.forget()

    def forget(self) -> None:
        """Forget every row version held (another process may have written)."""
        self._current: dict[tuple[Any, ...], dict[str, Any] | None] = {}
        self.reset()

    def reset(self) -> None:
        """Drop the writes held (a new batch); current versions stay remembered."""
        self._new: dict[tuple[Any, ...], dict[str, Any]] = {}
        self._inserts: list[dict[str, Any]] = []
        self._closes: list[dict[str, Any]] = []
        self._bound: tuple[Bound, Bound] | None = None

    def current(self, conn: Connection, keys: dict[str, Any]) -> dict[str, Any] | None:
        """The entity's current row version (read-only), if it has one."""
        key = tuple(keys[k] for k in self.keys)
        try:
            return self._current[key]
        except KeyError:
            found = conn.execute(self._select, keys).one_or_none()
            row = None if found is None else dict(found._mapping)
            self._remember(key, row)
            return row

    def _remember(self, key: tuple[Any, ...], row: dict[str, Any] | None) -> None:
        current = self._current
        current.pop(key, None)
        # Rows this batch has yet to write count on top of REMEMBERED: a large
        # batch may hold more, and evicting then would find none to drop, on
        # every call.
        if len(current) >= REMEMBERED + len(self._new):
            # Keep memory flat: drop the least recently written half.
            for old in list(itertools.islice(current, REMEMBERED // 2)):
                if old not in self._new:  # never what this batch has yet to write
                    del current[old]
        current[key] = row

    def write(
        self,
        item: Item,
        keys: dict[str, Any],
        changes: dict[str, Any],
        before: dict[str, Any] | None,
    ) -> dict[str, Any]:
        """Close the entity's current row version (`before`) and add the next.

        `before` is None when the event creates the entity; `changes` may set the
        version when the event belongs to another aggregate.
        """
        timestamp = item.event.timestamp
        key = tuple(keys[k] for k in self.keys)
        self._bound = None  # rows held change: bind them again
        if before is None:
            row = {**self._blank, "created_at": timestamp}
        else:
            if self._new.get(key) is before:  # added in this batch: close it unwritten
                before.update(valid_to_position=item.position, valid_to=timestamp)
            else:
                close = dict(zip(self._close_keys, key, strict=True))
                close.update(
                    key_valid_from_position=before["valid_from_position"],
                    to_valid_to_position=item.position,
                    to_valid_to=timestamp,
                )
                self._closes.append(close)
            # Every column, from the version before; other keys are carried
            # along unwritten (cheaper than filtering each row).
            row = before.copy()
        row["version"] = item.event.originator_version
        row.update(changes)
        row.update(keys)
        row.update(
            recorded_at=timestamp,
            position=item.position,
            valid_from_position=item.position,
            valid_from=timestamp,
            valid_to_position=None,
            valid_to=None,
        )
        self._inserts.append(row)
        self._new[key] = row
        self._remember(key, row)
        return row

    def prepare(self, dialect: Dialect) -> None:
        """Bind the batch's closes and new rows, ahead of the flush.

        Only once the batch is worked out: a later event of the batch may
        still close a row it added.
        """
        self._bound = (
            self._close.bind(dialect, self._closes),
            self._insert.bind(dialect, self._inserts),
        )

    def flush(self, conn: Connection) -> None:
        """Write the batch's closes, then its new rows; start the next batch empty."""
        closes, inserts = self._bound or (
            self._close.bind(conn.dialect, self._closes),
            self._insert.bind(conn.dialect, self._inserts),
        )
        run(conn, closes)
        run(conn, inserts)
        self.reset()

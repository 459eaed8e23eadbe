"""The stored side of verification: leaves and inner nodes, compared in tree order.

What the events recompute to is checked against what the ledger stored. Split
from `integrity/verifier.py`, which walks the event log and the
heads; the first disagreement is raised as `MismatchError`.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Connection

# New inner nodes of one page, by level: (index of the first, their hashes).
Created = dict[int, tuple[int, list[bytes]]]


class MismatchError(Exception):
    """The first disagreement: verification ends here."""

    def __init__(self, reason: str, position: int | None = None) -> None:
        super().__init__(reason)
        self.reason, self.position = reason, position


def collect_nodes(created: Created, new: list[tuple[int, int, list[bytes]]]) -> None:
    """Add one extension's inner nodes (each level continues the one before)."""
    for level, start, digests in new:
        if level == 0:
            continue
        if level in created:
            created[level][1].extend(digests)
        else:
            created[level] = (start, list(digests))


def check_leaves(
    positions: Sequence[int],
    hashes: Sequence[bytes],
    stored: Sequence[tuple[int, bytes]],
    first: int,
) -> None:
    """Stored leaves must be these events' with these hashes; name the first not."""
    if stored == list(zip(positions, hashes[: len(stored)], strict=False)):
        return
    for index, (event, digest, (position, leaf)) in enumerate(
        zip(positions, hashes, stored, strict=False), first
    ):
        if position < event:
            raise MismatchError(
                f"no event is stored here, but leaf {index} was recorded for it "
                "(event deleted?)",
                position,
            )
        if position > event:
            raise MismatchError(
                f"this event is not in the ledger: leaf {index} was recorded for "
                f"position {position} (event inserted?)",
                event,
            )
        if bytes(leaf) != digest:
            raise MismatchError(
                f"the stored event does not hash to leaf {index} recorded for it "
                "(event edited or moved, or leaf edited)",
                event,
            )


class StoredLedger:
    """The stored leaves and nodes, read with a DB-API cursor in tree order."""

    def __init__(self, conn: Connection) -> None:
        self.cursor = conn.connection.cursor()
        self.mark = "?" if conn.dialect.paramstyle == "qmark" else "%s"
        self.window_sql = (
            "SELECT position, leaf_hash FROM ledger_leaves "
            "WHERE leaf_index >= ? AND leaf_index < ? ORDER BY leaf_index"
        ).replace("?", self.mark)
        self.after_sql = (
            "SELECT position, leaf_hash FROM ledger_leaves "
            "WHERE leaf_index >= ? AND leaf_index < ? ORDER BY leaf_index LIMIT ?"
        ).replace("?", self.mark)

    def leaves(self, first: int, count: int, size: int) -> list[tuple[int, bytes]]:
        """(position, leaf hash) of the first `count` stored leaves from `first`.

        One bounded window of indices; only when rows are missing from it (a
        deleted leaf) are the next ones read, so the rows compared stay the
        first `count` stored, as a plain LIMIT would give.
        """
        end = min(first + count, size)
        self.cursor.execute(self.window_sql, (first, end))
        rows = list(self.cursor.fetchall())
        if len(rows) < end - first:
            self.cursor.execute(self.after_sql, (end, size, end - first - len(rows)))
            rows += self.cursor.fetchall()
        return rows

    def leaf_position(self, first: int, size: int) -> int | None:
        """The position of the first stored leaf from index `first`, if any."""
        self.cursor.execute(self.after_sql, (first, size, 1))
        rows = self.cursor.fetchall()
        return int(rows[0][0]) if rows else None

    def check_nodes(
        self,
        created: Created,
        stored_size: int,
        positions: Sequence[int],
        first: int,
    ) -> None:
        """Every new node inside the stored tree must be stored with that hash."""
        wanted: list[tuple[int, int, bytes]] = []
        bounds: list[int] = []  # level, first index, last index: one range a level
        for level, (start, digests) in sorted(created.items()):
            count = min(len(digests), (stored_size >> level) - start)
            if count > 0:
                wanted += [
                    (level, index, digest)
                    for index, digest in enumerate(digests[:count], start)
                ]
                bounds += (level, start, start + count - 1)
        if not wanted:
            return
        m = self.mark
        where = " OR ".join(
            [f"(level = {m} AND node_index BETWEEN {m} AND {m})"] * (len(bounds) // 3)
        )
        self.cursor.execute(
            f"SELECT level, node_index, hash FROM ledger_nodes WHERE {where} "  # noqa: S608
            "ORDER BY level, node_index",
            bounds,
        )
        found = self.cursor.fetchall()
        if found == wanted:
            return
        stored = {(int(r[0]), int(r[1])): bytes(r[2]) for r in found}
        for level, index, digest in sorted(wanted, key=lambda w: (w[1] + 1) << w[0]):
            if stored.get((level, index)) != digest:
                last_leaf = ((index + 1) << level) - 1
                raise MismatchError(
                    f"stored ledger node (level {level}, index {index}) "
                    "differs from the hash recomputed from the events",
                    positions[last_leaf - first],
                )

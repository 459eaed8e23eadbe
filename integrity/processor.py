"""The ledger processor: one Merkle leaf per stored event, in notification order.

Leaf indices are their own dense sequence because notification ids can have
gaps (a refused insert consumes an id on PostgreSQL). Leaves, completed
subtree hashes and the tracking position are written in one transaction per
batch. The frontier stays in memory between batches and is reloaded from the
tables whenever the tracking position is not the one it was built for (a
restart, a rolled-back batch, or another process that moved the ledger on).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from eventsourcing.persistence import ApplicationRecorder, Mapper
from sqlalchemy import Connection, Engine, MetaData

from integrity.eventlog import read_events_page
from integrity.leaf import RawEvent, leaf_hashes
from integrity.tables import (
    GENERATION,
    NAME,
    SqlNodeStore,
    leaves,
    members,
    nodes,
    tree_size,
)
from integrity.tables import metadata as ledger_metadata
from integrity.tree import Frontier
from projections import catalog
from projections.processing import ProcessingError, Processor
from projections.read_model import Item, ReadModel

BATCH_SIZE = 5000


class LedgerModel(ReadModel):
    """The ledger's tables; always generation 1 and never rebuilt."""

    name = NAME
    decode = False

    def __init__(self) -> None:
        super().__init__(GENERATION)

    def define(self, metadata: MetaData, prefix: str) -> None:
        """Use the fixed-name ledger tables (heads must stay provable forever)."""
        for table in ledger_metadata.tables.values():
            table.to_metadata(metadata)

    def apply(self, conn: Connection, item: Item) -> None:
        """Not used: LedgerProcessor appends whole batches."""
        raise NotImplementedError("the ledger appends whole batches")


@dataclass
class _Frontier:
    """The in-memory right edge of the tree and the tracking position it is for."""

    position: int
    edge: Frontier


class LedgerProcessor(Processor):
    """Appends leaves batch by batch with executemany, exactly once."""

    def __init__(
        self,
        engine: Engine,
        recorder: ApplicationRecorder,
        mapper: Mapper[Any],
        batch_size: int = BATCH_SIZE,
    ) -> None:
        super().__init__(LedgerModel(), engine, recorder, mapper, batch_size)
        self._frontier: _Frontier | None = None

    def run_batch(self) -> int:
        """Append the next batch of events; return how many positions it covered."""
        position = 0
        try:
            with self.engine.begin() as conn:
                row = catalog.lock_and_read(conn, NAME, GENERATION)
                if row is None:
                    raise LookupError(f"{NAME} has no tracking row")
                head = self.recorder.max_notification_id() or 0
                if head <= row.position:
                    self.backlog = False
                    return 0
                frontier = self._frontier_at(conn, row.position)
                batch = read_events_page(
                    self.recorder, row.position, head, self.batch_size
                )
                if batch:
                    position = batch[0][0]
                    self._append(conn, frontier.edge, batch)
                full = len(batch) == self.batch_size
                self.backlog = full
                reached = batch[-1][0] if full else head
                self._advance(conn, reached)
            frontier.position = reached
            return reached - row.position
        except LookupError:
            self._frontier = None
            raise
        except Exception as error:
            self._frontier = None
            if not position:
                raise
            self._record_failure(position, error)
            raise ProcessingError(self.name, position, error) from error

    def _frontier_at(self, conn: Connection, position: int) -> _Frontier:
        frontier = self._frontier
        if frontier is None or frontier.position != position:
            edge = Frontier.load(SqlNodeStore(conn), tree_size(conn))
            frontier = self._frontier = _Frontier(position, edge)
        return frontier

    def _append(
        self, conn: Connection, edge: Frontier, batch: Sequence[RawEvent]
    ) -> None:
        first = edge.size
        hashes = leaf_hashes(batch)
        created = edge.extend(hashes)
        _insert_many(
            conn,
            leaves.name,
            (
                "leaf_index",
                "position",
                "originator_id",
                "originator_version",
                "leaf_hash",
            ),
            [
                (index, event[0], event[1].hex(), event[2], digest)
                for index, event, digest in zip(
                    range(first, first + len(batch)), batch, hashes, strict=True
                )
            ],
        )
        inner = [
            (level, index, digest)
            for level, start, digests in created[1:]
            for index, digest in enumerate(digests, start)
        ]
        if inner:
            _insert_many(conn, nodes.name, ("level", "node_index", "hash"), inner)
        owned = [m for m in map(_membership, batch) if m is not None]
        if owned:
            _insert_many(conn, members.name, ("originator_id", "project_id"), owned)


def _insert_many(
    conn: Connection,
    table: str,
    columns: Sequence[str],
    rows: Sequence[Sequence[object]],
) -> None:
    """Bulk insert at the driver: a batch of leaves is the hot path.

    PostgreSQL gets COPY (one stream, not a statement per row); SQLite an
    executemany. UUIDs go as 32 hex digits: SQLAlchemy's Uuid column holds that
    text on SQLite, and PostgreSQL parses it as a uuid.
    """
    names = ", ".join(columns)
    if conn.dialect.name == "postgresql":
        driver = conn.connection.driver_connection
        copy_sql = f"COPY {table} ({names}) FROM STDIN"
        with driver.cursor() as cursor, cursor.copy(copy_sql) as copy:  # type: ignore[union-attr]
            for row in rows:
                copy.write_row(row)
        return
    mark = "?" if conn.dialect.paramstyle == "qmark" else "%s"
    sql = (
        f"INSERT INTO {table} ({names}) "  # noqa: S608 - fixed names
        f"VALUES ({', '.join([mark] * len(columns))})"
    )
    conn.exec_driver_sql(sql, rows)


def _membership(event: RawEvent) -> tuple[str, str] | None:
    """(aggregate, project) as hex, read from an aggregate's creation event."""
    _, originator, version, _, state = event
    if version != 1 or b'"project_id"' not in state:
        return None
    try:
        value = json.loads(state)["project_id"]["_data_"]
        return originator.hex(), UUID(hex=value).hex
    except (ValueError, KeyError, TypeError):
        return None


def ledger_processor(
    engine: Engine,
    recorder: ApplicationRecorder,
    mapper: Mapper[Any],
    batch_size: int = BATCH_SIZE,
) -> LedgerProcessor:
    """A ledger processor with its tables and tracking row in place."""
    catalog.metadata.create_all(engine)
    processor = LedgerProcessor(engine, recorder, mapper, batch_size)
    processor.ensure_tables(state="live")
    return processor

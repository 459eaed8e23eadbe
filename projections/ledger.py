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
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from eventsourcing.persistence import ApplicationRecorder, Mapper, Notification
from sqlalchemy import Connection, Engine, MetaData

from projections import catalog
from projections.ledger_tables import (
    GENERATION,
    NAME,
    SqlNodeStore,
    leaves,
    members,
    nodes,
    tree_size,
)
from projections.ledger_tables import metadata as ledger_metadata
from projections.processing import Item, ProcessingError, Processor, ReadModel
from service.ledger.leaf import event_leaf_hash
from service.ledger.merkle import MerkleTree

log = logging.getLogger(__name__)

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
    """The in-memory tree and the tracking position it is valid for."""

    position: int
    tree: MerkleTree
    store: SqlNodeStore


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
                    return 0
                frontier = self._frontier_at(conn, row.position)
                batch = self.recorder.select_notifications(
                    start=row.position + 1, limit=self.batch_size, stop=head
                )
                if batch:
                    position = batch[0].id
                    self._append(conn, frontier, batch)
                full = len(batch) == self.batch_size
                reached = batch[-1].id if full else head
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
            store = SqlNodeStore(conn)
            frontier = _Frontier(position, MerkleTree(store, tree_size(conn)), store)
            self._frontier = frontier
        frontier.store.conn = conn
        frontier.store.cache.clear()
        return frontier

    def _append(
        self, conn: Connection, frontier: _Frontier, batch: Sequence[Notification]
    ) -> None:
        first = frontier.tree.size
        hashes = [
            event_leaf_hash(
                n.id, as_uuid(n.originator_id), n.originator_version, n.topic, n.state
            )
            for n in batch
        ]
        frontier.store.pending.clear()
        frontier.tree.extend(hashes)
        uuid = _uuid_param(conn)
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
                (
                    first + i,
                    n.id,
                    uuid(as_uuid(n.originator_id)),
                    n.originator_version,
                    digest,
                )
                for i, (n, digest) in enumerate(zip(batch, hashes, strict=True))
            ],
        )
        inner = [node for node in frontier.store.pending if node[0]]
        if inner:
            _insert_many(conn, nodes.name, ("level", "node_index", "hash"), inner)
        owned = [m for m in map(_membership, batch) if m is not None]
        if owned:
            _insert_many(
                conn,
                members.name,
                ("originator_id", "project_id"),
                [(uuid(oid), uuid(pid)) for oid, pid in owned],
            )


def _uuid_param(conn: Connection) -> Callable[[UUID], object]:
    """How the driver takes a UUID column as SQLAlchemy's Uuid type stores it."""
    if conn.dialect.name == "sqlite":
        return lambda value: value.hex
    return lambda value: value


def _insert_many(
    conn: Connection,
    table: str,
    columns: Sequence[str],
    rows: Sequence[Sequence[object]],
) -> None:
    """executemany at the driver: a batch of leaves is the hot path."""
    mark = "?" if conn.dialect.paramstyle == "qmark" else "%s"
    sql = (
        f"INSERT INTO {table} ({', '.join(columns)}) "  # noqa: S608 - fixed names
        f"VALUES ({', '.join([mark] * len(columns))})"
    )
    conn.exec_driver_sql(sql, [tuple(row) for row in rows])


def _membership(notification: Notification) -> tuple[UUID, UUID] | None:
    """The project an aggregate belongs to, read from its creation event."""
    if notification.originator_version != 1 or b'"project_id"' not in (
        notification.state
    ):
        return None
    try:
        value = json.loads(notification.state)["project_id"]["_data_"]
        return as_uuid(notification.originator_id), UUID(hex=value)
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


def as_uuid(value: UUID | str) -> UUID:
    """An originator id as a UUID (recorders may return either form)."""
    return value if isinstance(value, UUID) else UUID(value)

"""The ledger's tables, a Merkle node store over them and heads from their rows.

The ledger is not a generational read model: its tables have fixed names and
are never rebuilt, because signed heads handed out earlier must stay provable
from the same stored nodes (docs/integrity.md, "Processor").
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Final

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Connection,
    DateTime,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    SmallInteger,
    String,
    Table,
    Text,
    Uuid,
    func,
    select,
)

from integrity.signing import SignedTreeHead

NAME: Final = "ledger"
GENERATION: Final = 1

metadata = MetaData()

leaves = Table(
    "ledger_leaves",
    metadata,
    Column("leaf_index", BigInteger, primary_key=True, autoincrement=False),
    Column("position", BigInteger, nullable=False, unique=True),
    Column("originator_id", Uuid, nullable=False),
    Column("originator_version", BigInteger, nullable=False),
    Column("leaf_hash", LargeBinary(32), nullable=False),
    Index("ledger_leaves_originator", "originator_id", "originator_version"),
)

# Complete subtrees above the leaves (level >= 1); level 0 lives in `leaves`.
nodes = Table(
    "ledger_nodes",
    metadata,
    Column("level", SmallInteger, primary_key=True, autoincrement=False),
    Column("node_index", BigInteger, primary_key=True, autoincrement=False),
    Column("hash", LargeBinary(32), nullable=False),
)

# Which aggregates belong to which project (from their creation event).
members = Table(
    "ledger_members",
    metadata,
    Column("originator_id", Uuid, primary_key=True),
    Column("project_id", Uuid, nullable=False, index=True),
)

heads = Table(
    "ledger_heads",
    metadata,
    Column("head_id", Integer, primary_key=True, autoincrement=True),
    Column("tree_size", BigInteger, nullable=False, index=True),
    Column("root_hash", LargeBinary(32), nullable=False),
    Column("timestamp_ms", BigInteger, nullable=False),
    Column("key_id", String(16), nullable=False),
    Column("signature", LargeBinary(64), nullable=False),
)

# Public keys only: the private key never enters the database.
keys = Table(
    "ledger_keys",
    metadata,
    Column("key_id", String(16), primary_key=True),
    Column("public_key_pem", Text, nullable=False),
    Column("first_used_ms", BigInteger, nullable=False),
)

# Every head also as a C2SP checkpoint (the signed note, log signature only).
checkpoints = Table(
    "ledger_checkpoints",
    metadata,
    Column("tree_size", BigInteger, primary_key=True, autoincrement=False),
    Column("origin", Text, nullable=False),
    Column("note", Text, nullable=False),
)

# Witness cosignatures of checkpoints, one line per (size, witness key).
cosignatures = Table(
    "ledger_cosignatures",
    metadata,
    Column("tree_size", BigInteger, primary_key=True, autoincrement=False),
    Column("witness_key", String(200), primary_key=True),
    Column("line", Text, nullable=False),
    Column("received_ms", BigInteger, nullable=False),
)

# Whether the signing process can sign (one row, name "signer"): /readyz reads
# it from any process. Bookkeeping, not evidence.
signing = Table(
    "ledger_signing",
    metadata,
    Column("name", String(16), primary_key=True),
    Column("key", Text, nullable=False),
    Column("paused_since_ms", BigInteger),
    Column("reason", Text),
    Column("updated_ms", BigInteger, nullable=False),
)

# Each `pmo-ledger verify` run's outcome (derived bookkeeping, not evidence).
verifications = Table(
    "ledger_verifications",
    metadata,
    Column("verification_id", Integer, primary_key=True, autoincrement=True),
    Column("finished_at", DateTime(timezone=True), nullable=False),
    Column("ok", Boolean, nullable=False),
    Column("events", BigInteger, nullable=False),
    Column("tree_size", BigInteger),
    Column("position", BigInteger),
    Column("summary", Text, nullable=False),
)


class SqlNodeStore:
    """A tree.NodeStore reading one connection; writes are collected, not sent.

    Stored nodes never change, so reads may share a cache across connections.
    """

    def __init__(
        self, conn: Connection, cache: dict[tuple[int, int], bytes] | None = None
    ) -> None:
        self.conn = conn
        self.cache = cache if cache is not None else {}
        self.pending: list[tuple[int, int, bytes]] = []

    def get(self, level: int, index: int) -> bytes:
        """Return a stored hash (leaf hashes for level 0); KeyError if absent."""
        key = (level, index)
        found = self.cache.get(key)
        if found is not None:
            return found
        if level == 0:
            query = select(leaves.c.leaf_hash).where(leaves.c.leaf_index == index)
        else:
            query = select(nodes.c.hash).where(
                nodes.c.level == level, nodes.c.node_index == index
            )
        value = self.conn.execute(query).scalar_one_or_none()
        if value is None:
            raise KeyError(key)
        self.cache[key] = bytes(value)
        return self.cache[key]

    def put_many(self, new: Iterable[tuple[int, int, bytes]]) -> None:
        """Collect nodes for the caller to insert in its own transaction."""
        self.pending.extend(new)


def tree_size(conn: Connection) -> int:
    """The number of leaves stored (indices are dense from 0)."""
    value = conn.execute(select(func.max(leaves.c.leaf_index))).scalar()
    return 0 if value is None else int(value) + 1


def head_from_row(row: Any) -> SignedTreeHead:
    """A SignedTreeHead from a ledger_heads row."""
    return SignedTreeHead(
        int(row.tree_size),
        bytes(row.root_hash),
        int(row.timestamp_ms),
        str(row.key_id),
        bytes(row.signature),
    )


def ledger_origin(conn: Connection) -> str | None:
    """The origin line of the checkpoints published so far (one per log)."""
    first = select(checkpoints.c.origin).order_by(checkpoints.c.tree_size).limit(1)
    value = conn.execute(first).scalar()
    return None if value is None else str(value)


def default_origin(first_key_id: str) -> str:
    """The origin of a new log: named after the key that signs its first head."""
    return f"pmo-ledger.local/{first_key_id}"

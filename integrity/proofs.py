"""Read side of the ledger: heads, proofs, public keys and evidence packs."""

from __future__ import annotations

import base64
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import IO, TYPE_CHECKING, Any
from uuid import UUID
from weakref import WeakKeyDictionary

from eventsourcing.persistence import ApplicationRecorder
from sqlalchemy import Connection, Engine, insert, or_, select

from integrity.evidence import EvidenceEntry, write_evidence_pack
from integrity.leaf import EventRecord
from integrity.signing import SignedTreeHead, SigningKey
from integrity.tables import (
    SqlNodeStore,
    head_from_row,
    heads,
    keys,
    leaves,
    members,
    tree_size,
    verifications,
)
from integrity.tree import LedgerError, MerkleTree
from service.durability import durable

if TYPE_CHECKING:
    from integrity.verifier import VerifyReport

# Stored nodes never change, so the readers of one database share a cache.
_NODE_CACHE_LIMIT = 200_000
_node_caches: WeakKeyDictionary[Engine, dict[tuple[int, int], bytes]] = (
    WeakKeyDictionary()
)


class NoHeadError(LookupError):
    """No tree head has been signed yet."""


class LedgerReader:
    """Queries over the ledger tables; one short transaction per call."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def latest_head(self) -> SignedTreeHead:
        """The newest signed head, or NoHeadError."""
        with self.engine.connect() as conn:
            row = conn.execute(
                select(heads).order_by(heads.c.head_id.desc()).limit(1)
            ).first()
        if row is None:
            raise NoHeadError("no tree head has been signed yet")
        return head_from_row(row)

    def heads(
        self, after: int | None = None, limit: int = 100
    ) -> list[tuple[int, SignedTreeHead]]:
        """Signed heads oldest first, after a head id (the page cursor)."""
        query = select(heads).order_by(heads.c.head_id).limit(limit)
        if after is not None:
            query = query.where(heads.c.head_id > after)
        with self.engine.connect() as conn:
            return [(int(r.head_id), head_from_row(r)) for r in conn.execute(query)]

    def record_verification(self, report: VerifyReport, finished_at: datetime) -> None:
        """Keep the outcome of a verification run for the integrity page."""
        with durable(self.engine) as conn:
            conn.execute(
                insert(verifications).values(
                    finished_at=finished_at,
                    ok=report.ok,
                    events=report.events,
                    tree_size=None if report.head is None else report.head.tree_size,
                    position=report.position,
                    summary=report.summary(),
                )
            )

    def last_verification(self) -> dict[str, Any] | None:
        """The most recent verification run, if any."""
        query = select(verifications).order_by(verifications.c.verification_id.desc())
        with self.engine.connect() as conn:
            row = conn.execute(query.limit(1)).first()
        return None if row is None else dict(row._mapping)

    def public_keys(self) -> list[dict[str, Any]]:
        """Every key that has signed heads here, oldest first."""
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(keys).order_by(keys.c.first_used_ms, keys.c.key_id)
            )
            return [dict(row._mapping) for row in rows]

    def leaf_for_position(self, position: int) -> tuple[int, bytes] | None:
        """(leaf index, leaf hash) of the event at a position, if ledgered."""
        with self.engine.connect() as conn:
            row = conn.execute(
                select(leaves.c.leaf_index, leaves.c.leaf_hash).where(
                    leaves.c.position == position
                )
            ).first()
        return None if row is None else (int(row.leaf_index), bytes(row.leaf_hash))

    def leaf_indices(self, positions: Iterable[int]) -> dict[int, int]:
        """Leaf index by position for the given positions (audit trail rows)."""
        wanted = list(positions)
        if not wanted:
            return {}
        query = select(leaves.c.position, leaves.c.leaf_index).where(
            leaves.c.position.in_(wanted)
        )
        with self.engine.connect() as conn:
            return {int(p): int(i) for p, i in conn.execute(query)}

    def inclusion(self, position: int, size: int | None = None) -> dict[str, Any]:
        """The inclusion proof of the event at position in a tree of size."""
        size = self.latest_head().tree_size if size is None else size
        found = self.leaf_for_position(position)
        if found is None:
            raise LedgerError(f"position {position} is not in the ledger")
        index, digest = found
        with self.engine.connect() as conn:
            tree = self._tree(conn)
            path = tree.inclusion_proof(index, size)
            root = tree.root(size)
        return {
            "position": position,
            "leaf_index": index,
            "tree_size": size,
            "leaf_hash": digest.hex(),
            "root_hash": root.hex(),
            "path": [node.hex() for node in path],
            "leaf_hash_b64": _b64(digest),
            "root_hash_b64": _b64(root),
            "path_b64": [_b64(node) for node in path],
        }

    def consistency(self, first: int, second: int) -> dict[str, Any]:
        """The consistency proof between two tree sizes."""
        with self.engine.connect() as conn:
            tree = self._tree(conn)
            path = tree.consistency_proof(first, second)
            roots = (tree.root(first), tree.root(second))
        return {
            "first": first,
            "second": second,
            "first_root_hash": roots[0].hex(),
            "second_root_hash": roots[1].hex(),
            "path": [node.hex() for node in path],
            "first_root_hash_b64": _b64(roots[0]),
            "second_root_hash_b64": _b64(roots[1]),
            "path_b64": [_b64(node) for node in path],
        }

    def write_evidence(
        self,
        out: IO[bytes],
        recorder: ApplicationRecorder,
        project_id: UUID,
        project_label: str,
        signing_key: SigningKey,
        head: SignedTreeHead | None = None,
    ) -> int:
        """Write the evidence pack of a project against a head (default: latest).

        The manifest is signed with the ledger key, which must be the head's key.
        """
        head = head or self.latest_head()
        public = self._public_key_pem(head.key_id)
        with self.engine.connect() as conn:
            owned = select(members.c.originator_id).where(
                members.c.project_id == project_id
            )
            rows = conn.execute(
                select(leaves)
                .where(
                    or_(
                        leaves.c.originator_id == project_id,
                        leaves.c.originator_id.in_(owned),
                    ),
                    leaves.c.leaf_index < head.tree_size,
                )
                .order_by(leaves.c.leaf_index)
            ).all()
            tree = self._tree(conn)
            entries = _entries(rows, recorder, tree, head.tree_size)
        return write_evidence_pack(
            out, entries, head, public, project_label, signing_key
        )

    def _public_key_pem(self, wanted: str) -> bytes:
        for key in self.public_keys():
            if key["key_id"] == wanted:
                return str(key["public_key_pem"]).encode("ascii")
        raise LedgerError(f"no public key {wanted} is recorded")

    def _tree(self, conn: Connection) -> MerkleTree:
        cache = _node_caches.setdefault(self.engine, {})
        if len(cache) > _NODE_CACHE_LIMIT:
            cache.clear()
        return MerkleTree(SqlNodeStore(conn, cache), tree_size(conn))


def _b64(digest: bytes) -> str:
    return base64.b64encode(digest).decode("ascii")


def _entries(
    rows: Sequence[Any], recorder: ApplicationRecorder, tree: MerkleTree, size: int
) -> list[EvidenceEntry]:
    stored: dict[tuple[UUID, int], Any] = {}
    for originator in {row.originator_id for row in rows}:
        for event in recorder.select_events(originator):
            stored[(originator, event.originator_version)] = event
    entries = []
    for row in rows:
        found = stored.get((row.originator_id, row.originator_version))
        if found is None:
            raise LedgerError(f"the event at position {row.position} is missing")
        record = EventRecord(
            int(row.position),
            row.originator_id,
            int(row.originator_version),
            found.topic,
            bytes(found.state),
        )
        proof = tuple(tree.inclusion_proof(int(row.leaf_index), size))
        entries.append(EvidenceEntry(int(row.leaf_index), record, proof))
    return entries

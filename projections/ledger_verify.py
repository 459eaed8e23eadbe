"""Full verification: every leaf, node, head and blob recomputed from the events.

The events are read raw in notification order and hashed into a fresh tree
that keeps only its frontier; each stored leaf and inner node is compared as
it is recomputed, and each signed head's root when the tree reaches its size.
Two heads whose roots are both roots of prefixes of this one recomputed log
are consistent by construction, so no stored consistency proof is trusted.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from eventsourcing.persistence import ApplicationRecorder, Notification
from eventsourcing.utils import get_topic
from sqlalchemy import Connection, Engine, and_, or_, select

from projections.ledger import as_uuid
from projections.ledger_reader import head_from_row
from projections.ledger_tables import heads, leaves, nodes
from service.blobs import BlobStore
from service.domain.document import Document
from service.ledger.leaf import event_leaf_hash
from service.ledger.merkle import MerkleTree
from service.ledger.signing import SignedTreeHead, key_id, verify_tree_head

VERSION_TOPIC = f"{get_topic(Document)}.VersionSubmitted"
DISPOSED_TOPIC = f"{get_topic(Document)}.Disposed"
BATCH = 5000


class _MismatchError(Exception):
    """The first disagreement: verification ends here."""

    def __init__(self, reason: str, position: int | None = None) -> None:
        super().__init__(reason)
        self.reason, self.position = reason, position


@dataclass
class VerifyReport:
    """What verification found: success, or the first disagreement and why."""

    ok: bool
    events: int
    head: SignedTreeHead | None
    position: int | None = None
    reason: str | None = None
    unsigned: int = 0

    def summary(self) -> str:
        """One line for people."""
        if not self.ok:
            where = "" if self.position is None else f"position {self.position}: "
            return f"FAILED at {where}{self.reason}"
        size = 0 if self.head is None else self.head.tree_size
        root = "" if self.head is None else f" (root {self.head.root_hash.hex()})"
        tail = f"; {self.unsigned} newer events not yet signed" if self.unsigned else ""
        return f"verified {self.events} events up to head {size}{root}{tail}"


class _RollingStore:
    """A NodeStore keeping only the newest node per level: enough for the root."""

    def __init__(self) -> None:
        self.last: dict[int, tuple[int, bytes]] = {}
        self.completed: list[tuple[int, int, bytes]] = []

    def get(self, level: int, index: int) -> bytes:
        found = self.last.get(level)
        if found is None or found[0] != index:
            raise KeyError((level, index))
        return found[1]

    def put_many(self, new: Iterable[tuple[int, int, bytes]]) -> None:
        for level, index, digest in new:
            self.last[level] = (index, digest)
            if level:
                self.completed.append((level, index, digest))


@dataclass
class _Blobs:
    versions: dict[str, tuple[int, set[str]]] = field(default_factory=dict)
    disposed: set[str] = field(default_factory=set)

    def see(self, n: Notification) -> None:
        if n.topic == VERSION_TOPIC:
            sha = json.loads(n.state)["sha256"]
            _, owners = self.versions.setdefault(sha, (n.id, set()))
            owners.add(str(n.originator_id))
        elif n.topic == DISPOSED_TOPIC:
            self.disposed.add(str(n.originator_id))

    def check(self, store: BlobStore) -> None:
        for sha, (position, owners) in sorted(
            self.versions.items(), key=lambda item: item[1][0]
        ):
            if owners <= self.disposed:
                continue  # disposed content is expected to be gone
            verdict = store.verify(sha)
            if verdict != "ok":
                raise _MismatchError(
                    f"blob {sha} of the version recorded here is {verdict}", position
                )


class Verifier:
    """Recomputes the ledger from the events; see the module docstring."""

    def __init__(
        self,
        engine: Engine,
        recorder: ApplicationRecorder,
        blobs: BlobStore,
        trusted_keys: Sequence[Ed25519PublicKey],
        trusted_head: SignedTreeHead | None = None,
    ) -> None:
        self.engine = engine
        self.recorder = recorder
        self.blobs = blobs
        self.keys = {key_id(k): k for k in trusted_keys}
        self.trusted_head = trusted_head
        self.stop_event = threading.Event()

    def run(self, progress: Callable[[int], None] | None = None) -> VerifyReport:
        """Verify everything; progress receives positions covered per batch."""
        store = _RollingStore()
        tree = MerkleTree(store)
        state: dict[str, Any] = {"events": 0, "last_position": 0, "signed": None}
        try:
            with self.engine.connect() as conn:
                checks = self._heads(conn)
                self._stream(conn, tree, store, checks, state, progress)
            if checks:
                label, head = checks[0]
                raise _MismatchError(
                    f"{label} covers {head.tree_size} events but only {tree.size} "
                    "are stored: events after this position are missing "
                    "(tail truncated)",
                    state["last_position"],
                )
        except _MismatchError as stop:
            return VerifyReport(
                False, tree.size, state["signed"], stop.position, stop.reason
            )
        signed: SignedTreeHead | None = state["signed"]
        unsigned = tree.size - (signed.tree_size if signed else 0)
        return VerifyReport(True, tree.size, signed, unsigned=unsigned)

    def _heads(self, conn: Connection) -> list[tuple[str, SignedTreeHead]]:
        """Check signatures and order of the stored heads; return them by size."""
        checks: list[tuple[str, SignedTreeHead]] = []
        previous: SignedTreeHead | None = None
        for row in conn.execute(select(heads).order_by(heads.c.head_id)):
            head, label = head_from_row(row), f"signed head #{row.head_id}"
            self._check_signature(head, f"{label} (tree size {row.tree_size})")
            if previous and (
                head.tree_size < previous.tree_size
                or head.timestamp_ms < previous.timestamp_ms
            ):
                raise _MismatchError(f"{label} goes back from the head before it")
            checks.append((label, head))
            previous = head
        if self.trusted_head is not None:
            self._check_signature(self.trusted_head, "the head given with --head")
            checks.append(("the head given with --head", self.trusted_head))
        return sorted(checks, key=lambda check: check[1].tree_size)

    def _check_signature(self, head: SignedTreeHead, label: str) -> None:
        key = self.keys.get(head.key_id)
        if key is None:
            raise _MismatchError(
                f"{label} is signed by key {head.key_id}, which is not trusted"
            )
        if not verify_tree_head(key, head):
            raise _MismatchError(
                f"{label}: the signature does not verify (head edited?)"
            )

    def _stream(
        self,
        conn: Connection,
        tree: MerkleTree,
        store: _RollingStore,
        checks: list[tuple[str, SignedTreeHead]],
        state: dict[str, Any],
        progress: Callable[[int], None] | None,
    ) -> None:
        blobs, start, pending = _Blobs(), 1, list(checks)
        while not self.stop_event.is_set():
            batch = self.recorder.select_notifications(start=start, limit=BATCH)
            if not batch:
                break
            stored = conn.execute(
                select(leaves.c.leaf_index, leaves.c.position, leaves.c.leaf_hash)
                .where(leaves.c.leaf_index >= tree.size)
                .order_by(leaves.c.leaf_index)
                .limit(len(batch))
            ).all()
            first = tree.size
            hashes = [
                self._leaf(n, stored, first + i, first) for i, n in enumerate(batch)
            ]
            for n in batch:
                blobs.see(n)
            store.completed.clear()
            done = 0
            while pending and pending[0][1].tree_size <= first + len(hashes):
                label, head = pending.pop(0)
                tree.extend(hashes[done : head.tree_size - first])
                done = head.tree_size - first
                self._check_root(tree, label, head, batch, first, state)
            tree.extend(hashes[done:])
            self._check_nodes(conn, store.completed, first + len(stored), batch, first)
            state["last_position"] = batch[-1].id
            if progress:
                progress(batch[-1].id - start + 1)
            start = batch[-1].id + 1
        if self.stop_event.is_set():
            raise _MismatchError("interrupted", state["last_position"] or None)
        extra = conn.execute(
            select(leaves.c.position)
            .where(leaves.c.leaf_index >= tree.size)
            .order_by(leaves.c.leaf_index)
            .limit(1)
        ).scalar()
        if extra is not None:
            raise _MismatchError(
                "the ledger has a leaf for this event but the event is gone "
                "(events removed at the tail)",
                int(extra),
            )
        blobs.check(self.blobs)
        checks[:] = pending

    @staticmethod
    def _leaf(n: Notification, stored: Sequence[Any], index: int, first: int) -> bytes:
        digest = event_leaf_hash(
            n.id, as_uuid(n.originator_id), n.originator_version, n.topic, n.state
        )
        if index - first >= len(stored):
            return digest  # not ledgered yet: only heads can vouch for it
        row = stored[index - first]
        if row.position < n.id:
            raise _MismatchError(
                f"no event is stored here, but leaf {index} was recorded for it "
                "(event deleted?)",
                int(row.position),
            )
        if row.position > n.id:
            raise _MismatchError(
                f"this event is not in the ledger: leaf {index} was recorded for "
                f"position {row.position} (event inserted?)",
                n.id,
            )
        if bytes(row.leaf_hash) != digest:
            raise _MismatchError(
                f"the stored event does not hash to leaf {index} recorded for it "
                "(event edited or moved, or leaf edited)",
                n.id,
            )
        return digest

    def _check_root(
        self,
        tree: MerkleTree,
        label: str,
        head: SignedTreeHead,
        batch: Sequence[Notification],
        first: int,
        state: dict[str, Any],
    ) -> None:
        if tree.root(head.tree_size) != head.root_hash:
            last = (
                batch[head.tree_size - first - 1].id if head.tree_size > first else None
            )
            raise _MismatchError(
                f"the root of {label} (tree size {head.tree_size}) differs "
                "from the root recomputed from the events",
                last,
            )
        if not label.startswith("the head given"):
            state["signed"] = head

    def _check_nodes(
        self,
        conn: Connection,
        completed: list[tuple[int, int, bytes]],
        stored_size: int,
        batch: Sequence[Notification],
        first: int,
    ) -> None:
        wanted = {
            (level, index): digest
            for level, index, digest in completed
            if (index + 1) << level <= stored_size
        }
        if not wanted:
            return
        ranges: dict[int, list[int]] = {}
        for level, index in wanted:
            ranges.setdefault(level, []).append(index)
        clauses = [
            and_(nodes.c.level == level, nodes.c.node_index.between(min(ix), max(ix)))
            for level, ix in ranges.items()
        ]
        found = {
            (int(r.level), int(r.node_index)): bytes(r.hash)
            for r in conn.execute(select(nodes).where(or_(*clauses)))
        }
        for (level, index), digest in sorted(
            wanted.items(), key=lambda w: (w[0][1] + 1) << w[0][0]
        ):
            if found.get((level, index)) != digest:
                last_leaf = ((index + 1) << level) - 1
                raise _MismatchError(
                    f"stored ledger node (level {level}, index {index}) "
                    "differs from the hash recomputed from the events",
                    batch[last_leaf - first].id,
                )

"""Full verification: every leaf, node, head and blob recomputed from the events.

The events are read raw in notification order, page by page, and hashed into
a fresh tree that keeps only its frontier; each page's stored leaves and the
stored inner nodes it completes are read in the same order and compared list
to list, and each signed head's root is compared when the tree reaches its
size. Two heads whose roots are both roots of prefixes of this one recomputed
log are consistent by construction, so no stored consistency proof is trusted.

The ledger is read first (heads, then its size) and the event log's end after
it, so a ledger processor appending meanwhile cannot make a leaf look orphaned.
"""

from __future__ import annotations

import os
import threading
from collections import deque
from collections.abc import Callable, Generator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import closing
from dataclasses import dataclass, field
from itertools import islice
from multiprocessing import get_context

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from eventsourcing.persistence import ApplicationRecorder
from eventsourcing.utils import get_topic
from sqlalchemy import Connection, Engine, select

from integrity.eventlog import log_source, read_events_page
from integrity.grace import Grace
from integrity.scan import BlobTopics, Page, read_window, start_reader, summarise
from integrity.signing import SignedTreeHead, key_id, verify_tree_head
from integrity.stored import (
    Created,
    MismatchError,
    StoredLedger,
    check_leaves,
    collect_nodes,
)
from integrity.tables import head_from_row, heads, tree_size
from integrity.tree import Frontier
from service.blobs import BlobStore
from service.domain.document import Document

TOPICS = BlobTopics(
    f"{get_topic(Document)}.VersionSubmitted", f"{get_topic(Document)}.Disposed"
)
BATCH = 10_000  # ids a page spans (a page holds fewer events where ids have gaps)
AHEAD = 4  # pages read ahead per reader: memory stays bounded


def default_readers() -> int:
    """Reader processes beside the verifier: two on a machine with several cores.

    Reading and hashing the log is most of the work, so two readers keep two
    cores busy (docs/performance.md, "Verify with reader processes").
    """
    return 2 if (os.cpu_count() or 1) > 1 else 0


class LogReaderError(RuntimeError):
    """A reader process failed or died: nothing was concluded."""


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


@dataclass
class _Blobs:
    versions: dict[str, tuple[int, set[bytes]]] = field(default_factory=dict)
    disposed: set[bytes] = field(default_factory=set)

    def see(self, page: Page) -> None:
        for position, originator, sha in page.versions:
            _, owners = self.versions.setdefault(sha, (position, set()))
            owners.add(originator)
        self.disposed.update(page.disposed)

    def check(self, store: BlobStore) -> None:
        for sha, (position, owners) in sorted(
            self.versions.items(), key=lambda item: item[1][0]
        ):
            if owners <= self.disposed:
                continue  # disposed content is expected to be gone
            verdict = store.verify(sha)
            if verdict != "ok":
                raise MismatchError(
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
        readers: int | None = None,
        grace: Grace | None = None,
        anchors: Sequence[tuple[str, int, bytes]] = (),
    ) -> None:
        self.engine = engine
        self.anchors = anchors
        self.grace = grace or Grace()
        self.readers = default_readers() if readers is None else readers
        self.recorder = recorder
        self.blobs = blobs
        self.keys = {key_id(k): k for k in trusted_keys}
        self.trusted_head = trusted_head
        self.stop_event = threading.Event()

    def run(self, progress: Callable[[int], None] | None = None) -> VerifyReport:
        """Verify everything; progress receives positions covered per page."""
        edge = Frontier()
        state = _State()
        try:
            with self.engine.connect() as conn:
                checks = self._heads(conn)
                state.covering = (
                    max(
                        (h.tree_size for label, h in checks if _stored(label)),
                        default=0,
                    )
                    if self.grace.covering is None
                    else self.grace.covering
                )
                stored_size = tree_size(conn)
                end = self.recorder.max_notification_id() or 0
                self._stream(conn, edge, checks, state, stored_size, end, progress)
            if checks:
                label, head = checks[0]
                raise MismatchError(
                    f"{label} covers {head.tree_size} events but only {edge.size} "
                    "are stored: events after this position are missing "
                    "(tail truncated)",
                    state.last_position,
                )
            if edge.size > state.covering:
                self.grace.check(self.recorder, state.covered_position, end)
        except MismatchError as stop:
            return VerifyReport(
                False, edge.size, state.signed, stop.position, stop.reason
            )
        signed = state.signed
        unsigned = edge.size - (signed.tree_size if signed else 0)
        return VerifyReport(True, edge.size, signed, unsigned=unsigned)

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
                raise MismatchError(f"{label} goes back from the head before it")
            checks.append((label, head))
            previous = head
        if self.trusted_head is not None:
            self._check_signature(self.trusted_head, "the head given with --head")
            checks.append(("the head given with --head", self.trusted_head))
        # Checkpoints whose signatures the caller checked: only size and root count.
        checks.extend(
            (label, SignedTreeHead(size, root, 0, "", b""))
            for label, size, root in self.anchors
        )
        return sorted(checks, key=lambda check: check[1].tree_size)

    def _check_signature(self, head: SignedTreeHead, label: str) -> None:
        key = self.keys.get(head.key_id)
        if key is None:
            raise MismatchError(
                f"{label} is signed by key {head.key_id}, which is not trusted"
            )
        if not verify_tree_head(key, head):
            raise MismatchError(
                f"{label}: the signature does not verify (head edited?)"
            )

    def _stream(
        self,
        conn: Connection,
        edge: Frontier,
        checks: list[tuple[str, SignedTreeHead]],
        state: _State,
        stored_size: int,
        end: int,
        progress: Callable[[int], None] | None,
    ) -> None:
        blobs, pending, ledger = _Blobs(), list(checks), StoredLedger(conn)
        try:
            self._compare(
                edge, pending, blobs, ledger, state, stored_size, end, progress
            )
            if self.stop_event.is_set():
                raise MismatchError("interrupted", state.last_position or None)
            extra = ledger.leaf_position(edge.size, stored_size)
        finally:
            ledger.cursor.close()
        if extra is not None:
            raise MismatchError(
                "the ledger has a leaf for this event but the event is gone "
                "(events removed at the tail)",
                extra,
            )
        blobs.check(self.blobs)
        checks[:] = pending

    def _compare(
        self,
        edge: Frontier,
        pending: list[tuple[str, SignedTreeHead]],
        blobs: _Blobs,
        ledger: StoredLedger,
        state: _State,
        stored_size: int,
        end: int,
        progress: Callable[[int], None] | None,
    ) -> None:
        with closing(self._pages(end)) as pages:
            for page in pages:
                if self.stop_event.is_set():
                    break
                self._page(page, edge, pending, blobs, ledger, state, stored_size)
                if progress:
                    progress(page.positions[-1] - state.last_position)
                state.last_position = page.positions[-1]

    def _page(
        self,
        page: Page,
        edge: Frontier,
        pending: list[tuple[str, SignedTreeHead]],
        blobs: _Blobs,
        ledger: StoredLedger,
        state: _State,
        stored_size: int,
    ) -> None:
        first, hashes, positions = edge.size, page.hashes, page.positions
        if first < state.covering <= first + len(positions):
            state.covered_position = positions[state.covering - first - 1]
        stored = ledger.leaves(first, len(positions), stored_size)
        check_leaves(positions, hashes, stored, first)
        blobs.see(page)
        created: Created = {}
        done = 0
        while pending and pending[0][1].tree_size <= first + len(hashes):
            label, head = pending.pop(0)
            collect_nodes(created, edge.extend(hashes[done : head.tree_size - first]))
            done = head.tree_size - first
            self._check_root(edge, label, head, positions, first, state)
        collect_nodes(created, edge.extend(hashes[done:]))
        ledger.check_nodes(created, first + len(stored), positions, first)

    def _pages(self, end: int) -> Generator[Page]:
        """The log's pages in order, read here or by reader processes."""
        windows = ((low, min(low + BATCH, end)) for low in range(0, end, BATCH))
        # One page gains nothing from another process, and a pool costs a start.
        source = log_source(self.recorder) if self.readers and end > BATCH else None
        if source is None:
            for low, high in windows:
                events = read_events_page(self.recorder, low, high, BATCH)
                if events:
                    yield summarise(events, TOPICS)
            return
        pool = ProcessPoolExecutor(
            self.readers,
            # fork: a reader starts at once, its modules already imported; it
            # opens its own connection and uses nothing else it inherits.
            mp_context=get_context("fork"),
            initializer=start_reader,
            initargs=(source, TOPICS),
        )
        try:
            queue: deque[Future[Page]] = deque(
                pool.submit(read_window, *window)
                for window in islice(windows, AHEAD * self.readers)
            )
            while queue:
                page = _result(queue.popleft())
                if (window := next(windows, None)) is not None:
                    queue.append(pool.submit(read_window, *window))
                if page.positions:
                    yield page
        finally:
            pool.shutdown(wait=True, cancel_futures=True)

    def _check_root(
        self,
        edge: Frontier,
        label: str,
        head: SignedTreeHead,
        positions: Sequence[int],
        first: int,
        state: _State,
    ) -> None:
        if edge.root() != head.root_hash:
            last = (
                positions[head.tree_size - first - 1]
                if head.tree_size > first
                else None
            )
            raise MismatchError(
                f"the root of {label} (tree size {head.tree_size}) differs "
                "from the root recomputed from the events",
                last,
            )
        if _stored(label):
            state.signed = head


def _stored(label: str) -> bool:
    return label.startswith("signed head #")


@dataclass
class _State:
    last_position: int = 0
    signed: SignedTreeHead | None = None
    covering: int = 0  # the tree size every event older than the grace needs
    covered_position: int = 0  # the position of that tree's last leaf


def _result(future: Future[Page]) -> Page:
    """A reader's page, or a clear error if the reader failed or died."""
    try:
        return future.result()
    except BrokenProcessPool as error:
        raise LogReaderError(
            "a reader process of the event log stopped unexpectedly; "
            "nothing was concluded"
        ) from error
    except Exception as error:
        raise LogReaderError(
            f"a reader process could not read the event log: {error!r}"
        ) from error

"""The aggregate cache, kept current with one head check per load.

Other processes (the CLI, other gunicorn workers) may write to the store, so a
cached aggregate cannot be trusted blind. eventsourcing's fast-forward reads
every cached aggregate's newer events on each load: one query per aggregate a
command touches. Here one query for the store's head (its highest notification
id) tells whether anything was written since the cache was last known to be
current; if so, the aggregates those notifications name are evicted before
anything is read from the cache. Our own commits put their aggregates in the
cache and move the known head past their events, so a process that is the only
writer never reads the store to load a cached aggregate.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from copy import deepcopy
from datetime import date, datetime
from decimal import Decimal
from typing import Any, TypeVar
from uuid import UUID

from eventsourcing.application import LRUCache, Repository
from eventsourcing.domain import Aggregate
from eventsourcing.persistence import ApplicationRecorder
from eventsourcing.utils import get_topic

from service.domain.base import Meta
from service.domain.erasure import Erasure

A = TypeVar("A", bound=Aggregate)

# Values a command can only replace, never change in place: shared by copies.
IMMUTABLE = frozenset(
    {str, int, float, bool, type(None), bytes, UUID, datetime, date, Decimal, Meta}
)
# Beyond this many foreign events, dropping the whole cache is cheaper.
SCAN_LIMIT = 1000
ERASURE_TOPIC = get_topic(Erasure.Recorded)  # type: ignore[attr-defined]
# How long a head check waits for our own transactions in flight to be reported
# before it treats what it cannot tell apart as foreign (correct, only slower).
WRITE_WAIT = 2.0
WRITE_WAIT_STEP = 0.05


def private_copy(aggregate: A) -> A:
    """A copy a command may change: deepcopy, sharing the immutable values."""
    cls = type(aggregate)
    memo: dict[int, Any] = {}
    copied: A = cls.__new__(cls)
    copied.__dict__.update(
        {
            name: value if type(value) in IMMUTABLE else deepcopy(value, memo)
            for name, value in vars(aggregate).items()
        }
    )
    return copied


class AggregateCache:
    """Cached aggregates known to be current up to the store's head."""

    def __init__(
        self,
        recorder: ApplicationRecorder,
        head: Callable[[], int],
        store: Repository[UUID],
        size: int,
    ) -> None:
        self._recorder = recorder
        self._head = head
        self._store = store  # an uncached repository
        self._size = size
        self._cache: LRUCache[UUID, Aggregate] = LRUCache(size)
        self._lock = threading.Lock()
        # Our own transactions in flight, and a signal when one is reported.
        self._writing = 0
        self._reported = threading.Condition(self._lock)
        # None until the first check: the cache is empty, so current to any head.
        self._current_to: int | None = None
        self._command = threading.local()
        # Also told of an erasure: what else this process opened with keys.
        self.on_erasure: Callable[[], None] | None = None

    @contextmanager
    def one_check(self) -> Iterator[None]:
        """Loads inside (one command's) share one head check."""
        if getattr(self._command, "checked", None) is not None:
            yield
            return
        self._command.checked = self.catch_up()
        try:
            yield
        finally:
            self._command.checked = None

    def get(self, entity_id: UUID, *, copy: bool) -> Aggregate:
        """The current aggregate; a private copy unless the caller only reads it."""
        current_to = getattr(self._command, "checked", None)
        if current_to is None:
            current_to = self.catch_up()
        try:
            aggregate = self._cache.get(entity_id)
        except KeyError:
            aggregate = self._store.get(entity_id)
            with self._lock:
                # Only if nothing moved the known head while we read: a store
                # read that raced an eviction might be older than the cache.
                if self._current_to != current_to:
                    return aggregate
                self._cache.put(entity_id, aggregate)
        return private_copy(aggregate) if copy else aggregate

    def catch_up(self) -> int:
        """Evict what others wrote since the cache was last current; the head."""
        head = self._head()
        if head == self._current_to:
            return head
        with self._lock:
            if self._current_to is None:
                self._current_to = head
                return head
            # A head read while our own transaction commits includes its events
            # before `committed` reports them: wait for the report rather than
            # take them for foreign writes and evict what was just written.
            waited = 0.0
            while self._writing and head > self._current_to and waited < WRITE_WAIT:
                self._reported.wait(WRITE_WAIT_STEP)
                waited += WRITE_WAIT_STEP
            start = self._current_to + 1
            if head < start:
                return self._current_to
            if head - start >= SCAN_LIMIT:
                self._cache = LRUCache(self._size)
                if self.on_erasure is not None:  # an erasure may be among them
                    self.on_erasure()
            else:
                for notification in self._recorder.select_notifications(
                    start, limit=head - start + 1, stop=head
                ):
                    if notification.topic == ERASURE_TOPIC:
                        # Cached aggregates may hold what was just erased.
                        self._cache = LRUCache(self._size)
                        if self.on_erasure is not None:
                            self.on_erasure()
                    self._evict(notification.originator_id)
            self._current_to = head
            return head

    @contextmanager
    def writing(self) -> Iterator[None]:
        """Around one of our transactions, from before its insert to its report."""
        with self._lock:
            self._writing += 1
        try:
            yield
        finally:
            with self._lock:
                self._writing -= 1
                self._reported.notify_all()

    def committed(self, batch: Sequence[tuple[object, Sequence[int]]]) -> None:
        """Keep the aggregates of one transaction, given with their events' ids."""
        ids = [i for _, member_ids in batch for i in member_ids]
        if not ids:
            return
        # Copies: the callers may go on changing their own.
        copies = [
            (aggregate.id, private_copy(aggregate))
            for aggregates, _ in batch
            for aggregate in aggregates  # type: ignore[attr-defined]
        ]
        first, last = min(ids), max(ids)
        with self._lock:
            # A catch-up that already scanned these events evicted the
            # aggregates; a later foreign event may then have superseded them,
            # so keep them only if no catch-up has passed them yet.
            if self._current_to is None or self._current_to >= first:
                return
            for entity_id, aggregate in copies:
                self._cache.put(entity_id, aggregate)
            if self._current_to == first - 1 and len(ids) == last - first + 1:
                self._current_to = last

    def clear(self) -> None:
        """Forget every cached aggregate (after an erasure)."""
        with self._lock:
            self._cache = LRUCache(self._size)
        if self.on_erasure is not None:
            self.on_erasure()

    def _evict(self, entity_id: Any) -> None:
        key = entity_id if isinstance(entity_id, UUID) else UUID(str(entity_id))
        with contextlib.suppress(KeyError):
            self._cache.get(key, evict=True)

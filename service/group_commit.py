"""Group commit: concurrent commands' events are written in one transaction.

Every commit on a durable store pays one fsync. Threads that commit while
another thread's transaction is in flight queue up; when it ends, the first of
them leads: it takes the whole queue and writes it in one transaction, so many
commands share one fsync. Each caller returns only after its own events are
committed. A batch that hits a uniqueness conflict (two commands appending the
same aggregate version) is retried member by member, so only the loser fails.
Whoever writes a batch reports it (each caller's payload with its ids) before
anyone is woken, so the aggregate cache never lags behind a returned commit.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field

from eventsourcing.persistence import IntegrityError, StoredEvent

Insert = Callable[[Sequence[StoredEvent]], Sequence[int] | None]
Written = Callable[[list[tuple[object, list[int]]]], None]
log = logging.getLogger("pmo_ledger.service")


@dataclass
class _Pending:
    """One caller's events, and what became of them."""

    stored: list[StoredEvent]
    payload: object = None
    ids: list[int] = field(default_factory=list)
    error: BaseException | None = None
    done: bool = False
    # Set once: when this caller's events are written, or when it is to lead.
    woken: threading.Event = field(default_factory=threading.Event)


class GroupCommitter:
    """Writes each caller's stored events, coalescing concurrent callers."""

    def __init__(
        self,
        insert: Insert,
        written: Written | None = None,
        writing: Callable[[], AbstractContextManager[None]] = nullcontext,
    ) -> None:
        self._insert = insert
        self._written = written
        self._writing = writing  # spans each transaction, insert to report
        self._lock = threading.Lock()
        self._queue: list[_Pending] = []
        self._leading = False

    def write(self, stored: list[StoredEvent], payload: object = None) -> list[int]:
        """Commit these events (atomically); return their notification ids."""
        pending = _Pending(stored, payload)
        with self._lock:
            self._queue.append(pending)
            leads = not self._leading
            self._leading = True
        if not leads:
            # Each waiting caller is woken once: its batch is written, or the
            # leader that finished hands it the lead (not every waiter at once).
            pending.woken.wait()
        if not pending.done:
            self._lead()
        if pending.error is not None:
            raise pending.error
        return pending.ids

    def _lead(self) -> None:
        """Write everything queued (our own events included) in one batch."""
        with self._lock:
            batch, self._queue = self._queue, []
        try:
            self._flush(batch)
        finally:
            for member in batch:
                member.woken.set()
            with self._lock:
                if self._queue:
                    self._queue[0].woken.set()  # the next batch's leader
                else:
                    self._leading = False

    def _flush(self, batch: list[_Pending]) -> None:
        """Write a batch in one transaction; on a conflict, each member alone."""
        try:
            self._write(batch)
        except IntegrityError as error:
            if len(batch) == 1:
                batch[0].error = error
            else:
                for member in batch:
                    self._write_alone(member)
        except BaseException as error:
            for member in batch:
                member.error = error
            raise
        finally:
            for member in batch:
                member.done = True

    def _write_alone(self, member: _Pending) -> None:
        try:
            self._write([member])
        except Exception as error:  # handed to its own caller
            member.error = error

    def _write(self, batch: list[_Pending]) -> None:
        with self._writing():
            stored = [s for member in batch for s in member.stored]
            ids = list(self._insert(stored) or [])
            for member in batch:
                member.ids, ids = ids[: len(member.stored)], ids[len(member.stored) :]
            if self._written is not None:
                try:
                    self._written([(member.payload, member.ids) for member in batch])
                except Exception:  # the batch is committed whatever a listener does
                    log.exception("a committed batch was not reported")

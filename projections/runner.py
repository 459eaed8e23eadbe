"""Runs processors in background threads until stopped: one for all, or one each."""

from __future__ import annotations

import logging
import threading
import time
import zlib
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Connection, Engine, text

from projections import catalog
from projections.processing import ProcessingError, Processor

log = logging.getLogger(__name__)

IDLE_POLL_SECONDS = 0.2
# How often a read model whose lock another instance holds asks for it again.
LOCK_RETRY_SECONDS = 1.0
RETRY_AFTER_FAILURE_SECONDS = 30.0


@contextmanager
def exclusive(engine: Engine, name: str, stop: threading.Event) -> Iterator[bool]:
    """Hold a database lock named `name` (PostgreSQL advisory lock).

    Waits until granted; yields False if stopped first. On SQLite every batch
    already runs in an exclusive write transaction, so no extra lock is needed.
    """
    while True:
        with locks(engine, [name]) as granted:
            if granted:
                yield True
                return
        if stop.wait(1.0):
            yield False
            return


class HeldLocks:
    """The named locks one connection holds; more can be taken while it is open."""

    def __init__(self, conn: Connection | None, schema: str = "") -> None:
        self.conn = conn
        self.schema = schema
        self.granted: list[str] = []

    def take(self, names: Sequence[str]) -> list[str]:
        """Take whichever of the named locks are free, without waiting; those."""
        taken = [name for name in names if self._try(name)]
        if self.conn is not None:
            self.conn.commit()
        self.granted.extend(taken)
        return taken

    def release(self) -> None:
        """Give back every lock taken."""
        if self.conn is not None:
            for name in self.granted:
                self.conn.execute(
                    text("SELECT pg_advisory_unlock(:k)"), {"k": self._key(name)}
                )
            self.conn.commit()
        self.granted = []

    def _key(self, name: str) -> int:
        # Advisory locks belong to the database, not the schema: name both.
        return zlib.crc32(f"pmo-ledger:{self.schema}:{name}".encode())

    def _try(self, name: str) -> bool:
        if self.conn is None:
            return True
        query = text("SELECT pg_try_advisory_lock(:k)")
        return bool(self.conn.execute(query, {"k": self._key(name)}).scalar())


@contextmanager
def held_locks(engine: Engine, names: Sequence[str]) -> Iterator[HeldLocks]:
    """Hold, on one connection, whichever of the named locks are free.

    PostgreSQL advisory locks, taken without waiting; on SQLite every name is
    granted (each batch already runs in an exclusive write transaction).
    """
    if engine.dialect.name != "postgresql":
        held = HeldLocks(None)
        held.take(names)
        yield held
        return
    with engine.connect() as conn:
        held = HeldLocks(
            conn, str(conn.execute(text("SELECT current_schema()")).scalar())
        )
        try:
            held.take(names)
            yield held
        finally:
            held.release()


@contextmanager
def locks(engine: Engine, names: Sequence[str]) -> Iterator[list[str]]:
    """Hold whichever of the named locks are free; yield those (held_locks)."""
    with held_locks(engine, names) as held:
        yield list(held.granted)


class Runner:
    """Keeps a set of processors caught up in daemon threads.

    Every read model whose lock this process gets is followed by one thread, in
    one pass over the log (read and decoded once, one transaction per batch for
    all of them): the fixed cost of a batch is paid once, not once per model.
    A model that fails on an event, or whose lock another process holds, is
    split off to a thread of its own, so it neither stops nor waits the others.
    """

    def __init__(
        self,
        processors: list[Processor],
        retry_after: float = RETRY_AFTER_FAILURE_SECONDS,
    ) -> None:
        self.processors = processors
        self.retry_after = retry_after
        self.stop_event = threading.Event()
        self.threads: list[threading.Thread] = []
        self.errors: dict[str, str] = {}
        self._wakes: list[threading.Event] = []
        self._starting = threading.Lock()

    def start(self) -> None:
        """Start following every processor's read model."""
        members = list(self.processors)
        if len(members) == 1:
            self._spawn(self._loop, members[0], members[0].name)
        elif members:
            self._spawn(self._group_loop, members, "together")

    def _spawn(self, target: Any, members: Any, name: str) -> None:
        wake = threading.Event()
        thread = threading.Thread(
            target=target, args=(members, wake), name=f"view-{name}", daemon=True
        )
        with self._starting:
            if self.stop_event.is_set():
                return
            self._wakes.append(wake)
            self.threads.append(thread)
        thread.start()

    def wake(self) -> None:
        """Ask every processor to poll now (after a local write)."""
        for wake in list(self._wakes):
            wake.set()

    def stop(self, timeout: float = 10.0) -> None:
        """Stop after the current batches and wait for the threads."""
        with self._starting:
            self.stop_event.set()
        self.wake()
        for thread in list(self.threads):
            thread.join(timeout)

    def run_forever(self) -> None:
        """Run in the foreground until stopped (for `projections run`)."""
        self.start()
        try:
            while not self.stop_event.wait(1.0):
                pass
        finally:
            self.stop()

    def _group_loop(self, members: list[Processor], wake: threading.Event) -> None:
        while members and not self.stop_event.is_set():
            try:
                members[:] = [follow_live(p) for p in members]
                self._follow_group(members, wake)
            except Exception as error:  # the database may be restarting
                log.warning("read models paused: %r", error)
                self.errors["+".join(p.name for p in members)] = repr(error)
                self.stop_event.wait(1.0)

    def _follow_group(self, members: list[Processor], wake: threading.Event) -> None:
        """Keep the members' live generations caught up together.

        A member whose lock another process holds (another instance on the
        same database) waits in the group: its lock is tried again every
        LOCK_RETRY_SECONDS, and once free the member joins the others' pass
        over the log. Returns (to be called again) when a generation is no
        longer live or a member was split off.
        """
        first = members[0]
        names = {lock_name(p.name, p.model.generation): p for p in members}
        with held_locks(first.engine, list(names)) as held_now:
            held: list[Processor] = []
            together: Processor | None = None
            tried_at = -LOCK_RETRY_SECONDS
            while not self.stop_event.is_set() and all_live(members):
                if len(held) < len(members) and self._retry_due(tried_at):
                    tried_at = time.monotonic()
                    held_now.take([n for n in names if n not in held_now.granted])
                    for name in held_now.granted:
                        if names[name] not in held:
                            names[name].ensure_tables(state="live")
                            held.append(names[name])
                            together = self._together(held)
                if together is None:
                    self.stop_event.wait(LOCK_RETRY_SECONDS)
                    continue
                try:
                    covered = together.run_batch()
                except ProcessingError as error:
                    self.errors[error.name] = str(error)
                    failed = next(p for p in held if p.name == error.name)
                    self._split_off(members, failed)
                    return
                self.errors.pop(together.name, None)
                if not covered or not together.backlog:
                    # Caught up with the head it saw: wait for the next wake,
                    # so a stream of commits is taken in batches, not one by one.
                    wake.wait(IDLE_POLL_SECONDS)
                    wake.clear()

    @staticmethod
    def _retry_due(tried_at: float) -> bool:
        return time.monotonic() - tried_at >= LOCK_RETRY_SECONDS

    @staticmethod
    def _together(held: list[Processor]) -> Processor:
        """One processor over every held model (one read of the log per batch)."""
        first = held[0]
        return Processor(
            [p.model for p in held],
            first.engine,
            first.recorder,
            first.mapper,
            first.batch_size,
        )

    def _split_off(self, members: list[Processor], processor: Processor) -> None:
        """Follow one member on its own thread from now on."""
        members.remove(processor)
        self._spawn(self._loop, processor, processor.name)

    def _loop(self, processor: Processor, wake: threading.Event) -> None:
        while not self.stop_event.is_set():
            try:
                processor = follow_live(processor)
                self._follow(processor, wake)
            except Exception as error:  # the database may be restarting
                # A lost connection also lost the advisory lock: take it again.
                log.warning("read model %s paused: %r", processor.name, error)
                self.errors[processor.name] = repr(error)
                self.stop_event.wait(1.0)

    def _follow(self, processor: Processor, wake: threading.Event) -> None:
        """Keep one generation caught up until stopped or it is no longer live."""
        key = lock_name(processor.name, processor.model.generation)
        with exclusive(processor.engine, key, self.stop_event) as granted:
            if not granted or not is_live(processor):
                return
            processor.ensure_tables(state="live")
            while not self.stop_event.is_set():
                if not is_live(processor):
                    return
                try:
                    covered = processor.run_batch()
                except ProcessingError as error:
                    self.errors[processor.name] = str(error)
                    self.stop_event.wait(self.retry_after)
                    continue
                self.errors.pop(processor.name, None)
                if not covered or not processor.backlog:
                    wake.wait(IDLE_POLL_SECONDS)
                    wake.clear()


def lock_name(name: str, generation: int) -> str:
    """The advisory lock that one generation's processor holds."""
    return f"{name}:g{generation}"


def is_live(processor: Processor) -> bool:
    """Whether the processor's generation is still the live one."""
    with processor.engine.connect() as conn:
        live = catalog.active_generation(conn, processor.name)
    return live in (None, processor.model.generation)


def all_live(processors: Sequence[Processor]) -> bool:
    """Whether every processor's generation is still the live one (one query)."""
    with processors[0].engine.connect() as conn:
        live = catalog.active_generations(conn)
    return all(
        live.get(p.name, p.model.generation) == p.model.generation for p in processors
    )


def follow_live(processor: Processor) -> Processor:
    """The processor for the live generation (made live if none is)."""
    catalog.create(processor.engine)
    model = processor.model
    live = catalog.live_generation(processor.engine, model.name, model.generation)
    if live == model.generation:
        return processor
    return Processor(
        type(model)(live),
        processor.engine,
        processor.recorder,
        processor.mapper,
        processor.batch_size,
    )

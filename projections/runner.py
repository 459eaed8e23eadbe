"""Runs processors in background threads, one per read model, until stopped."""

from __future__ import annotations

import logging
import threading
import zlib
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Engine, text

from projections import catalog
from projections.processing import ProcessingError, Processor

log = logging.getLogger(__name__)

IDLE_POLL_SECONDS = 0.2
RETRY_AFTER_FAILURE_SECONDS = 30.0


@contextmanager
def exclusive(engine: Engine, name: str, stop: threading.Event) -> Iterator[bool]:
    """Hold a database lock named `name` (PostgreSQL advisory lock).

    Yields False if stopped before the lock was granted. On SQLite every batch
    already runs in an exclusive write transaction, so no extra lock is needed.
    """
    if engine.dialect.name != "postgresql":
        yield True
        return
    with engine.connect() as conn:
        # Advisory locks belong to the database, not the schema: name both.
        schema = conn.execute(text("SELECT current_schema()")).scalar()
        key = zlib.crc32(f"pmo-ledger:{schema}:{name}".encode())
        while not stop.is_set():
            if conn.execute(
                text("SELECT pg_try_advisory_lock(:k)"), {"k": key}
            ).scalar():
                conn.commit()
                try:
                    yield True
                finally:
                    conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": key})
                    conn.commit()
                return
            conn.commit()
            stop.wait(1.0)
        yield False


class Runner:
    """Keeps a set of processors caught up in daemon threads."""

    def __init__(
        self,
        processors: list[Processor],
        retry_after: float = RETRY_AFTER_FAILURE_SECONDS,
    ) -> None:
        self.processors = processors
        self.retry_after = retry_after
        self.stop_event = threading.Event()
        self.wake_event = threading.Event()
        self.threads: list[threading.Thread] = []
        self.errors: dict[str, str] = {}

    def start(self) -> None:
        """Start one thread per processor."""
        for processor in self.processors:
            thread = threading.Thread(
                target=self._loop,
                args=(processor,),
                name=f"view-{processor.name}",
                daemon=True,
            )
            thread.start()
            self.threads.append(thread)

    def wake(self) -> None:
        """Ask every processor to poll now (after a local write)."""
        self.wake_event.set()

    def stop(self, timeout: float = 10.0) -> None:
        """Stop after the current batches and wait for the threads."""
        self.stop_event.set()
        self.wake_event.set()
        for thread in self.threads:
            thread.join(timeout)

    def run_forever(self) -> None:
        """Run in the foreground until stopped (for `projections run`)."""
        self.start()
        try:
            while not self.stop_event.wait(1.0):
                pass
        finally:
            self.stop()

    def _loop(self, processor: Processor) -> None:
        while not self.stop_event.is_set():
            try:
                processor = follow_live(processor)
                self._follow(processor)
            except Exception as error:  # the database may be restarting
                # A lost connection also lost the advisory lock: take it again.
                log.warning("read model %s paused: %r", processor.name, error)
                self.errors[processor.name] = repr(error)
                self.stop_event.wait(1.0)

    def _follow(self, processor: Processor) -> None:
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
                if not covered:
                    self.wake_event.wait(IDLE_POLL_SECONDS)
                    self.wake_event.clear()


def lock_name(name: str, generation: int) -> str:
    """The advisory lock that one generation's processor holds."""
    return f"{name}:g{generation}"


def is_live(processor: Processor) -> bool:
    """Whether the processor's generation is still the live one."""
    with processor.engine.connect() as conn:
        live = catalog.active_generation(conn, processor.name)
    return live in (None, processor.model.generation)


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

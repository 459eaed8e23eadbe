"""Processors follow the notification log; rows and position share a transaction."""

from __future__ import annotations

import logging
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ClassVar, Protocol, TypeVar

from eventsourcing.persistence import ApplicationRecorder, Mapper, Notification
from eventsourcing.utils import get_topic
from sqlalchemy import Connection, Engine, MetaData, insert, update
from sqlalchemy.exc import InterfaceError, OperationalError

from projections import catalog
from projections.engine import writing

log = logging.getLogger(__name__)


class Buffer(Protocol):
    """Writes a read model holds back until the end of its batch."""

    def reset(self) -> None:
        """Drop what is held (a new batch, or a rolled-back one)."""

    def flush(self, conn: Connection) -> None:
        """Write what is held, inside the batch's transaction."""


B = TypeVar("B", bound=Buffer)


@dataclass(frozen=True)
class Item:
    """One stored event as a read model sees it."""

    position: int
    notification: Notification
    event: Any


class ReadModel(ABC):
    """A read model: its tables for one generation and how events change them."""

    name: ClassVar[str]
    event_classes: ClassVar[tuple[type, ...]] = ()
    decode: ClassVar[bool] = True

    def __init__(self, generation: int) -> None:
        self.generation = generation
        self.metadata = MetaData()
        self.buffers: list[Buffer] = []
        self.define(self.metadata, f"{self.name}_g{generation}")

    def buffered(self, buffer: B) -> B:
        """Register a buffer that `begin` resets and `flush` writes."""
        self.buffers.append(buffer)
        return buffer

    def begin(self) -> None:
        """Start a batch: nothing held from an earlier (maybe rolled-back) one."""
        for buffer in self.buffers:
            buffer.reset()

    def flush(self, conn: Connection) -> None:
        """End a batch: write what the buffers hold."""
        for buffer in self.buffers:
            buffer.flush(conn)

    @abstractmethod
    def define(self, metadata: MetaData, prefix: str) -> None:
        """Declare this generation's tables (names start with prefix)."""

    @abstractmethod
    def apply(self, conn: Connection, item: Item) -> None:
        """Change the rows for one event, inside the processor's transaction."""

    @classmethod
    def topics(cls) -> list[str]:
        """Topics this model reads (empty: every event)."""
        return [get_topic(c) for c in cls.event_classes]


class ProcessingError(Exception):
    """A read model failed on an event; it stops there until fixed."""

    def __init__(self, name: str, position: int, cause: BaseException) -> None:
        super().__init__(f"{name} failed at position {position}: {cause!r}")
        self.name = name
        self.position = position
        self.cause = cause


class _FlushFailedError(Exception):
    """Writing a batch's buffered rows failed; which event caused it is unknown."""


class _EventFailedError(Exception):
    def __init__(self, start: int, position: int, cause: Exception) -> None:
        super().__init__(position)
        self.start = start
        self.position = position
        self.cause = cause


class Processor:
    """Moves one generation of one read model forward, batch by batch."""

    def __init__(
        self,
        model: ReadModel,
        engine: Engine,
        recorder: ApplicationRecorder,
        mapper: Mapper[Any],
        batch_size: int = 500,
    ) -> None:
        self.model = model
        self.engine = engine
        self.recorder = recorder
        self.mapper = mapper
        self.batch_size = batch_size
        self._topics = model.topics()

    @property
    def name(self) -> str:
        """The read model's name."""
        return self.model.name

    def ensure_tables(self, state: str = "building") -> None:
        """Create this generation's tables and tracking row if they are missing."""
        catalog.create(self.engine)
        with writing(self.engine) as conn:
            self.model.metadata.create_all(conn)
            # Tables made by an older release may lack an index added since.
            for table in self.model.metadata.tables.values():
                for index in table.indexes:
                    index.create(conn, checkfirst=True)
        with writing(self.engine) as conn:
            if catalog.read(conn, self.name, self.model.generation) is None:
                conn.execute(
                    insert(catalog.tracking).values(
                        name=self.name,
                        generation=self.model.generation,
                        position=0,
                        state=state,
                        updated_at=catalog.now(),
                    )
                )

    def tracking(self) -> catalog.TrackingRow:
        """This generation's tracking row (its tables must exist)."""
        with self.engine.connect() as conn:
            row = catalog.read(conn, self.name, self.model.generation)
        if row is None:
            raise LookupError(f"{self.name} has no tracking row")
        return row

    def run_batch(self) -> int:
        """Process the next batch; return how many stored events it covered.

        On a failing event the events before it are committed, the failure is
        recorded at its position and ProcessingError is raised; the next call
        retries that same event.
        """
        try:
            try:
                return self._run(stop=None)
            except _FlushFailedError:
                # Only writing each event's rows on their own tells which failed.
                return self._run(stop=None, eager=True)
        except _EventFailedError as failed:
            if failed.position > failed.start:
                self._run(stop=failed.position - 1, eager=True)
            self._record_failure(failed.position, failed.cause)
            raise ProcessingError(
                self.name, failed.position, failed.cause
            ) from failed.cause

    def _run(self, stop: int | None, eager: bool = False) -> int:
        with self.engine.begin() as conn:
            row = catalog.lock_and_read(conn, self.name, self.model.generation)
            if row is None:
                raise LookupError(f"{self.name} has no tracking row")
            head = self.recorder.max_notification_id() or 0
            if stop is not None:
                head = min(head, stop)
            if head <= row.position:
                return 0
            notifications = self.recorder.select_notifications(
                start=row.position + 1,
                limit=self.batch_size,
                stop=head,
                topics=self._topics,
            )
            self.model.begin()
            for notification in notifications:
                try:
                    self._apply(conn, notification)
                    if eager:
                        self.model.flush(conn)
                except (OperationalError, InterfaceError):
                    raise  # the database, not the event: the runner retries
                except Exception as error:
                    start = row.position + 1
                    raise _EventFailedError(start, notification.id, error) from error
            try:
                self.model.flush(conn)
            except (OperationalError, InterfaceError):
                raise
            except Exception as error:
                raise _FlushFailedError() from error
            full = len(notifications) == self.batch_size
            reached = notifications[-1].id if full else head
            self._advance(conn, reached)
            return reached - row.position

    def catch_up(self, progress: Callable[[int], None] | None = None) -> int:
        """Process until the head as it was when called; return events covered."""
        total = 0
        while covered := self.run_batch():
            total += covered
            if progress:
                progress(covered)
        return total

    def _apply(self, conn: Connection, notification: Notification) -> None:
        event = self.mapper.to_domain_event(notification) if self.model.decode else None
        self.model.apply(conn, Item(notification.id, notification, event))

    def _advance(self, conn: Connection, position: int) -> None:
        conn.execute(
            update(catalog.tracking)
            .where(
                catalog.tracking.c.name == self.name,
                catalog.tracking.c.generation == self.model.generation,
            )
            .values(
                position=position,
                error=None,
                error_position=None,
                updated_at=catalog.now(),
            )
        )

    def _record_failure(self, position: int, error: BaseException) -> None:
        log.error("read model %s failed at position %d: %r", self.name, position, error)
        with self.engine.begin() as conn:
            conn.execute(
                update(catalog.tracking)
                .where(
                    catalog.tracking.c.name == self.name,
                    catalog.tracking.c.generation == self.model.generation,
                )
                .values(
                    error=repr(error)[:2000],
                    error_position=position,
                    updated_at=catalog.now(),
                )
            )

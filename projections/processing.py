"""Processors follow the notification log; rows and position share a transaction."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import Any

from eventsourcing.persistence import ApplicationRecorder, Mapper, Notification
from sqlalchemy import Connection, Engine, insert, update
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.schema import CreateTable

from projections import catalog
from projections.decoding import sharing
from projections.engine import writing
from projections.notifications import notification_reader
from projections.read_model import Item, ReadModel

log = logging.getLogger(__name__)


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
    def __init__(self, start: int, position: int, cause: Exception, model: int) -> None:
        super().__init__(position)
        self.start = start
        self.position = position
        self.cause = cause
        self.model = model


class Processor:
    """Moves one generation of one or more read models forward, batch by batch.

    A batch is worked out first, reading the current rows it needs on their own
    connection, and written afterwards in one short write transaction with the
    tracking rows. If another process moved a tracking row in between, the batch
    is thrown away and worked out again, so each event still lands exactly once;
    meanwhile other processors (other models) can write. Several models given
    together share one read and one decoding of the log (a rebuild of many).
    """

    def __init__(
        self,
        model: ReadModel | Sequence[ReadModel],
        engine: Engine,
        recorder: ApplicationRecorder,
        mapper: Mapper[Any],
        batch_size: int = 500,
    ) -> None:
        self.models = (model,) if isinstance(model, ReadModel) else tuple(model)
        self.engine = engine
        self.recorder = recorder
        self.mapper = mapper
        self._decoding = sharing(mapper)
        self._select = notification_reader(recorder)
        self.batch_size = batch_size
        wanted = [m.topics() for m in self.models]
        self._topics = [] if not all(wanted) else sorted({t for w in wanted for t in w})
        self._wants = [frozenset(w) for w in wanted]
        self._pairs = [(m.name, m.generation) for m in self.models]
        # Where each model stood after this object's last commit: its cached
        # rows are only good while nobody else has moved it since.
        self._committed: list[int | None] = [None] * len(self.models)
        # Whether the last batch stopped at its size limit, short of the head it
        # saw: more is waiting now, without a new commit.
        self.backlog = False

    @property
    def model(self) -> ReadModel:
        """The read model (the first, when several are processed together)."""
        return self.models[0]

    @property
    def name(self) -> str:
        """The read model's name (names joined by '+' for several)."""
        return "+".join(m.name for m in self.models)

    def ensure_tables(self, state: str = "building", indexes: bool = True) -> None:
        """Create this generation's tables and tracking row if they are missing.

        Without `indexes` only the tables and their keys are made: a rebuild
        fills them first and indexes them once, when it goes live (`index`).
        """
        catalog.create(self.engine)
        with writing(self.engine) as conn:
            for model in self.models:
                for table in model.metadata.sorted_tables:
                    conn.execute(CreateTable(table, if_not_exists=True))
        if indexes:
            self.index()
        with writing(self.engine) as conn:
            for model in self.models:
                if catalog.read(conn, model.name, model.generation) is None:
                    conn.execute(
                        insert(catalog.tracking).values(
                            name=model.name,
                            generation=model.generation,
                            position=0,
                            state=state,
                            updated_at=catalog.now(),
                        )
                    )

    def index(self) -> None:
        """Create every index this generation's tables lack.

        Also brings tables made by an older release up to the indexes added since.
        """
        with writing(self.engine) as conn:
            for model in self.models:
                for table in model.metadata.sorted_tables:
                    for index in table.indexes:
                        index.create(conn, checkfirst=True)

    def tracking(self) -> catalog.TrackingRow:
        """The (first) model's tracking row (its tables must exist)."""
        return self.trackings()[0]

    def trackings(self) -> list[catalog.TrackingRow]:
        """Every model's tracking row, in order."""
        with self.engine.connect() as conn:
            return self._read_rows(conn, lock=False)

    def _read_rows(self, conn: Connection, lock: bool) -> list[catalog.TrackingRow]:
        read = catalog.lock_and_read_many if lock else catalog.read_many
        rows = read(conn, self._pairs)
        for model, row in zip(self.models, rows, strict=True):
            if row is None:
                raise LookupError(f"{model.name} has no tracking row")
        return [row for row in rows if row is not None]

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
            model = self.models[failed.model]
            self._record_failure(failed.position, failed.cause, model)
            raise ProcessingError(
                model.name, failed.position, failed.cause
            ) from failed.cause

    def _run(self, stop: int | None, eager: bool = False) -> int:
        try:
            if eager:  # every event's rows written at once: one write transaction
                with self.engine.begin() as conn:
                    rows = self._read_rows(conn, lock=True)
                    reached = self._batch(conn, rows, stop, eager=True)
                    if reached is None:
                        return 0
                    self._advance_all(conn, rows, reached)
            while not eager:
                with self.engine.connect() as reader:
                    rows = self._read_rows(reader, lock=False)
                    reached = self._batch(reader, rows, stop, eager=False)
                    reader.rollback()
                if reached is None:
                    return 0
                try:  # bound here, the rows take less time inside the write lock
                    for model in self.models:
                        model.prepare(self.engine.dialect)
                except Exception as error:
                    raise _FlushFailedError() from error
                with self.engine.begin() as conn:
                    now = [r.position for r in self._read_rows(conn, lock=True)]
                    if now == [r.position for r in rows]:
                        self._flush(conn)
                        self._advance_all(conn, rows, reached)
                        break
                self._forget()  # another process got there first: work it out again
        except BaseException:
            self._forget()
            raise
        assert reached is not None
        self._committed = [max(r.position, reached) for r in rows]
        return reached - min(r.position for r in rows)

    def _batch(
        self,
        conn: Connection,
        rows: list[catalog.TrackingRow],
        stop: int | None,
        eager: bool,
    ) -> int | None:
        """Apply the next events to the models; return the position reached."""
        positions = [r.position for r in rows]
        for i, model in enumerate(self.models):
            if self._committed[i] != positions[i]:
                model.forget()
            model.begin()
        start = min(positions)
        head = self.recorder.max_notification_id() or 0
        if stop is not None:
            head = min(head, stop)
        if head <= start:
            self.backlog = False
            return None
        notifications = self._select(start + 1, self.batch_size, head, self._topics)
        for notification in notifications:
            self._apply(conn, notification, positions, eager, start)
        if eager:
            self._flush(conn)
        full = len(notifications) == self.batch_size
        self.backlog = full
        return notifications[-1].id if full else head

    def _apply(
        self,
        conn: Connection,
        notification: Notification,
        positions: list[int],
        eager: bool,
        start: int,
    ) -> None:
        """Hand one event to every model that wants it (decoded at most once)."""
        item: Item | None = None
        for i, model in enumerate(self.models):
            wants = self._wants[i]
            if notification.id <= positions[i] or (
                wants and notification.topic not in wants
            ):
                continue
            try:
                if item is None:
                    item = self._item(notification)
                model.apply(conn, item)
                if eager:
                    model.flush(conn)
            except (OperationalError, InterfaceError):
                raise  # the database, not the event: the runner retries
            except Exception as error:
                failed = _EventFailedError(start + 1, notification.id, error, i)
                raise failed from error

    def _item(self, notification: Notification) -> Item:
        decode = any(m.decode for m in self.models)
        event = self._decoding.to_domain_event(notification) if decode else None
        return Item(notification.id, notification, event)

    def _flush(self, conn: Connection) -> None:
        for model in self.models:
            try:
                model.flush(conn)
            except (OperationalError, InterfaceError):
                raise
            except Exception as error:
                raise _FlushFailedError() from error

    def _forget(self) -> None:
        self._committed = [None] * len(self.models)
        for model in self.models:
            model.forget()

    def catch_up(self, progress: Callable[[int], None] | None = None) -> int:
        """Process until the head as it was when called; return events covered."""
        total = 0
        while covered := self.run_batch():
            total += covered
            if progress:
                progress(covered)
        return total

    def _advance_all(
        self, conn: Connection, rows: list[catalog.TrackingRow], reached: int
    ) -> None:
        behind = [(r.name, r.generation) for r in rows if reached > r.position]
        if behind:
            catalog.advance_many(conn, behind, reached)

    def _advance(
        self, conn: Connection, position: int, model: ReadModel | None = None
    ) -> None:
        model = model or self.model
        conn.execute(
            update(catalog.tracking)
            .where(
                catalog.tracking.c.name == model.name,
                catalog.tracking.c.generation == model.generation,
            )
            .values(
                position=position,
                error=None,
                error_position=None,
                updated_at=catalog.now(),
            )
        )

    def _record_failure(
        self, position: int, error: BaseException, model: ReadModel | None = None
    ) -> None:
        model = model or self.model
        log.error(
            "read model %s failed at position %d: %r", model.name, position, error
        )
        with self.engine.begin() as conn:
            conn.execute(
                update(catalog.tracking)
                .where(
                    catalog.tracking.c.name == model.name,
                    catalog.tracking.c.generation == model.generation,
                )
                .values(
                    error=repr(error)[:2000],
                    error_position=position,
                    updated_at=catalog.now(),
                )
            )

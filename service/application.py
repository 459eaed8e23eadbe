"""The event-sourced application: one instance per process, thread-safe."""

from __future__ import annotations

import hashlib
import logging
import secrets
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, fields
from datetime import date
from typing import Any, TypeVar
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, Application
from eventsourcing.domain import Aggregate
from eventsourcing.persistence import (
    IntegrityError,
    InterfaceError,
    JSONTranscoder,
    Mapper,
    OperationalError,
    StoredEvent,
    Transcoding,
)
from eventsourcing.utils import get_topic

from service.blobs import BlobStore
from service.cache import AggregateCache
from service.config import Settings
from service.domain.base import Meta
from service.domain.document_parts import Copy, Hold, Version
from service.domain.project import StatusReport
from service.errors import (
    AuthenticationError,
    ConcurrentWriteError,
    NotFoundError,
    StoreUnavailableError,
    VersionConflictError,
)
from service.group_commit import GroupCommitter
from service.privacy.keys import KeyStore
from service.privacy.sealing import SealingMapper
from service.snapshots import prune_older
from service.store import fast_paths

A = TypeVar("A", bound=Aggregate)
log = logging.getLogger("pmo_ledger.service")


@dataclass(frozen=True)
class Written:
    """What a command returns: the entity id, its new version, the global position."""

    id: UUID
    version: int
    position: int


@dataclass(frozen=True)
class Principal:
    """An authenticated caller: the token's name, role and id.

    Someone signed in through the identity provider has no token: `external`
    is then their subject there, and `token_id` a stand-in derived from it.
    """

    name: str
    role: str
    token_id: UUID
    external: str | None = None

    @property
    def subject(self) -> str:
        """Who memberships and clearances are granted to."""
        return self.external or f"token:{self.token_id}"


class MetaAsDict(Transcoding):
    """Stores event metadata as a plain JSON object."""

    type = Meta
    name = "meta"

    def encode(self, obj: Meta) -> dict[str, Any]:
        """Encode metadata as a dict (its fields in order, as asdict would)."""
        return {
            "actor": obj.actor,
            "role": obj.role,
            "reason": obj.reason,
            "request_id": obj.request_id,
        }

    def decode(self, data: dict[str, Any]) -> Meta:
        """Decode metadata from a dict."""
        return Meta(**data)


class DateAsISO(Transcoding):
    """Stores calendar dates as ISO 8601 strings."""

    type = date
    name = "date_iso"

    def encode(self, obj: date) -> str:
        """Encode a date."""
        return obj.isoformat()

    def decode(self, data: str) -> date:
        """Decode a date."""
        return date.fromisoformat(data)


def dataclass_transcoding(cls: type, name: str) -> Transcoding:
    """A transcoding that stores a frozen dataclass of the domain as a dict."""

    class DataclassAsDict(Transcoding):
        type = cls
        name = ""

        def encode(self, obj: Any) -> dict[str, Any]:
            return {f.name: getattr(obj, f.name) for f in fields(obj)}

        def decode(self, data: dict[str, Any]) -> Any:
            return cls(**data)

    DataclassAsDict.name = name
    return DataclassAsDict()


def hash_token(secret: str) -> str:
    """The stored form of a bearer token: its SHA-256, hex."""
    return hashlib.sha256(secret.encode()).hexdigest()


def new_token_secret() -> str:
    """A fresh bearer token with 256 bits of entropy."""
    return "pmo_" + secrets.token_urlsafe(32)


STORED_NAME = "PmoLedger"
"""The application's name as stored: existing stores' tables are named by it."""


class ApplicationBase(Application[UUID]):
    """Persistence, loading and saving shared by every command group."""

    # The stored name: it prefixes the tables (`pmoledger_events`) and env keys.
    name = STORED_NAME
    env = {"IS_SNAPSHOTTING_ENABLED": "y"}
    cache_size = 20000

    def __init_subclass__(cls, **kwargs: Any) -> None:
        # eventsourcing names a subclass after itself, and the name prefixes the
        # tables: every subclass keeps the stored name, whatever it is called.
        super().__init_subclass__(**kwargs)
        cls.name = STORED_NAME

    def __init__(
        self, settings: Settings, blobs: BlobStore, *, create_tables: bool = True
    ) -> None:
        self.settings = settings
        self.blobs = blobs
        # Called after every commit: wakes this process's processors at once.
        self.on_commit: Callable[[], None] | None = None
        env = settings.eventsourcing_env()
        env["CREATE_TABLE"] = "y" if create_tables else "n"
        # Built before the mapper, which seals personal values with its keys.
        self.keys = KeyStore.from_settings(settings, create_tables=create_tables)
        super().__init__(env=env)
        self.head, insert, self._statements = fast_paths(self.recorder)
        # The library's repository reads the store; this cache sits in front.
        self.cache = AggregateCache(
            self.recorder, self.head, self.repository, self.cache_size
        )
        if isinstance(self.mapper, SealingMapper):
            self.cache.on_erasure = self.mapper.forget
        self.committer = GroupCommitter(
            insert, self.cache.committed, self.cache.writing
        )

    def construct_mapper(self) -> Mapper[UUID]:
        """The mapper sealing personal values (service.privacy.sealing)."""
        return SealingMapper(self.construct_transcoder(), self.keys)

    def register_transcodings(self, transcoder: JSONTranscoder) -> None:
        """Add the value types our events carry."""
        super().register_transcodings(transcoder)
        transcoder.register(MetaAsDict())
        transcoder.register(DateAsISO())
        for cls in (Version, Hold, Copy, StatusReport):
            transcoder.register(dataclass_transcoding(cls, cls.__name__.lower()))

    def load(
        self,
        cls: type[A],
        entity_id: UUID,
        version: int | None = None,
        *,
        read_only: bool = False,
    ) -> A:
        """Load an aggregate of the given type, or raise NotFoundError.

        read_only skips copying a cached aggregate: for checks that never
        mutate it (such as "is the project open?").
        """
        try:
            aggregate: Aggregate = (
                self.cache.get(entity_id, copy=not read_only)
                if version is None
                else self.repository.get(entity_id, version=version)
            )
        except AggregateNotFoundError:
            raise NotFoundError(entity_name(cls), entity_id) from None
        except (OperationalError, InterfaceError) as error:
            raise StoreUnavailableError(str(error)) from error
        if not isinstance(aggregate, cls):
            raise NotFoundError(entity_name(cls), entity_id)
        return aggregate

    def commit(self, *aggregates: Aggregate) -> int:
        """Save pending events atomically; return the last global position.

        Concurrent commits share one transaction (service.group_commit); each
        returns once its own events are durable.
        """
        events = [e for a in aggregates for e in a.collect_events()]
        stored = [self.mapper.to_stored_event(e) for e in events]
        try:
            ids = self.committer.write(stored, aggregates)
        except IntegrityError:
            if not self._already_recorded(stored):
                raise ConcurrentWriteError(aggregates[0].id) from None
            # The store retried an insert after a lost connection and the first
            # attempt had committed: these are our own events, so it succeeded.
            # Their exact ids are unknown here; the head is a safe upper bound
            # for read-your-writes (and the cache learns of them by catching up).
            position = self.head_position()
        except (OperationalError, InterfaceError) as error:
            raise StoreUnavailableError(str(error)) from error
        else:
            position = max(ids) if ids else self.head_position()
        try:
            self._snapshot(aggregates, events)
        except (OperationalError, InterfaceError) as error:
            # The events are committed; a snapshot is only a shortcut.
            log.warning("snapshot not taken: %r", error)
        if self.on_commit is not None:
            self.on_commit()
        return position

    def _snapshot(self, aggregates: tuple[Aggregate, ...], events: list[Any]) -> None:
        """Snapshot each aggregate whose new events cross its interval."""
        if self.snapshots is None:
            return
        by_id = {a.id: a for a in aggregates}
        for event in events:
            aggregate = by_id[event.originator_id]
            interval = self.snapshotting_intervals.get(type(aggregate))
            if interval is None or event.originator_version % interval:
                continue
            if event.originator_version == aggregate.version:
                # The committed aggregate is exactly that version: no replay.
                snapshot_class = type(aggregate).Snapshot
                self.snapshots.put([snapshot_class.take(aggregate)])
            else:
                self.take_snapshot(event.originator_id, event.originator_version)
            # Only the newest snapshot is worth keeping (service/snapshots.py).
            try:
                prune_older(
                    self.snapshots.recorder,
                    event.originator_id,
                    event.originator_version,
                )
            except Exception as error:  # the write has succeeded
                # Old snapshots left behind cost space, never correctness.
                log.warning("older snapshots not pruned: %r", error)

    def _already_recorded(self, stored: list[StoredEvent]) -> bool:
        """Whether exactly these events (same bytes) are in the store already."""
        for event in stored:
            found = self.recorder.select_events(
                event.originator_id,
                gt=event.originator_version - 1,
                lte=event.originator_version,
            )
            if not found or (found[0].topic, bytes(found[0].state)) != (
                event.topic,
                bytes(event.state),
            ):
                return False
        return True

    def create(self, *aggregates: Aggregate) -> Written:
        """Commit new aggregates; the first one is the subject of the result."""
        position = self.commit(*aggregates)
        return Written(aggregates[0].id, aggregates[0].version, position)

    def change(
        self,
        cls: type[A],
        entity_id: UUID,
        command: Callable[[A], object],
        expected_version: int | None = None,
    ) -> Written:
        """Load, check the expected version, run the command, commit."""
        with self.one_check():
            aggregate = self.load(cls, entity_id)
            if expected_version is not None and aggregate.version != expected_version:
                raise VersionConflictError(
                    entity_id, expected_version, aggregate.version
                )
            command(aggregate)
            position = self.commit(aggregate)
        return Written(aggregate.id, aggregate.version, position)

    @contextmanager
    def one_check(self) -> Iterator[None]:
        """A scope whose loads share one head check (see AggregateCache)."""
        with ExitStack() as scope:
            try:
                scope.enter_context(self.cache.one_check())
            except (OperationalError, InterfaceError) as error:
                raise StoreUnavailableError(str(error)) from error
            yield

    def head_position(self) -> int:
        """The highest notification id recorded so far (0 when empty)."""
        return self.head()

    def close(self) -> None:
        """Close the store's connections."""
        if self._statements is not None:
            self._statements.close()
        super().close()
        self.keys.close()

    def iter_events_of(self, *event_classes: type, batch: int = 500) -> Iterator[Any]:
        """Every stored event of the given classes, in global order."""
        topics = [get_topic(cls) for cls in event_classes]
        start = 1
        while True:
            notifications = self.recorder.select_notifications(
                start=start, limit=batch, topics=topics
            )
            for notification in notifications:
                yield self.mapper.to_domain_event(notification), notification.id
            if len(notifications) < batch:
                return
            start = notifications[-1].id + 1

    def check_secret(self, secret: str) -> str:
        """Refuse an empty or absurd token before hashing it."""
        if not secret or len(secret) > 200:
            raise AuthenticationError("invalid bearer token")
        return hash_token(secret)


def entity_name(cls: type) -> str:
    """How errors name an aggregate class (`ChangeRequest`: change request)."""
    return "".join(
        f" {c.lower()}" if c.isupper() and i else c.lower()
        for i, c in enumerate(cls.__name__)
    )

"""Reading one entity now or as at a moment, its history, and read-your-writes.

Entities are rebuilt from their events here, and only here: `read_entity`
says when (any `as_of`), so a read model can take over one kind at a time.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any, TypeVar
from uuid import UUID

from eventsourcing.domain import Aggregate

from projections.views import Kind
from service.domain.entry import RegisterEntry as Entry
from usecases.errors import (
    NotAvailableError,
    PositionBeyondHeadError,
    QueryRefusedError,
    ReadModelsBehindError,
)
from usecases.root import Services

T = TypeVar("T")
MAX_WAIT_SECONDS = 5.0
_EVENT_KEYS = (
    "originator_id",
    "originator_version",
    "originator_topic",
    "timestamp",
    "meta",
)


@dataclass(frozen=True)
class EntityQuery:
    """One entity of a kind, now or as it stood at a moment."""

    kind: type[Aggregate]
    entity_id: UUID
    as_of: datetime | None = None


@dataclass(frozen=True)
class EntityView:
    """An entity's public state as plain values, with its id and version."""

    id: UUID
    version: int
    state: dict[str, Any]


@dataclass(frozen=True)
class HistoryQuery:
    """Every event of one entity of a kind."""

    kind: type[Aggregate]
    entity_id: UUID


@dataclass(frozen=True)
class EntityHistory:
    """An entity's events, oldest first, each with who, when and why."""

    id: UUID
    events: list[dict[str, Any]]


@dataclass(frozen=True)
class RegisterQuery:
    """A project's whole register of a kind, now or as at a moment, filtered."""

    kind: Kind
    project_id: UUID
    as_of: datetime | None = None
    filters: dict[str, object] = dataclasses.field(default_factory=dict)
    sort: str | None = None


@dataclass(frozen=True)
class RegisterPageQuery:
    """One page of a project's register as a person browses it."""

    kind: Kind
    project_id: UUID
    as_of: datetime | None = None
    filters: dict[str, object] = dataclasses.field(default_factory=dict)
    sort: str | None = None
    after: str | None = None
    limit: int = 50


@dataclass(frozen=True)
class RegisterPage:
    """The page's rows, the cursor of the next page, and how many match in all."""

    items: list[dict[str, Any]]
    next_cursor: str | None
    total: int


@dataclass(frozen=True)
class EntryQuery:
    """One register entry of a kind, with its row versions and its events."""

    kind: Kind
    entity_id: UUID


@dataclass(frozen=True)
class RegisterEntry:
    """An entry now, every version of its row oldest first, and its audit rows."""

    current: dict[str, Any]
    versions: list[dict[str, Any]]
    events: list[dict[str, Any]]


def read_entity(services: Services, query: EntityQuery) -> EntityView:
    """One entity now (the application's cache) or as at a moment.

    As at a moment, a register entry comes from its register's temporal read
    model. Replaying the entity's events up to the moment is kept for what a
    read model cannot answer: an aggregate no temporal table holds (a project,
    a document), or a register whose read model has not yet reached the
    store's head. This is the one place an entity read replays.
    """
    app = services.app
    if query.as_of is None:
        return entity_view(app.load(query.kind, query.entity_id))
    moment = as_aware(query.as_of)
    if issubclass(query.kind, Entry):
        found = register_entry_at(services, query.kind, query.entity_id, moment)
        if found is not None:
            return found
    version = None
    for event in app.events.get(query.entity_id):
        if event.timestamp > moment:  # type: ignore[attr-defined]
            break
        version = event.originator_version
    if version is None:
        raise NotAvailableError(
            f"{query.entity_id} did not exist at {moment.isoformat()}"
        )
    return entity_view(app.load(query.kind, query.entity_id, version=version))


def register_entry_at(
    services: Services, cls: type[Entry], entity_id: UUID, moment: datetime
) -> EntityView | None:
    """An entry as at a moment from its temporal table (None: not caught up)."""
    views = getattr(services, "views", None)
    kind = cls.register_kind
    if views is None or views.reached(kind.name) < services.app.head_position():
        return None
    row = views.get_entry(kind.name, entity_id, moment)
    if row is None:
        services.app.load(cls, entity_id)
        raise NotAvailableError(f"{entity_id} did not exist at {moment.isoformat()}")
    state = {f.name: plain(row[f.name]) for f in kind.fields}
    state.update(
        project_id=str(row["project_id"]),
        id=str(entity_id),
        version=row["version"],
        **timestamps(plain(row["created_at"]), plain(row["recorded_at"])),
    )
    return EntityView(entity_id, row["version"], state)


def entity_history(services: Services, query: HistoryQuery) -> EntityHistory:
    """Every event of one entity, oldest first (unknown id or kind: not found)."""
    app = services.app
    app.load(query.kind, query.entity_id)
    events = []
    for event in app.events.get(query.entity_id):
        meta = getattr(event, "meta", None)
        fields = {
            key: plain(value)
            for key, value in vars(event).items()
            if key not in _EVENT_KEYS
        }
        events.append(
            {
                "version": event.originator_version,
                "type": type(event).__qualname__,
                "recorded_at": event.timestamp.isoformat(),  # type: ignore[attr-defined]
                "actor": getattr(meta, "actor", None),
                "role": getattr(meta, "role", None),
                "reason": getattr(meta, "reason", None),
                "request_id": getattr(meta, "request_id", None),
                "fields": fields,
            }
        )
    return EntityHistory(query.entity_id, events)


def register_rows(services: Services, query: RegisterQuery) -> list[dict[str, Any]]:
    """A register from its temporal read model (a range query, never a replay)."""
    views = services.views
    return query_views(
        lambda: list(
            views.iter_register(
                query.kind,
                query.project_id,
                as_of=query.as_of,
                filters=query.filters,
                sort=query.sort,
            )
        )
    )


def register_page(services: Services, query: RegisterPageQuery) -> RegisterPage:
    """A page of a register, sorted and filtered in the read model (keyset paging)."""
    views = services.views
    listed = query_views(
        views.list_register,
        query.kind,
        query.project_id,
        as_of=query.as_of,
        filters=query.filters,
        after=query.after,
        limit=query.limit,
        sort=query.sort,
    )
    total = query_views(
        views.count_register,
        query.kind,
        query.project_id,
        as_of=query.as_of,
        filters=query.filters,
    )
    return RegisterPage(listed.items, listed.next_cursor, total)


@dataclass(frozen=True)
class TallyQuery:
    """A register's entries counted per value of some columns, now or as at."""

    kind: Kind
    project_id: UUID
    by: tuple[str, ...]
    as_of: datetime | None = None
    filters: dict[str, object] = dataclasses.field(default_factory=dict)
    oldest: str | None = None


def register_tally(services: Services, query: TallyQuery) -> list[dict[str, Any]]:
    """One grouped count in the read model: charts stay fast however long a register."""
    return query_views(
        services.views.tally,
        query.kind,
        query.project_id,
        as_of=query.as_of,
        filters=query.filters,
        by=query.by,
        oldest=query.oldest,
    )


def register_entry(services: Services, query: EntryQuery) -> RegisterEntry:
    """One register entry with its row versions and events (read models only)."""
    views = services.views
    current = views.get_entry(query.kind, query.entity_id)
    if current is None:
        raise NotAvailableError(f"no {query.kind} entry with id {query.entity_id}")
    return RegisterEntry(
        current,
        views.entry_history(query.kind, query.entity_id),
        list(views.iter_audit(entity_id=query.entity_id)),
    )


def entity_view(aggregate: Aggregate) -> EntityView:
    """An aggregate's public state as plain values, with id and version."""
    state = {
        key: plain(value)
        for key, value in vars(aggregate).items()
        if not key.startswith("_")
    }
    state.update(
        id=str(aggregate.id),
        version=aggregate.version,
        **timestamps(
            aggregate.created_on.isoformat(), aggregate.modified_on.isoformat()
        ),
    )
    return EntityView(aggregate.id, aggregate.version, state)


def timestamps(created: str, recorded: str) -> dict[str, str]:
    """An entity's two instants, named as every answer names them (decision 100).

    `created_on` and `modified_on` are 0.1's names for the same instants, still
    served because its contract lists them.
    """
    return {
        "created_at": created,
        "recorded_at": recorded,
        "created_on": created,
        "modified_on": recorded,
    }


def plain(value: Any) -> Any:
    """A value as JSON-ready data (ids and dates as text, dataclasses as dicts)."""
    if isinstance(value, UUID):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {
            f.name: plain(getattr(value, f.name)) for f in dataclasses.fields(value)
        }
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, Iterable) and not isinstance(value, str | bytes):
        return [plain(v) for v in value]
    return value


def as_aware(moment: datetime) -> datetime:
    """A moment with a time zone (a naive one is taken as UTC)."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def wait_for_position(services: Services, position: int | None) -> None:
    """Read-your-writes: wait (bounded) until the read models reach a position."""
    if position is None or position <= 0:
        return
    check_position(services, position)
    if not services.views.wait_for(position, MAX_WAIT_SECONDS):
        raise ReadModelsBehindError(position)


def check_position(services: Services, position: int | None) -> None:
    """Refuse a position the store has not reached (entity reads are current)."""
    if position is None or position <= 0:
        return
    head = services.app.head_position()
    if position > head:
        raise PositionBeyondHeadError(position, head)


def query_views(query: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Run a read-model query; its ValueError (a bad cursor or filter) is refused."""
    try:
        return query(*args, **kwargs)
    except ValueError as error:
        raise QueryRefusedError(error) from None

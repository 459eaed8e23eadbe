"""The audit trail: every event, filtered and paged, each with its ledger leaf."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from projections.paging import Page
from usecases.integrity import leaf_indices
from usecases.reads import query_views, wait_for_position
from usecases.root import Services


@dataclass(frozen=True)
class AuditQuery:
    """A page of the audit trail: filters, the last position seen, the page size."""

    project_id: UUID | None = None
    actor: str | None = None
    entity_id: UUID | None = None
    event_type: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    after_position: int | None = None
    limit: int = 100
    min_position: int | None = None
    """Read-your-writes: wait (bounded) until the trail holds this position."""
    newest_first: bool = False
    titled: bool = False
    """Also name each row's entity as people call it now (`entity_title`)."""
    q: str | None = None
    """Words each found, in any case, in the event's data, actor, type or reason."""
    partial: bool = False
    """Match actor and event type as part of the text, in any case."""


@dataclass(frozen=True)
class EventsQuery:
    """Every event of one entity (optionally of one type), oldest first."""

    entity_id: UUID
    event_type: str | None = None


def audit_page(services: Services, query: AuditQuery) -> Page:
    """A page in position order; each row carries its ledger leaf index (or None)."""
    wait_for_position(services, query.min_position)
    found = query_views(
        services.views.audit,
        project_id=query.project_id,
        actor=query.actor,
        entity_id=query.entity_id,
        event_type=query.event_type,
        since=query.since,
        until=query.until,
        after_position=query.after_position,
        limit=query.limit,
        newest_first=query.newest_first,
        q=query.q,
        partial=query.partial,
    )
    leaves = leaf_indices(services, [row["position"] for row in found.items])
    for row in found.items:
        row["leaf_index"] = leaves.get(row["position"])
    if query.titled:
        by_type: dict[str, list[UUID]] = {}
        for row in found.items:
            by_type.setdefault(row["entity_type"], []).append(
                UUID(str(row["entity_id"]))
            )
        titles = {
            entity_type: services.views.titles(entity_type, ids)
            for entity_type, ids in by_type.items()
        }
        for row in found.items:
            named = titles[row["entity_type"]]
            row["entity_title"] = named.get(str(row["entity_id"]))
    return found


def entity_events(services: Services, query: EventsQuery) -> list[dict[str, Any]]:
    """An entity's audit rows: who, when, why, and what each event recorded."""
    return list(
        services.views.iter_audit(
            entity_id=query.entity_id, event_type=query.event_type
        )
    )

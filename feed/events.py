"""The log as the feed tells it: each event with its project and ledger leaf.

The feed reads only as far as the integrity ledger has appended, so every
event it sends already has a leaf index and an inclusion proof to link to.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from eventsourcing.persistence import ApplicationRecorder, Mapper, Notification
from sqlalchemy import Engine, select

from integrity.tables import GENERATION, NAME, leaves, members
from projections import catalog
from projections.audit import REDACTED, data_text
from projections.decoding import sharing
from projections.notifications import notification_reader
from projections.temporal import fields_of

PROOF_PATH = "/api/v1/ledger/proofs/inclusion"
# A subscription's salt is useless without the key, but nobody needs it either.
HIDDEN = REDACTED | {"secret_salt"}


@dataclass(frozen=True)
class FeedEvent:
    """One stored event as subscribers receive it."""

    position: int
    leaf_index: int
    event_type: str
    entity_type: str
    entity_id: UUID
    entity_version: int
    project_id: UUID | None
    recorded_at: str
    actor: str
    role: str
    reason: str | None
    request_id: str | None
    fields: dict[str, Any]

    def matches(self, event_types: Sequence[str], project_ids: Sequence[str]) -> bool:
        """Whether the event passes a type filter and a project filter (empty: any)."""
        if event_types and not (
            self.event_type in event_types or self.entity_type in event_types
        ):
            return False
        return not project_ids or str(self.project_id) in project_ids

    def payload(self, public_url: str) -> dict[str, Any]:
        """The Standard Webhooks payload: type, timestamp and the event as data."""
        return {
            "type": self.event_type,
            "timestamp": self.recorded_at,
            "data": {
                "position": self.position,
                "leaf_index": self.leaf_index,
                "proof": f"{public_url}{PROOF_PATH}?position={self.position}",
                "entity_type": self.entity_type,
                "entity_id": str(self.entity_id),
                "entity_version": self.entity_version,
                "project_id": str(self.project_id) if self.project_id else None,
                "actor": self.actor,
                "role": self.role,
                "reason": self.reason,
                "request_id": self.request_id,
                "fields": self.fields,
            },
        }

    def body(self, public_url: str) -> bytes:
        """The payload as compact JSON bytes (what is signed and sent)."""
        return json.dumps(self.payload(public_url), separators=(",", ":")).encode()

    @property
    def routing_key(self) -> str:
        """`<project id or none>.<Entity>.<Action>` for a topic exchange."""
        project = str(self.project_id) if self.project_id else "none"
        return f"{project}.{self.event_type}"


class EventReader:
    """Reads events after a position, as far as the ledger has leaves for."""

    def __init__(
        self, engine: Engine, recorder: ApplicationRecorder, mapper: Mapper[Any]
    ) -> None:
        self.engine = engine
        self._select = notification_reader(recorder)
        self._decoding = sharing(mapper)

    def ledger_position(self) -> int:
        """How far the integrity ledger has appended."""
        with self.engine.connect() as conn:
            row = catalog.read(conn, NAME, GENERATION)
        return row.position if row is not None else 0

    def read(
        self, after: int, limit: int, bound: int | None = None
    ) -> tuple[list[FeedEvent], int]:
        """Up to `limit` events after `after` (to `bound`), and the position covered."""
        upto = self.ledger_position()
        if bound is not None:
            upto = min(upto, bound)
        if upto <= after:
            return [], after
        notes = self._select(after + 1, limit, upto, [])
        if not notes:
            return [], upto
        events = self._decode(notes)
        return events, notes[-1].id if len(notes) == limit else upto

    def _decode(self, notes: Sequence[Notification]) -> list[FeedEvent]:
        decoded = [self._decoding.to_domain_event(n) for n in notes]
        with self.engine.connect() as conn:
            indices = dict(
                conn.execute(
                    select(leaves.c.position, leaves.c.leaf_index).where(
                        leaves.c.position.in_([n.id for n in notes])
                    )
                ).all()
            )
            wanted = {e.originator_id for e in decoded}
            owners = dict(
                conn.execute(
                    select(members.c.originator_id, members.c.project_id).where(
                        members.c.originator_id.in_(wanted)
                    )
                ).all()
            )
        return [
            _feed_event(n.id, indices[n.id], event, owners)
            for n, event in zip(notes, decoded, strict=True)
        ]


def _feed_event(
    position: int, leaf_index: int, event: Any, owners: dict[UUID, UUID]
) -> FeedEvent:
    event_type = type(event).__qualname__
    entity_type = event_type.split(".")[0]
    fields = fields_of(event)
    meta = getattr(event, "meta", None)
    if entity_type == "Project":
        project = event.originator_id
    else:
        project = fields.get("project_id") or owners.get(event.originator_id)
    shown = {k: v for k, v in fields.items() if k not in HIDDEN}
    return FeedEvent(
        position=position,
        leaf_index=leaf_index,
        event_type=event_type,
        entity_type=entity_type,
        entity_id=event.originator_id,
        entity_version=event.originator_version,
        project_id=UUID(str(project)) if project else None,
        recorded_at=event.timestamp.isoformat(),
        actor=getattr(meta, "actor", "system"),
        role=getattr(meta, "role", ""),
        reason=getattr(meta, "reason", None),
        request_id=getattr(meta, "request_id", None),
        fields=json.loads(data_text(shown)),
    )

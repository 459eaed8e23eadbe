"""The audit trail: one row per stored event, with who, when, why and what."""

from __future__ import annotations

import json
from typing import Any

import orjson
from sqlalchemy import (
    BigInteger,
    Column,
    Connection,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    Uuid,
)

from projections.buffers import Appends, Lookup
from projections.read_model import Item, ReadModel
from projections.temporal import UTCDateTime, fields_of

# Never copied into the trail: a token's hash is its lookup key.
REDACTED = frozenset({"token_hash"})
# Types orjson would write otherwise than `str` (dates as ISO 8601 with a "T",
# dataclasses as objects) go to `default` instead, as with json.dumps.
PASSTHROUGH = orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS


class AuditTrail(ReadModel):
    """Every event, in position order, filterable by project, actor and entity."""

    name = "audit"
    table: Table
    entities: Table
    rows: Appends
    projects: Lookup

    def define(self, metadata: MetaData, prefix: str) -> None:
        """The trail, and an index of which project each entity belongs to."""
        self.table = Table(
            prefix,
            metadata,
            Column("position", BigInteger, primary_key=True, autoincrement=False),
            Column("recorded_at", UTCDateTime, nullable=False, index=True),
            Column("actor", String(200), nullable=False),
            Column("role", String(32), nullable=False),
            Column("action", String(100), nullable=False),
            Column("entity_type", String(64), nullable=False),
            Column("entity_id", Uuid, nullable=False),
            Column("entity_version", Integer, nullable=False),
            Column("project_id", Uuid),
            Column("reason", Text),
            Column("request_id", String(200)),
            Column("data", Text, nullable=False),
        )
        for column in ("project_id", "actor", "entity_id", "action"):
            Index(f"{prefix}_{column}", self.table.c[column], self.table.c.position)
        self.entities = Table(
            f"{prefix}_entities",
            metadata,
            Column("entity_id", Uuid, primary_key=True),
            Column("project_id", Uuid, nullable=False),
        )
        self.rows = self.buffered(Appends(self.table))
        self.projects = self.buffered(Lookup(self.entities, "entity_id", "project_id"))

    def apply(self, conn: Connection, item: Item) -> None:
        """Append the event's row."""
        event = item.event
        action = type(event).__qualname__
        entity_type = action.split(".")[0]
        fields = fields_of(event)
        meta = event.meta
        self.rows.add(
            dict(
                position=item.position,
                recorded_at=event.timestamp,
                actor=meta.actor,
                role=meta.role,
                action=action,
                entity_type=entity_type,
                entity_id=event.originator_id,
                entity_version=event.originator_version,
                project_id=self._project_of(conn, event, entity_type, fields),
                reason=meta.reason,
                request_id=meta.request_id,
                data=data_text({k: v for k, v in fields.items() if k not in REDACTED}),
            )
        )

    def _project_of(
        self, conn: Connection, event: Any, entity_type: str, fields: dict[str, Any]
    ) -> Any:
        if entity_type == "Project":
            return event.originator_id
        if "project_id" in fields:
            if event.originator_version == 1:
                self.projects.add(event.originator_id, fields["project_id"])
            return fields["project_id"]
        return self.projects.get(conn, event.originator_id)


def data_text(fields: dict[str, Any]) -> str:
    """An event's fields as JSON, keys sorted, other values as their `str`.

    orjson is several times faster than json.dumps and its text parses to the
    same value; what it refuses (keys that are not strings, integers beyond 64
    bits) falls back to json.dumps itself. It would write a NaN as null, but
    no event holds a float.
    """
    try:
        return orjson.dumps(
            fields, default=str, option=orjson.OPT_SORT_KEYS | PASSTHROUGH
        ).decode()
    except orjson.JSONEncodeError:
        return json.dumps(fields, default=str, sort_keys=True)

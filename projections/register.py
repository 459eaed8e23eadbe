"""Every declared register's read model: one temporal table, derived from its kind."""

from __future__ import annotations

from functools import cache
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    Column,
    Connection,
    Date,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    Uuid,
)
from sqlalchemy.types import TypeEngine

from projections.read_model import Item, ReadModel
from projections.temporal import fields_of, project_indexes, temporal_table
from projections.versions import Versions
from service.domain.entry import RegisterEntry
from service.domain.register import Field, RegisterKind


def events_of(aggregate: type, *names: str) -> tuple[type, ...]:
    """The event classes an aggregate declares under the given names."""
    return tuple(getattr(aggregate, name) for name in names)


def column_type(field: Field) -> TypeEngine[Any]:
    """How a field of a register is stored in its read model."""
    if field.kind == "integer":
        return Integer()
    if field.kind == "date":
        return Date()
    if field.kind in ("texts", "json", "entries"):
        return JSON()
    if field.kind == "choice":
        return String(32)
    if field.kind == "text" and field.max_length > 200:
        return Text()
    return String(field.max_length)


class RegisterModel(ReadModel):
    """A project register: one row version per event of its entries."""

    kind: ClassVar[RegisterKind]
    created: ClassVar[str]
    # filter name -> (column, "eq" | "min")
    filters: ClassVar[dict[str, tuple[str, str]]]
    sorts: ClassVar[tuple[str, ...]]
    table: Table
    rows: Versions

    def define(self, metadata: MetaData, prefix: str) -> None:
        """One temporal table, indexed for the current register of a project."""
        self.table = temporal_table(
            metadata,
            prefix,
            [Column("id", Uuid)],
            Column("project_id", Uuid, nullable=False),
            *self.columns(),
        )
        project_indexes(self.table)
        self.rows = self.buffered(Versions(self.table, ["id"]))

    def columns(self) -> list[Column[Any]]:
        """A column per field and derived value (status is every table's own)."""
        filtered = {column for column, _ in self.filters.values()}
        return [
            Column(
                f.name,
                column_type(f),
                nullable=f.nullable,
                index=f.name in filtered and f.kind != "integer",
            )
            for f in (*self.kind.fields, *self.kind.derived_fields)
            if f.name != "status"
        ]

    def changes(
        self, event: str, fields: dict[str, Any], before: dict[str, Any]
    ) -> dict[str, Any]:
        """The columns an event changes, given the row before it."""
        kind = self.kind
        command = kind.by_event()[event]
        if command is kind.create:
            before = kind.initial_state() | {"project_id": fields.pop("project_id")}
        for param in command.params:
            fields.setdefault(param.name, param.initial())
        changed = command.changes(fields, before)
        if command is kind.create:
            changed = before | changed
        after = kind.with_derived(dict(before) | changed)
        return changed | {name: after[name] for name in kind.derived}

    def apply(self, conn: Connection, item: Item) -> None:
        """Close the entity's row version and add the one the event makes."""
        event = item.event
        name = type(event).__name__
        keys = {"id": event.originator_id}
        before = None if name == self.created else self.rows.current(conn, keys)
        if before is None and name != self.created:
            raise LookupError(f"{self.name}: no row for {event.originator_id}")
        changes = self.changes(name, fields_of(event), before or {})
        self.rows.write(item, keys, changes, before)


@cache
def register_model(cls: type[RegisterEntry]) -> type[RegisterModel]:
    """The read-model class of a declared register."""
    kind = cls.register_kind
    events = events_of(cls, *(c.event for c in (kind.create, *kind.commands)))
    namespace = {
        "__doc__": f"The {kind.noun} register, every version of every entry.",
        "__module__": __name__,
        "kind": kind,
        "name": kind.name,
        "created": kind.create.event,
        "event_classes": events,
        "filters": dict(kind.filters),
        "sorts": kind.sorts,
    }
    return type(f"{cls.__name__}Register", (RegisterModel,), namespace)

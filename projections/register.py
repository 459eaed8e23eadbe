"""What the risk, issue, change and decision registers share: one temporal table."""

from __future__ import annotations

from abc import abstractmethod
from typing import Any, ClassVar

from sqlalchemy import Column, Connection, MetaData, Table, Uuid

from projections.read_model import Item, ReadModel
from projections.temporal import fields_of, project_indexes, temporal_table
from projections.versions import Versions


def events_of(aggregate: type, *names: str) -> tuple[type, ...]:
    """The event classes an aggregate declares under the given names."""
    return tuple(getattr(aggregate, name) for name in names)


class RegisterModel(ReadModel):
    """A project register: one row version per event of its aggregate."""

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

    @abstractmethod
    def columns(self) -> list[Column[Any]]:
        """The register's own columns, named as the aggregate's attributes."""

    @abstractmethod
    def changes(
        self, event: str, fields: dict[str, Any], before: dict[str, Any]
    ) -> dict[str, Any]:
        """The columns an event changes, given the row before it."""

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

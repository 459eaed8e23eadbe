"""The master copy: documents, the status of every version, holds and copies.

Documents and versions are temporal, so the authoritative version "as at D"
is a range query; holds and copies carry the times they started and ended.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    BigInteger,
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

from projections.buffers import Appends, Holds
from projections.read_model import Item, ReadModel
from projections.register import events_of
from projections.temporal import (
    UTCDateTime,
    fields_of,
    project_indexes,
    temporal_table,
)
from projections.versions import Versions
from service.domain.document import Document

EVENTS = (
    "Registered",
    "VersionSubmitted",
    "VersionSentForReview",
    "VersionApproved",
    "VersionWithdrawn",
    "CopyIssued",
    "HoldPlaced",
    "HoldReleased",
    "RetentionExtended",
    "Disposed",
)
VERSION_STATUS = {
    "VersionSentForReview": "in-review",
    "VersionApproved": "approved",
    "VersionWithdrawn": "withdrawn",
}


class DocumentsModel(ReadModel):
    """Documents, their versions, holds and copies issued."""

    name = "documents"
    event_classes = events_of(Document, *EVENTS)
    table: Table
    versions: Table
    holds: Table
    copies: Table
    rows: Versions
    version_rows: Versions
    copy_rows: Appends
    hold_rows: Holds

    def define(self, metadata: MetaData, prefix: str) -> None:
        """Temporal documents and versions; holds and copies with their times."""
        self.table = temporal_table(
            metadata,
            prefix,
            [Column("id", Uuid)],
            Column("project_id", Uuid, nullable=False),
            Column("title", Text, nullable=False),
            *(
                Column(n, String(200), nullable=False)
                for n in ("doc_type", "classification", "retention_class", "owner")
            ),
            Column("authoritative_version", Integer),
            *(
                Column(n, Integer, nullable=False)
                for n in ("version_count", "copies_issued", "holds_active")
            ),
            Column("retention_until", Date),
            Column("disposal_due_on", Date),
            Column("disposed_at", UTCDateTime),
        )
        project_indexes(self.table)
        self.versions = temporal_table(
            metadata,
            f"{prefix}_versions",
            [Column("document_id", Uuid), Column("number", Integer)],
            Column("sha256", String(64), nullable=False),
            Column("size", BigInteger, nullable=False),
            Column("media_type", String(255), nullable=False),
            Column("filename", String(255), nullable=False),
            Column("comment", Text, nullable=False),
            Column("submitted_at", UTCDateTime, nullable=False),
            Column("submitted_by", String(200), nullable=False),
            Column("status_changed_at", UTCDateTime, nullable=False),
            Column("approved_at", UTCDateTime),
            Column("approved_by", String(200)),
        )
        self.holds = Table(
            f"{prefix}_holds",
            metadata,
            Column("document_id", Uuid, primary_key=True),
            Column("hold_id", String(100), primary_key=True),
            Column("placed_position", BigInteger, primary_key=True),
            Column("title", Text, nullable=False),
            Column("mandate", Text, nullable=False),
            Column("placed_at", UTCDateTime, nullable=False),
            Column("placed_by", String(200), nullable=False),
            Column("released_at", UTCDateTime),
            Column("released_by", String(200)),
            Column("released_position", BigInteger),
        )
        self.copies = Table(
            f"{prefix}_copies",
            metadata,
            Column("position", BigInteger, primary_key=True),
            Column("document_id", Uuid, nullable=False, index=True),
            Column("number", Integer, nullable=False),
            Column("recipient", String(200), nullable=False),
            Column("purpose", Text, nullable=False),
            Column("issued_at", UTCDateTime, nullable=False),
            Column("issued_by", String(200), nullable=False),
        )
        self.rows = self.buffered(Versions(self.table, ["id"]))
        self.version_rows = self.buffered(
            Versions(self.versions, ["document_id", "number"])
        )
        self.copy_rows = self.buffered(Appends(self.copies))
        self.hold_rows = self.buffered(Holds(self.holds))

    def apply(self, conn: Connection, item: Item) -> None:
        """Change the document row, and the version, hold or copy concerned."""
        event = item.event
        name = type(event).__name__
        fields = fields_of(event)
        keys = {"id": event.originator_id}
        if name == "Registered":
            changes = {
                **fields,
                "status": "active",
                "authoritative_version": None,
                "version_count": 0,
                "copies_issued": 0,
                "holds_active": 0,
                "retention_until": None,
                "disposal_due_on": None,
                "disposed_at": None,
            }
            self.rows.write(item, keys, changes, None)
            return
        before = self.rows.current(conn, keys)
        if before is None:
            raise LookupError(f"documents: no row for {event.originator_id}")
        changes = self._change(conn, item, name, fields, before)
        self.rows.write(item, keys, changes, before)

    def _change(
        self,
        conn: Connection,
        item: Item,
        name: str,
        fields: dict[str, Any],
        doc: dict[str, Any],
    ) -> dict[str, Any]:
        event = item.event
        if name == "VersionSubmitted":
            self._version(conn, item, fields["number"], submitted(fields, event))
            return {"version_count": fields["number"]}
        if name in VERSION_STATUS:
            return self._status(conn, item, name, fields["number"], doc)
        if name == "CopyIssued":
            self.copy_rows.add(
                dict(
                    position=item.position,
                    document_id=event.originator_id,
                    issued_at=event.timestamp,
                    issued_by=event.meta.actor,
                    **fields,
                )
            )
            return {"copies_issued": doc["copies_issued"] + 1}
        if name == "HoldPlaced":
            self.hold_rows.place(
                dict(
                    document_id=event.originator_id,
                    placed_position=item.position,
                    placed_at=event.timestamp,
                    placed_by=event.meta.actor,
                    released_at=None,
                    released_by=None,
                    released_position=None,
                    **fields,
                )
            )
            return {"holds_active": doc["holds_active"] + 1}
        if name == "HoldReleased":
            self.hold_rows.release(
                event.originator_id,
                fields["hold_id"],
                released_at=event.timestamp,
                released_by=event.meta.actor,
                released_position=item.position,
            )
            return {"holds_active": doc["holds_active"] - 1}
        if name == "RetentionExtended":
            return {"retention_until": fields["until"]}
        if name == "Disposed":
            return {
                "status": "disposed",
                "disposal_due_on": fields["due_on"],
                "disposed_at": event.timestamp,
            }
        raise LookupError(f"documents: no handler for {name}")

    def _status(
        self, conn: Connection, item: Item, name: str, number: int, doc: dict[str, Any]
    ) -> dict[str, Any]:
        timestamp = item.event.timestamp
        authoritative = doc["authoritative_version"]
        changes: dict[str, Any] = {"status": VERSION_STATUS[name]}
        if name == "VersionApproved":
            if authoritative is not None:
                superseded = {"status": "superseded", "status_changed_at": timestamp}
                self._version(conn, item, authoritative, superseded)
            changes.update(approved_at=timestamp, approved_by=item.event.meta.actor)
            authoritative = number
        elif name == "VersionWithdrawn" and authoritative == number:
            authoritative = None
        self._version(conn, item, number, {**changes, "status_changed_at": timestamp})
        return {"authoritative_version": authoritative}

    def _version(
        self, conn: Connection, item: Item, number: int, changes: dict[str, Any]
    ) -> None:
        keys = {"document_id": item.event.originator_id, "number": number}
        created = "sha256" in changes
        before = None if created else self.version_rows.current(conn, keys)
        if before is None and not created:
            raise LookupError(f"documents: no version {number} of {keys}")
        self.version_rows.write(item, keys, changes, before)


def submitted(fields: dict[str, Any], event: Any) -> dict[str, Any]:
    """A new draft version's columns."""
    return {
        **{k: v for k, v in fields.items() if k != "number"},
        "status": "draft",
        "submitted_at": event.timestamp,
        "submitted_by": event.meta.actor,
        "status_changed_at": event.timestamp,
        "approved_at": None,
        "approved_by": None,
    }

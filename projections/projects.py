"""Projects: details, stage, latest RAG, and counts of open risks, issues, changes.

The counts come from the registers' own events, so this model also follows
those and keeps a small index of which project each register entry belongs to.
Every event of a project moves its row's version, so the row's version is the
aggregate's (what `If-Match` expects); an event whose fields the row does not
keep (a cost tolerance) moves only the version.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    JSON,
    Column,
    Connection,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    Uuid,
)

from projections.buffers import Lookup
from projections.read_model import Item, ReadModel
from projections.register import events_of
from projections.temporal import fields_of, temporal_table
from projections.versions import Versions
from service.domain.change import ChangeRequest
from service.domain.issue import Issue
from service.domain.project import Project
from service.domain.risk import Risk

PROJECT_EVENTS = (
    "Registered",
    "DetailsChanged",
    "StageChanged",
    "StatusReported",
    "Closed",
    "Reopened",
    "CostToleranceSet",
)
"""Every event a project records (a test holds this to the Project class)."""
# (entity event) -> (counter column, change in the count of open entries)
COUNTED = {
    "Risk.Identified": ("open_risks", 1),
    "Risk.Closed": ("open_risks", -1),
    "Risk.Reopened": ("open_risks", 1),
    "Issue.Raised": ("open_issues", 1),
    "Issue.Closed": ("open_issues", -1),
    "ChangeRequest.Raised": ("open_changes", 1),
    "ChangeRequest.Closed": ("open_changes", -1),
}
COUNTERS = ("open_risks", "open_issues", "open_changes")
CREATES = ("Risk.Identified", "Issue.Raised", "ChangeRequest.Raised")


class ProjectsModel(ReadModel):
    """One temporal row per project, with its RAG and its open-entry counts."""

    name = "projects"
    event_classes = (
        *events_of(Project, *PROJECT_EVENTS),
        *events_of(Risk, "Identified", "Closed", "Reopened"),
        *events_of(Issue, "Raised", "Closed"),
        *events_of(ChangeRequest, "Raised", "Closed"),
    )
    table: Table
    members: Table
    rows: Versions
    projects: Lookup

    def define(self, metadata: MetaData, prefix: str) -> None:
        """The temporal project table and the entry-to-project index."""
        self.table = temporal_table(
            metadata,
            prefix,
            [Column("id", Uuid)],
            Column("code", String(20), nullable=False),
            *(Column(n, Text, nullable=False) for n in ("name", "description")),
            *(Column(n, String(200), nullable=False) for n in ("sponsor", "manager")),
            Column("stage", String(200), nullable=False),
            Column("rag", JSON),
            Column("previous_rag", JSON),
            Column("last_report", JSON),
            Column("reports", Integer, nullable=False),
            *(Column(n, Integer, nullable=False) for n in COUNTERS),
        )
        self.members = Table(
            f"{prefix}_members",
            metadata,
            Column("entity_id", Uuid, primary_key=True),
            Column("project_id", Uuid, nullable=False),
        )
        self.rows = self.buffered(Versions(self.table, ["id"]))
        self.projects = self.buffered(Lookup(self.members, "entity_id", "project_id"))

    def apply(self, conn: Connection, item: Item) -> None:
        """A project event changes its row; an entry event changes a count."""
        event = item.event
        qualname = type(event).__qualname__
        fields = fields_of(event)
        if qualname in COUNTED:
            self._count(conn, item, qualname, fields)
            return
        name = type(event).__name__
        keys = {"id": event.originator_id}
        before = None if name == "Registered" else self.rows.current(conn, keys)
        if before is None and name != "Registered":
            raise LookupError(f"projects: no row for {event.originator_id}")
        changes = project_changes(name, fields, before)
        self.rows.write(item, keys, changes, before)

    def _count(
        self, conn: Connection, item: Item, qualname: str, fields: dict[str, Any]
    ) -> None:
        entity_id = item.event.originator_id
        if qualname in CREATES:
            project_id = fields["project_id"]
            self.projects.add(entity_id, project_id)
        else:
            project_id = self.projects.get(conn, entity_id)
            if project_id is None:
                raise LookupError(f"projects: no project for entry {entity_id}")
        keys = {"id": project_id}
        before = self.rows.current(conn, keys)
        if before is None:
            raise LookupError(f"projects: no row for {project_id}")
        column, step = COUNTED[qualname]
        # The project's own version does not move when one of its entries does.
        changes = {column: before[column] + step, "version": before["version"]}
        self.rows.write(item, keys, changes, before)


def project_changes(
    event: str, fields: dict[str, Any], before: dict[str, Any] | None
) -> dict[str, Any]:
    """The columns a project event changes."""
    if event == "Registered":
        return {
            **fields,
            "stage": "",
            "status": "open",
            "rag": None,
            "previous_rag": None,
            "last_report": None,
            "reports": 0,
            **dict.fromkeys(COUNTERS, 0),
        }
    assert before is not None
    if event == "StatusReported":
        rag = fields.pop("rag")
        report = {k: str(v) if k.startswith("period") else v for k, v in fields.items()}
        return {
            "rag": rag,
            "previous_rag": before["rag"],
            "last_report": report,
            "reports": before["reports"] + 1,
        }
    if event in ("Closed", "Reopened"):
        return {"status": "closed" if event == "Closed" else "open"}
    if event in ("DetailsChanged", "StageChanged"):
        return fields
    if event == "CostToleranceSet":
        # The tolerance is read from the project itself (usecases.value); the
        # row only moves to the project's new version.
        return {}
    raise LookupError(f"projects: no handling for Project.{event}")

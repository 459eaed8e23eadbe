"""The whole application: every command group over one event store."""

from __future__ import annotations

from eventsourcing.domain import Aggregate

from service.access import AccessCommands
from service.domain import catalogue
from service.domain.document import Document
from service.domain.project import Project
from service.exports import ExportCommands
from service.library import LibraryCommands
from service.membership import MembershipCommands
from service.reports import ReportCommands

SNAPSHOT_INTERVAL = 50
SNAPSHOTTED: tuple[type[Aggregate], ...] = (Project, *catalogue.entries(), Document)
"""Every register the catalogue declares, with projects and documents."""


class PmoApplication(
    LibraryCommands,
    AccessCommands,
    MembershipCommands,
    ExportCommands,
    ReportCommands,
):
    """The pmo-ledger application (one shared instance per process)."""

    snapshotting_intervals = {cls: SNAPSHOT_INTERVAL for cls in SNAPSHOTTED}

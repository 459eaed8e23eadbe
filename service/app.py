"""The whole application: every command group over one event store."""

from __future__ import annotations

from service.access import AccessCommands
from service.domain import catalogue
from service.domain.document import Document
from service.domain.project import Project
from service.exports import ExportCommands
from service.library import LibraryCommands
from service.membership import MembershipCommands
from service.reports import ReportCommands

SNAPSHOT_INTERVAL = 50


class PmoApplication(
    LibraryCommands,
    AccessCommands,
    MembershipCommands,
    ExportCommands,
    ReportCommands,
):
    """The pmo-ledger application (one shared instance per process)."""

    snapshotting_intervals = {
        cls: SNAPSHOT_INTERVAL
        for cls in (Project, *catalogue.BUILT_IN, *catalogue.VALUE, Document)
    }

"""Records reports: holds, disposals, the schedule, records by class and state.

Each is rows with fixed columns, now or as at a moment, shown in the UI and
exported as CSV or XLSX through the export helpers (which record the export).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

from service.domain.base import Meta
from service.domain.document import Document
from usecases import exports
from usecases.fileplan import records_at
from usecases.matters import list_holds
from usecases.membership import Reach
from usecases.reads import as_aware, plain
from usecases.retention import ScheduleQuery, schedule
from usecases.root import Services

DISPOSED: type = Document.Disposed
COLUMNS: Final = {
    "holds": (
        *("id", "matter", "title", "status", "project_id", "record_class", "query"),
        *("placed_at", "placed_by", "released_at", "released_by", "covers"),
    ),
    "disposals": (
        *("document_id", "title", "project_id", "project", "record_class"),
        "retention_class",
        *("due_on", "disposed_at", "disposed_by", "reason"),
    ),
    "schedule": (
        *("retention_class", "trigger", "period_text", "action"),
        *("description", "mandate", "version"),
    ),
    "records": ("record_class", "status", "count"),
}


@dataclass(frozen=True)
class ReportQuery:
    """One records report, now or as at a moment."""

    report: str
    as_of: datetime | None = None
    reach: Reach | None = None
    """Whose reach cuts the rows that name documents (None: every project)."""


@dataclass(frozen=True)
class ExportReport:
    """One records report as CSV or XLSX."""

    report: str
    fmt: str
    as_of: datetime | None = None
    reach: Reach | None = None


def report_rows(services: Services, query: ReportQuery) -> list[dict[str, Any]]:
    """The rows of one report (its columns are COLUMNS[report])."""
    build = {
        "holds": lambda: list_holds(services, query.as_of),
        "disposals": lambda: _disposals(services, query.as_of),
        "schedule": lambda: _schedule(services, query.as_of),
        "records": lambda: _records(services, query.as_of),
    }[query.report]
    rows = build()
    if query.reach is not None and query.report == "disposals":
        rows = query.reach.documents(query.reach.projects(rows, "project_id"))
    return [{c: row.get(c) for c in COLUMNS[query.report]} for row in rows]


def _disposals(services: Services, as_of: datetime | None) -> list[dict[str, Any]]:
    moment = None if as_of is None else as_aware(as_of)
    classes = {str(r.document.id): r for r in records_at(services, as_of)}
    rows = []
    for event, _ in services.app.iter_events_of(DISPOSED):
        if moment is not None and event.timestamp > moment:
            break
        record = classes[str(event.originator_id)]
        rows.append(
            {
                "document_id": event.originator_id,
                "title": record.document.title,
                "project_id": record.document.project_id,
                "project": record.project_code,
                "record_class": record.record_class,
                "classification": record.document.classification,
                "retention_class": event.retention_class,
                "due_on": event.due_on,
                "disposed_at": event.timestamp,
                "disposed_by": event.meta.actor,
                "reason": event.meta.reason,
            }
        )
    return plain(rows)


def _schedule(services: Services, as_of: datetime | None) -> list[dict[str, Any]]:
    found = schedule(services, ScheduleQuery(as_of))
    return [
        values | {"retention_class": name, "version": found["version"]}
        for name, values in sorted(found["classes"].items())
    ]


def _records(services: Services, as_of: datetime | None) -> list[dict[str, Any]]:
    counts = Counter(
        (r.record_class, r.document.status) for r in records_at(services, as_of)
    )
    return [
        {"record_class": code, "status": status, "count": n}
        for (code, status), n in sorted(counts.items())
    ]


def export_report(
    services: Services, command: ExportReport, meta: Meta
) -> exports.Export:
    """A report as CSV or XLSX, recorded as an export."""
    query = ReportQuery(command.report, command.as_of, command.reach)
    rows = report_rows(services, query)
    return exports.export_rows(
        services,
        exports.ExportRows(
            f"records-{command.report}",
            command.fmt,
            COLUMNS[command.report],
            rows,
            f"records-{command.report}.{command.fmt}",
            {"as_of": command.as_of},
        ),
        meta,
    )

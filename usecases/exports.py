"""Exports: the audit trail, a register, chosen rows and a project's evidence pack.

Every export is recorded as an event before its content is handed over, and
each is assembled here once for HTTP, the web UI and the command line.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import IO, Any
from uuid import UUID

from integrity.proofs import LedgerReader
from integrity.signing import KeyUnavailableError
from integrity.tree import LedgerError
from projections.runner import follow_live
from service.application import Written
from service.domain import catalogue
from service.domain.base import Meta
from service.domain.project import Project
from service.domain.register import PORTFOLIO_ID
from usecases import formats
from usecases.errors import EvidenceError, NotAvailableError, SigningUnavailableError
from usecases.integrity import latest_head
from usecases.projects import find_project
from usecases.reads import query_views, wait_for_position
from usecases.root import Services

AUDIT_COLUMNS = (
    "position", "recorded_at", "actor", "role", "action", "entity_type",
    "entity_id", "entity_version", "project_id", "reason", "request_id", "data",
)  # fmt: skip
AUDIT_TYPES = {"ndjson": "application/x-ndjson", "csv": "text/csv"}
REGISTER_TYPES = {"csv": "text/csv", "xlsx": formats.XLSX_TYPE}
_SPOOL_BYTES = 16 * 1024 * 1024


@dataclass(frozen=True)
class Export:
    """A recorded export ready to hand over: file name, media type, content."""

    filename: str
    media_type: str
    chunks: Iterator[str] | Iterator[bytes]


@dataclass(frozen=True)
class ExportAudit:
    """The audit trail, filtered, as NDJSON or CSV (resumable after a position)."""

    fmt: str
    project_id: UUID | None = None
    project_code: str | None = None
    actor: str | None = None
    entity_id: UUID | None = None
    event_type: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    after_position: int | None = None
    catch_up: bool = False
    """Bring the audit read model up to date here first (no processors run)."""
    min_position: int | None = None
    """Read-your-writes: wait (bounded) until the trail holds this position."""
    q: str | None = None
    """Words each found, in any case, in the event's data, actor, type or reason."""
    partial: bool = False
    """Match actor and event type as part of the text, in any case."""


@dataclass(frozen=True)
class AuditExport:
    """A recorded audit export: a header line (CSV), then one line per event."""

    filename: str
    media_type: str
    header: str
    lines: Iterator[tuple[int, str]]
    """(position, text) of each event, in position order."""

    def chunks(self) -> Iterator[str]:
        """The whole text, a line at a time."""
        if self.header:
            yield self.header
        for _position, text in self.lines:
            yield text


@dataclass(frozen=True)
class ExportRegister:
    """A project's whole register (as at a moment) as CSV or XLSX."""

    project_id: UUID
    kind: str
    fmt: str
    as_of: datetime | None = None
    min_position: int | None = None
    """Read-your-writes: wait (bounded) until the register holds this position."""


@dataclass(frozen=True)
class ExportRows:
    """Rows the caller has chosen (a register as shown), as CSV or XLSX."""

    subject: str
    fmt: str
    columns: tuple[str, ...]
    rows: Iterable[dict[str, Any]]
    filename: str
    filters: dict[str, Any]


@dataclass(frozen=True)
class RecordExport:
    """Record that records were exported (what, in which format, which slice)."""

    subject: str
    fmt: str
    filters: dict[str, Any]


@dataclass(frozen=True)
class ExportEvidence:
    """A project's (by id, or id or code as text) evidence pack, latest head."""

    project: UUID | str
    destination: str | None = None
    """Where the caller keeps the pack (recorded as the export's `file`)."""


@dataclass(frozen=True)
class EvidencePack:
    """A recorded evidence pack; the caller reads `content` and closes it."""

    project_id: UUID
    project_code: str
    tree_size: int
    events: int
    content: IO[bytes]

    @property
    def filename(self) -> str:
        """The pack's file name: project code and tree size."""
        return f"evidence-{self.project_code}-{self.tree_size}.zip"


def record_export(services: Services, command: RecordExport, meta: Meta) -> Written:
    """Record an export event; the filters given (None left out) become text."""
    shown = {k: str(v) for k, v in command.filters.items() if v is not None}
    return services.app.record_export(command.subject, command.fmt, shown, meta)


def export_audit(services: Services, command: ExportAudit, meta: Meta) -> AuditExport:
    """The audit trail as NDJSON or CSV lines, recorded before any line is read."""
    project_id = command.project_id
    if command.project_code is not None:
        project_id = services.app.project_id_for_code(command.project_code)
        if project_id is None:
            raise NotAvailableError(f"no project with code {command.project_code!r}")
    if command.catch_up:
        for processor in services.runner.processors:
            if processor.name == "audit":
                follow_live(processor).catch_up()
    wait_for_position(services, command.min_position)
    filters: dict[str, Any] = {
        "project_id": project_id,
        "actor": command.actor,
        "entity_id": command.entity_id,
        "event_type": command.event_type,
        "since": command.since,
        "until": command.until,
        "q": command.q,
    }
    if command.partial:
        filters["partial"] = True
    recorded = {**filters, "after_position": command.after_position}
    record_export(services, RecordExport("audit", command.fmt, recorded), meta)
    rows = services.views.iter_audit(**filters, after_position=command.after_position)
    encode: Callable[[dict[str, Any]], str] = (
        formats.ndjson_line
        if command.fmt == "ndjson"
        else lambda row: formats.csv_line(AUDIT_COLUMNS, row)
    )
    header = ""
    if command.fmt == "csv" and not command.after_position:
        header = next(formats.csv_lines(AUDIT_COLUMNS, []))
    return AuditExport(
        f"audit.{command.fmt}",
        AUDIT_TYPES[command.fmt],
        header,
        ((int(row["position"]), encode(row)) for row in rows),
    )


TEMPORAL_COLUMNS = (
    "version",
    "status",
    "created_at",
    "recorded_at",
    "position",
    "valid_from",
    "valid_to",
)


def register_columns(kind: str) -> tuple[str, ...]:
    """A register's export columns as declared, then its temporal ones."""
    declared = catalogue.entry_class_of(kind).register_kind.export_columns
    return (*declared, *TEMPORAL_COLUMNS)


def export_register(services: Services, command: ExportRegister, meta: Meta) -> Export:
    """A project's register from the temporal read model, recorded as an export."""
    wait_for_position(services, command.min_position)
    if command.project_id == PORTFOLIO_ID:
        code = "PORTFOLIO"
    else:
        code = services.app.load(Project, command.project_id, read_only=True).code
    rows = query_views(
        services.views.iter_register,
        command.kind,
        command.project_id,
        as_of=command.as_of,
    )
    return _encoded(
        services,
        ExportRows(
            command.kind,
            command.fmt,
            register_columns(command.kind),
            rows,
            f"{code}-{command.kind}.{command.fmt}",
            {"project_id": command.project_id, "as_of": command.as_of},
        ),
        meta,
    )


def export_rows(services: Services, command: ExportRows, meta: Meta) -> Export:
    """Chosen rows as CSV or XLSX, recorded as an export of their subject."""
    return _encoded(services, command, meta)


def _encoded(services: Services, command: ExportRows, meta: Meta) -> Export:
    if command.fmt not in REGISTER_TYPES:
        raise NotAvailableError(f"no export format {command.fmt!r}")
    if command.fmt == "csv":
        chunks: Iterator[str] | Iterator[bytes] = formats.csv_lines(
            command.columns, command.rows
        )
    else:
        workbook = formats.xlsx_file(command.subject, command.columns, command.rows)
        chunks = formats.file_chunks(workbook)
    record = RecordExport(command.subject, command.fmt, command.filters)
    record_export(services, record, meta)
    return Export(command.filename, REGISTER_TYPES[command.fmt], chunks)


def export_evidence(
    services: Services, command: ExportEvidence, meta: Meta
) -> EvidencePack:
    """A project's events with inclusion proofs against the latest signed head.

    Built in a spooled file (memory up to 16 MiB, then disk), then recorded.
    """
    app = services.app
    if isinstance(command.project, UUID):
        project_id = command.project
    else:
        project_id = find_project(services, command.project)
    code = app.load(Project, project_id).code
    head = latest_head(services)
    spool = tempfile.SpooledTemporaryFile(max_size=_SPOOL_BYTES)  # noqa: SIM115
    try:
        count = LedgerReader(services.views_engine).write_evidence(
            spool,
            app.recorder,
            project_id,
            code,
            services.ledger_key,
            head,
        )
    except KeyUnavailableError as error:
        spool.close()
        raise SigningUnavailableError(
            f"the evidence pack cannot be signed now: {error}"
        ) from None
    except LedgerError as error:
        spool.close()
        raise EvidenceError(
            f"the ledger does not prove this project: {error}"
        ) from None
    spool.seek(0)
    filters = {
        "project_id": project_id,
        "tree_size": head.tree_size,
        "file": command.destination,
    }
    record_export(services, RecordExport("evidence", "zip", filters), meta)
    return EvidencePack(project_id, code, head.tree_size, count, spool)

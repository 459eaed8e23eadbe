"""Reports issued and frozen: assembled as at the period end, rendered, kept in custody.

Issuing reads the registers as at the end of the period (or the moment of
issue, if that comes first), renders HTML and PDF, stores both as a new
version of the report's two documents and records the issue. What is served
afterwards is the stored version; `regenerate` renders an issue again from
what its event recorded, and gives the same bytes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from uuid import UUID

from service.application import Written
from service.domain.base import InvalidValueError, Meta, require_role
from service.domain.clock import timestamp
from service.domain.project import Project
from service.domain.report import ISSUE_ROLES, SECTIONS, IssuedReport
from service.errors import NotFoundError
from service.reports import Issue, Rendition
from usecases.audit import EventsQuery, entity_events
from usecases.reads import as_aware, plain, query_views, wait_for_position
from usecases.rendering import render_html, render_pdf
from usecases.report_contents import (
    TITLES,
    contents,
    period_end_moment,
    project_as_of,
)
from usecases.root import Services

STATUS_SECTIONS = ("summary", "work_done", "work_next", "tolerance_status", "lessons")


@dataclass(frozen=True)
class IssueReport:
    """Issue (or issue again) a project's report of a type for a period."""

    project_id: UUID
    report_type: str
    period_start: date
    period_end: date
    classification: str = "internal"
    narrative: dict[str, str] = field(default_factory=dict)
    """Sections given now; a highlight or checkpoint report takes the rest from
    the status report recorded for the same period."""


@dataclass(frozen=True)
class IssuedResult:
    """An issue recorded: the write, its number and its renditions."""

    written: Written
    number: int
    issue: dict[str, Any]


@dataclass(frozen=True)
class ReportsQuery:
    """A project's issued reports, now or as they stood at a moment."""

    project_id: UUID
    as_of: datetime | None = None
    min_position: int | None = None


def issue_report(services: Services, command: IssueReport, meta: Meta) -> IssuedResult:
    """Assemble the report as at its period end, render it, store it, record it."""
    require_role(meta, "issue a report", ISSUE_ROLES)
    app = services.app
    app.find_report(  # checks the type and the period before any work
        command.project_id,
        command.report_type,
        command.period_start,
        command.period_end,
    )
    issued_at = timestamp()
    if command.period_start > issued_at.date():
        raise InvalidValueError("period_start", "the period has not started yet")
    as_of = min(period_end_moment(command.period_end), issued_at)
    app.load(Project, command.project_id, read_only=True)  # 404 before any wait
    wait_for_position(services, app.head_position())
    status = _status_report(services, command, issued_at)
    narrative = {k: status.get(k, "") for k in STATUS_SECTIONS if status.get(k)}
    narrative |= {k: v for k, v in command.narrative.items() if v.strip()}
    issue = Issue(
        command.project_id,
        command.report_type,
        command.period_start,
        command.period_end,
        f"{TITLES[command.report_type]} {command.period_start} to {command.period_end}",
        as_of,
        issued_at,
        command.classification,
        narrative,
        dict(status.get("rag") or {}),
    )
    report = app.find_report(
        command.project_id,
        command.report_type,
        command.period_start,
        command.period_end,
    )
    number = 1 + (len(report.issues) if report else 0)
    html, pdf = _render(services, issue, number, meta.actor)
    written = app.issue_report(
        issue,
        (
            Rendition("pdf", pdf, _filename(issue, number, "pdf")),
            Rendition("html", html, _filename(issue, number, "html")),
        ),
        meta,
    )
    recorded = app.load(IssuedReport, written.id, written.version)
    return IssuedResult(written, number, plain(recorded.issues[-1]))


def regenerate(services: Services, report_id: UUID, number: int) -> tuple[bytes, bytes]:
    """An issue rendered again from what its event recorded: (HTML, PDF)."""
    report = services.app.load(IssuedReport, report_id)
    recorded = _issue_of(report, number)
    issue = Issue(
        report.project_id,
        report.report_type,
        report.period_start,
        report.period_end,
        f"{TITLES[report.report_type]} {report.period_start} to {report.period_end}",
        recorded["as_of"],
        recorded["issued_at"],
        recorded["classification"],
        recorded["narrative"],
        recorded["rag"],
    )
    return _render(services, issue, number, recorded["issued_by"])


def list_reports(services: Services, query: ReportsQuery) -> list[dict[str, Any]]:
    """A project's issued reports (each with its issues up to the moment), by period."""
    wait_for_position(services, query.min_position)
    opened = query_views(
        lambda: list(
            services.views.iter_audit(
                project_id=query.project_id,
                event_type="IssuedReport.Opened",
                until=query.as_of,
            )
        )
    )
    found = []
    for row in opened:
        report = get_report(services, UUID(str(row["entity_id"])), query.as_of)
        if report["issues"]:
            found.append(report)
    return sorted(found, key=lambda r: (r["period_end"], r["report_type"]))


def get_report(
    services: Services, report_id: UUID, as_of: datetime | None = None
) -> dict[str, Any]:
    """One report's record: its documents and every issue (up to the moment)."""
    report = services.app.load(IssuedReport, report_id)
    moment = as_aware(as_of) if as_of else None
    issues = [i for i in report.issues if moment is None or i["issued_at"] <= moment]
    return {
        "id": str(report.id),
        "project_id": str(report.project_id),
        "report_type": report.report_type,
        "title": TITLES[report.report_type],
        "period_start": report.period_start.isoformat(),
        "period_end": report.period_end.isoformat(),
        "pdf_document_id": str(report.pdf_document_id),
        "html_document_id": str(report.html_document_id),
        "issues": [plain(i) for i in issues],
    }


def issue_document(
    services: Services, report_id: UUID, number: int, kind: str
) -> tuple[UUID, int]:
    """The document and version that hold an issue's PDF or HTML."""
    report = services.app.load(IssuedReport, report_id)
    recorded = _issue_of(report, number)
    return getattr(report, f"{kind}_document_id"), recorded[f"{kind}_version"]


def _issue_of(report: IssuedReport, number: int) -> dict[str, Any]:
    if not 1 <= number <= len(report.issues):
        raise NotFoundError("report issue", f"{report.id} issue {number}")
    return report.issues[number - 1]


def _status_report(
    services: Services, command: IssueReport, issued_at: datetime
) -> dict[str, Any]:
    """The latest status report recorded for exactly this period, if any.

    A manager writes it once the period has ended, so it is the one recorded
    by the issue, not by the period end; the issue records its words.
    """
    if command.report_type not in ("highlight", "checkpoint"):
        return {}
    made = [
        r["data"]
        for r in entity_events(
            services, EventsQuery(command.project_id, "Project.StatusReported")
        )
        if as_aware(_moment(r["recorded_at"])) <= issued_at
        and r["data"]["period_start"] == command.period_start.isoformat()
        and r["data"]["period_end"] == command.period_end.isoformat()
    ]
    return made[-1] if made else {}


def _render(
    services: Services, issue: Issue, number: int, issued_by: str
) -> tuple[bytes, bytes]:
    project = project_as_of(services, issue.project_id, issue.as_of)
    body = contents(
        services,
        issue.project_id,
        issue.report_type,
        (issue.period_start, issue.period_end),
        issue.as_of,
        issue.rag,
    )
    html = render_html(
        {
            "title": TITLES[issue.report_type],
            "project": plain(project),
            "period_start": issue.period_start.isoformat(),
            "period_end": issue.period_end.isoformat(),
            "issued_at": issue.issued_at.isoformat(),
            "issued_on": issue.issued_at.date().isoformat(),
            "issued_by": issued_by,
            "as_of": issue.as_of.isoformat(),
            "classification": issue.classification,
            "number": number,
            "narrative": issue.narrative,
            "sections": list(SECTIONS[issue.report_type]),
            "body": body,
        }
    )
    return html, render_pdf(html)


def _filename(issue: Issue, number: int, kind: str) -> str:
    return (
        f"{issue.report_type}-report-{issue.period_start}-{issue.period_end}"
        f"-issue-{number}.{kind}"
    )


def _moment(value: str | datetime) -> datetime:
    return value if isinstance(value, datetime) else datetime.fromisoformat(value)

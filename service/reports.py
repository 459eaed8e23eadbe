"""Issuing a report: its renditions stored, versions and the issue in one commit."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date, datetime
from typing import Final
from uuid import UUID

from service.application import ApplicationBase, Written
from service.domain.base import Meta
from service.domain.document import Document
from service.domain.project import Project
from service.domain.report import IssuedReport, check_period, report_id
from service.errors import NotFoundError

RETENTION_CLASS: Final = "project-record"
MEDIA_TYPES: Final = {"pdf": "application/pdf", "html": "text/html; charset=utf-8"}


@dataclass(frozen=True)
class Rendition:
    """One rendered form of a report: its bytes and file name."""

    kind: str
    content: bytes
    filename: str


@dataclass(frozen=True)
class Issue:
    """What one issue of a report says besides its renditions."""

    project_id: UUID
    report_type: str
    period_start: date
    period_end: date
    title: str
    as_of: datetime
    issued_at: datetime
    classification: str
    narrative: dict[str, str]
    rag: dict[str, str]


class ReportCommands(ApplicationBase):
    """Issue reports: each issue is a new version of the report's documents."""

    def find_report(
        self, project_id: UUID, report_type: str, period_start: date, period_end: date
    ) -> IssuedReport | None:
        """The record of a project's report for a period, if it was ever issued."""
        check_period(report_type, period_start, period_end)
        found = report_id(project_id, report_type, period_start, period_end)
        try:
            return self.load(IssuedReport, found)
        except NotFoundError:
            return None

    def issue_report(
        self, issue: Issue, renditions: tuple[Rendition, ...], meta: Meta
    ) -> Written:
        """Store the renditions (fsynced), then record their versions and the issue."""
        with self.one_check():
            self.load(Project, issue.project_id, read_only=True).check_open(
                "issue a report in"
            )
            report = self.find_report(
                issue.project_id,
                issue.report_type,
                issue.period_start,
                issue.period_end,
            )
            documents = {}
            for r in renditions:
                if report is None:
                    documents[r.kind] = Document.register(
                        issue.project_id,
                        f"{issue.title} ({r.kind.upper()})",
                        f"{issue.report_type}-report",
                        issue.classification,
                        RETENTION_CLASS,
                        meta.actor,
                        meta,
                    )
                else:
                    document_id = getattr(report, f"{r.kind}_document_id")
                    documents[r.kind] = self.load(Document, document_id)
            if report is None:
                report = IssuedReport.open(
                    issue.project_id,
                    issue.report_type,
                    issue.period_start,
                    issue.period_end,
                    documents["pdf"].id,
                    documents["html"].id,
                    meta,
                )
            recorded: dict[str, object] = {}
            for r in renditions:
                ref = self.blobs.put(io.BytesIO(r.content))
                number = documents[r.kind].submit_version(
                    ref.sha256, ref.size, MEDIA_TYPES[r.kind], r.filename,
                    f"issue of {issue.title}", meta,
                )  # fmt: skip
                recorded[f"{r.kind}_sha256"] = ref.sha256
                recorded[f"{r.kind}_version"] = number
            report.issue(
                issue.as_of,
                issue.issued_at,
                issue.classification,
                issue.narrative,
                issue.rag,
                recorded,
                meta,
            )
            aggregates = (report, *documents.values())
            position = self.commit(*aggregates)
        return Written(report.id, report.version, position)

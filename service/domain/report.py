"""A project's report for a period, issued and frozen (PRINCE2 management products).

One aggregate per project, report type and period; its id follows from them,
so issuing the same report again finds it. Each issue records the moment the
registers were read as at, the narrative, the colours reported and the
SHA-256 of the PDF and HTML renditions, stored as versions of two documents
in custody. Issue n is the report as the board was sent it n-th time.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Final
from uuid import UUID, uuid5

from eventsourcing.domain import Aggregate, event

from service.domain.base import (
    InvalidValueError,
    Meta,
    check_choice,
    check_date,
    check_sha256,
    check_text,
    require_role,
)
from service.domain.clock import timestamp
from service.domain.document import CLASSIFICATIONS

REPORT_NAMESPACE: Final = UUID("5b0e5f1e-7a0c-4d8e-9a53-3c1f0d8e2b61")
REPORT_TYPES: Final = (
    "checkpoint",
    "highlight",
    "end-stage",
    "exception",
    "end-project",
)
SECTIONS: Final[dict[str, tuple[str, ...]]] = {
    "checkpoint": ("summary", "work_done", "work_next"),
    "highlight": ("summary", "work_done", "work_next", "tolerance_status"),
    "end-stage": ("summary", "lessons"),
    "exception": ("cause", "consequences", "options", "recommendation"),
    "end-project": ("summary", "lessons"),
}
"""The narrative each report type must carry (PRINCE2 product descriptions)."""
NARRATIVE: Final = tuple(sorted({s for names in SECTIONS.values() for s in names}))
ISSUE_ROLES: Final = ("pmo-head", "project-officer")


def report_id(
    project_id: UUID, report_type: str, period_start: date, period_end: date
) -> UUID:
    """The id a project's report of a type for a period always has."""
    name = f"{project_id}/{report_type}/{period_start}/{period_end}"
    return uuid5(REPORT_NAMESPACE, name)


class IssuedReport(Aggregate):
    """Every issue of one report: what was read, when, and the renditions' hashes."""

    class Event(Aggregate.Event):
        """An event of an issued report, recorded at the clock's moment."""

        create_timestamp = staticmethod(timestamp)

    class Created(Aggregate.Created):
        """The event that opens a report's record."""

        create_timestamp = staticmethod(timestamp)

    @staticmethod
    def create_id(
        project_id: UUID, report_type: str, period_start: date, period_end: date
    ) -> UUID:
        """The id derived from project, type and period."""
        return report_id(project_id, report_type, period_start, period_end)

    @event("Opened")
    def __init__(
        self,
        project_id: UUID,
        report_type: str,
        period_start: date,
        period_end: date,
        pdf_document_id: UUID,
        html_document_id: UUID,
        meta: Meta,
    ) -> None:
        self.project_id = project_id
        self.report_type = report_type
        self.period_start = period_start
        self.period_end = period_end
        self.pdf_document_id = pdf_document_id
        self.html_document_id = html_document_id
        self.issues: list[dict[str, Any]] = []

    @classmethod
    def open(
        cls,
        project_id: UUID,
        report_type: str,
        period_start: date,
        period_end: date,
        pdf_document_id: UUID,
        html_document_id: UUID,
        meta: Meta,
    ) -> IssuedReport:
        """Check the type and period, then start the report's record."""
        require_role(meta, "issue a report", ISSUE_ROLES)
        check_period(report_type, period_start, period_end)
        return cls(
            project_id,
            report_type,
            period_start,
            period_end,
            pdf_document_id,
            html_document_id,
            meta,
        )

    def issue(
        self,
        as_of: datetime,
        issued_at: datetime,
        classification: str,
        narrative: dict[str, str],
        rag: dict[str, str],
        renditions: dict[str, Any],
        meta: Meta,
    ) -> int:
        """Record one issue of the report; returns its number (1, 2, ...)."""
        require_role(meta, "issue a report", ISSUE_ROLES)
        check_choice("classification", classification, CLASSIFICATIONS)
        check_narrative(self.report_type, narrative)
        if as_of > issued_at:
            raise InvalidValueError("as_of", "must not be after the issue")
        for kind in ("pdf", "html"):
            check_sha256(f"{kind}_sha256", renditions[f"{kind}_sha256"])
        number = len(self.issues) + 1
        self._issue(number, as_of, issued_at, classification, narrative, rag,
                    renditions, meta)  # fmt: skip
        return number

    @event("Issued")
    def _issue(
        self,
        number: int,
        as_of: datetime,
        issued_at: datetime,
        classification: str,
        narrative: dict[str, str],
        rag: dict[str, str],
        renditions: dict[str, Any],
        meta: Meta,
    ) -> None:
        self.issues.append(
            {
                "number": number,
                "as_of": as_of,
                "issued_at": issued_at,
                "issued_by": meta.actor,
                "classification": classification,
                "narrative": dict(narrative),
                "rag": dict(rag),
                **renditions,
            }
        )


def check_period(report_type: str, period_start: date, period_end: date) -> None:
    """Refuse an unknown report type or a period that ends before it starts."""
    check_choice("report_type", report_type, REPORT_TYPES)
    check_date("period_start", period_start)
    check_date("period_end", period_end)
    if period_end < period_start:
        raise InvalidValueError("period_end", "must not be before period_start")


def check_narrative(report_type: str, narrative: dict[str, str]) -> None:
    """Each section the report type needs is given; no unknown section is."""
    for name in narrative:
        if name not in NARRATIVE:
            raise InvalidValueError(f"narrative.{name}", "is not a report section")
    for name in SECTIONS[report_type]:
        check_text(f"narrative.{name}", narrative.get(name, ""))

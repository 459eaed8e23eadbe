"""Bringing records in: a register from a CSV file (checked first, or only checked
for a preview), or the demo sample PMO."""

from __future__ import annotations

import io
from dataclasses import dataclass, replace
from datetime import date, timedelta
from pathlib import Path
from uuid import UUID

from service.demo import DemoSummary
from service.demo import load_demo as record_demo
from service.domain.base import Meta
from service.importer import (
    Imported,
    ImportRefusedError,
    Kind,
    Row,
    RowError,
    import_rows,
    parse_rows,
)
from service.importer import import_register as record_rows
from usecases.issued import IssueReport, issue_report
from usecases.reads import wait_for_position
from usecases.root import Services

REPORTING_FROM = date(2026, 9, 1)
"""The first of the demo's four weekly status reports (`service.demo`)."""
WEEKS = 4


@dataclass(frozen=True)
class ImportRegister:
    """Import a register's rows from a CSV file into a project (by its code)."""

    kind: Kind
    file: Path
    project_code: str


@dataclass(frozen=True)
class LoadDemo:
    """Load a realistic sample PMO (projects whose code exists are skipped)."""

    seed: int = 7
    issue_reports: bool = True
    """Issue each project's weekly highlight reports and an end-stage report."""


def import_register(
    services: Services, command: ImportRegister, meta: Meta
) -> Imported:
    """Check every row, then record them all in one commit as meta's actor."""
    return record_rows(
        services.app, command.kind, command.file, command.project_code, meta.actor
    )


def load_demo(services: Services, command: LoadDemo) -> DemoSummary:
    """Record the sample through the real commands, as the sample's own people.

    Then, for a sample loaded afresh, issue what the office issued: a month of
    weekly highlight reports per project and an end-stage report for it, read
    as at each period's end (the read models are followed here if no other
    process follows them).
    """
    before = services.app.head_position()
    summary = record_demo(services.app, command.seed)
    if not (command.issue_reports and summary.library):
        return summary
    following = not services.runner.threads
    if following:
        services.runner.start()
    try:
        wait_for_position(services, services.app.head_position())
        issued = issue_demo_reports(services)
    finally:
        if following:
            services.runner.stop()
    events = services.app.head_position() - before
    return replace(summary, reports=issued, events=events)


def issue_demo_reports(services: Services) -> int:
    """Each project's weekly highlights for the demo's month, then its end stage."""
    officer = Meta("olivia.officer", "project-officer", "weekly reporting")
    count = 0
    for project in services.views.list_projects():
        project_id = UUID(str(project["id"]))
        for week in range(WEEKS):
            start = REPORTING_FROM + timedelta(weeks=week)
            end = start + timedelta(days=6)
            issue_report(
                services, IssueReport(project_id, "highlight", start, end), officer
            )
            count += 1
        stage = IssueReport(
            project_id,
            "end-stage",
            REPORTING_FROM,
            REPORTING_FROM + timedelta(weeks=WEEKS, days=-1),
            narrative={
                "summary": "Initiation closed; the design baseline is agreed.",
                "lessons": "Book design workshops a month ahead.",
            },
        )
        issue_report(services, stage, officer)
        count += 1
    return count


@dataclass(frozen=True)
class ImportText:
    """Import (or only check) a register's rows from a CSV file a person sent."""

    kind: Kind
    content: bytes
    source: str
    """The file's name, kept in each event's reason with the row's line."""
    project_code: str
    check_only: bool = False
    """Check every row and say what would be recorded; record nothing."""


@dataclass(frozen=True)
class Checked:
    """A file's rows, each with its line, and the lines refused (then nothing was
    recorded) or what was recorded (or, only checked, would be)."""

    rows: list[tuple[int, Row]]
    errors: list[RowError]
    imported: Imported | None


def import_text(services: Services, command: ImportText, meta: Meta) -> Checked:
    """Check every row of the file; unless only checking, record them in one commit."""
    try:
        text = command.content.decode("utf-8-sig")
        rows = parse_rows(io.StringIO(text, newline=""))
    except UnicodeDecodeError:
        return Checked([], [RowError(1, "the file is not UTF-8 text")], None)
    except ImportRefusedError as error:
        return Checked([], error.errors, None)
    try:
        done = import_rows(
            services.app,
            command.kind,
            rows,
            command.source,
            command.project_code,
            meta.actor,
            check_only=command.check_only,
        )
    except ImportRefusedError as error:
        return Checked(rows, error.errors, None)
    return Checked(rows, [], done)

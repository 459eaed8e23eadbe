"""Bringing records in: a register from a CSV file (checked first, or only checked
for a preview), or the demo sample PMO."""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

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
from usecases.root import Services


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


def import_register(
    services: Services, command: ImportRegister, meta: Meta
) -> Imported:
    """Check every row, then record them all in one commit as meta's actor."""
    return record_rows(
        services.app, command.kind, command.file, command.project_code, meta.actor
    )


def load_demo(services: Services, command: LoadDemo) -> DemoSummary:
    """Record the sample through the real commands, as the sample's own people."""
    return record_demo(services.app, command.seed)


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

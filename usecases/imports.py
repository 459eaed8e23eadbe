"""Bringing records in: a register from a CSV file, or the demo sample PMO."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from service.demo import DemoSummary
from service.demo import load_demo as record_demo
from service.domain.base import Meta
from service.importer import Imported, Kind
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

"""Bring an existing spreadsheet register in: every row checked first, then one commit.

Each row becomes the events the commands would have recorded (a risk is
identified, then assessed, responded to and closed as its columns say, as
the register's declared import steps list them: `service.import_steps`), by
the importing actor, with a reason naming the file and line. If any row does
not validate, nothing is written and every bad line is reported.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Final
from uuid import UUID

from service.app import PmoApplication
from service.domain import catalogue
from service.domain.base import DomainError, InvalidValueError, Meta
from service.domain.entry import RegisterEntry
from service.domain.project import Project
from service.domain.register import PORTFOLIO_ID, RegisterKind
from service.import_steps import (
    Resolve,
    Row,
    build_entry,
    created_view,
    month_of,
    unresolved,
)

Kind = str
MONTH_LIKE: Final = re.compile(r"(.*\D)?\d{4}-\d{2}")
"""A column whose name ends in a month: a monthly step's, or refused."""


@dataclass(frozen=True)
class RowError:
    """Why one line of the file was refused."""

    line: int
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}"


class ImportRefusedError(DomainError):
    """Some rows did not validate, so nothing was imported."""

    def __init__(self, errors: list[RowError]) -> None:
        super().__init__(
            f"{len(errors)} row(s) refused; nothing imported:\n"
            + "\n".join(str(e) for e in errors)
        )
        self.errors = errors


@dataclass(frozen=True)
class Imported:
    """What an import wrote."""

    entries: int
    events: int
    position: int


def importable() -> dict[str, type[RegisterEntry]]:
    """The registers whose declaration says how a spreadsheet row is imported."""
    return {
        cls.register_kind.name: cls
        for cls in catalogue.entries()
        if cls.register_kind.import_steps is not None
    }


def check_importable(kind: Kind) -> type[RegisterEntry]:
    """The register's class; refused, with its declared reason, if not imported."""
    found = importable().get(kind)
    if found is not None:
        return found
    declared = {k.name: k for k in catalogue.kinds()}.get(kind)
    if declared is None:
        names = ", ".join(sorted(importable()))
        message = f"no register is called {kind} (these import: {names})"
        raise InvalidValueError("register", message)
    why = declared.import_refused or "its entries are recorded one at a time"
    raise InvalidValueError("register", f"{kind} are not imported from CSV: {why}")


def month_columns(kind: RegisterKind, header: Iterable[str]) -> list[RowError]:
    """A month column the register's monthly steps do not take, refused by name."""
    prefixes = [s.monthly for s in kind.import_steps or () if s.monthly is not None]
    if not prefixes:
        return []
    taken = " or ".join(f"'{p}YYYY-MM'" for p in prefixes)
    return [
        RowError(1, f"column {column!r}: {kind.name} take months as {taken}")
        for column in header
        if MONTH_LIKE.fullmatch(column)
        and not any(month_of(column, p) for p in prefixes)
    ]


def required_columns(kind: RegisterKind) -> tuple[str, ...]:
    """The columns every row must fill: the creating command's required values."""
    given = tuple(
        p.name
        for p in kind.create.params
        if not p.nullable and (p.required or p.kind not in ("text", "texts", "entries"))
    )
    return (*given, *(n for n in kind.import_requires if n not in given))


def build_entries(
    kind: Kind,
    project_id: object,
    rows: Iterable[tuple[int, Row]],
    meta_for: Callable[[int], Meta],
    resolve: Resolve = unresolved,
) -> list[RegisterEntry]:
    """Every row's entry with its pending events; ImportRefusedError if any fail."""
    cls = check_importable(kind)
    required = required_columns(cls.register_kind)
    built: list[RegisterEntry] = []
    rows = list(rows)
    errors = month_columns(cls.register_kind, rows[0][1] if rows else ())
    for line, given in rows:
        row = created_view(cls.register_kind, given)
        missing = [n for n in required if not (row.get(n) or "").strip()]
        if missing:
            errors.append(RowError(line, f"missing {', '.join(missing)}"))
            continue
        try:
            built.append(build_entry(cls, project_id, row, meta_for(line), resolve))
        except DomainError as error:
            errors.append(RowError(line, str(error)))
    if errors:
        raise ImportRefusedError(errors)
    return built


def read_rows(path: Path) -> list[tuple[int, Row]]:
    """The data rows of a CSV file (header first), each with its line number."""
    with path.open(newline="", encoding="utf-8-sig") as handle:
        return parse_rows(handle)


def parse_rows(handle: Iterable[str]) -> list[tuple[int, Row]]:
    """The data rows of CSV text (header first), each with its line number."""
    rows: list[tuple[int, Row]] = []
    reader = csv.DictReader(handle)
    try:
        for row in reader:
            clean = {(k or "").strip(): (v or "") for k, v in row.items()}
            rows.append((reader.line_num, clean))
    except UnicodeDecodeError:
        line = reader.line_num + 1
        refused = [RowError(line, "the file is not UTF-8 text")]
        raise ImportRefusedError(refused) from None
    except csv.Error as error:
        raise ImportRefusedError([RowError(reader.line_num, str(error))]) from None
    return rows


def import_register(
    app: PmoApplication, kind: Kind, path: Path, project_code: str, actor: str
) -> Imported:
    """Validate every row of a CSV file, then record them all in one commit."""
    return import_rows(app, kind, read_rows(path), path.name, project_code, actor)


def import_rows(
    app: PmoApplication,
    kind: Kind,
    rows: list[tuple[int, Row]],
    source: str,
    project_code: str,
    actor: str,
    *,
    check_only: bool = False,
) -> Imported:
    """Validate every row, then record them all in one commit (unless only checked:
    then nothing is written and the count of events is what would be)."""
    cls = check_importable(kind)
    project_id: UUID | None = PORTFOLIO_ID
    if not cls.register_kind.portfolio:
        project_id = app.project_id_for_code(project_code)
        if project_id is None:
            message = f"no project has the code {project_code}"
            raise InvalidValueError("project", message)
        app.load(Project, project_id).check_open(f"import {kind} into")

    def meta_for(line: int) -> Meta:
        return Meta(actor, "pmo-head", f"imported from {source}, line {line}")

    entries = build_entries(kind, project_id, rows, meta_for, app.resolve_references)
    if not entries:
        raise ImportRefusedError([RowError(1, "the file has no data rows")])
    events = sum(len(e.pending_events) for e in entries)
    position = app.head_position() if check_only else app.commit(*entries)
    return Imported(len(entries), events, position)

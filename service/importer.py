"""Bring an existing spreadsheet register in: every row checked first, then one commit.

Each row becomes the events the commands would have recorded (a risk is
identified, then assessed, responded to and closed as its columns say), by
the importing actor, with a reason naming the file and line. If any row does
not validate, nothing is written and every bad line is reported.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Literal

from eventsourcing.domain import Aggregate

from service.app import PmoLedger
from service.domain.base import DomainError, InvalidValueError, Meta
from service.domain.decision import Decision
from service.domain.issue import Issue
from service.domain.project import Project
from service.domain.risk import Risk

Kind = Literal["risks", "issues", "decisions"]
Row = Mapping[str, str]
REQUIRED: dict[str, tuple[str, ...]] = {
    "risks": (
        "title", "cause", "event", "effect", "category", "kind", "owner",
        "proximity", "probability", "impact",
    ),
    "issues": ("issue_type", "title", "description", "priority", "severity"),
    "decisions": (
        "title", "context", "options", "outcome", "rationale", "decided_by",
        "decided_on",
    ),
}  # fmt: skip


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


def _number(row: Row, name: str) -> int:
    text = (row.get(name) or "").strip()
    if not text.lstrip("-").isdigit():
        raise InvalidValueError(name, "must be an integer from 1 to 5")
    return int(text)


def _list(text: str | None) -> list[str]:
    return [part.strip() for part in (text or "").split(";") if part.strip()]


def _risk(project_id: object, row: Row, meta: Meta) -> Aggregate:
    risk = Risk.identify(
        project_id,  # type: ignore[arg-type]
        row["title"],
        row["cause"],
        row["event"],
        row["effect"],
        row["category"],
        row["kind"],
        row["owner"],
        row["proximity"],
        _number(row, "probability"),
        _number(row, "impact"),
        meta,
    )
    if row.get("residual_probability") or row.get("residual_impact"):
        risk.assess(
            risk.inherent_probability,
            risk.inherent_impact,
            _number(row, "residual_probability"),
            _number(row, "residual_impact"),
            meta,
        )
    if row.get("response"):
        risk.plan_response(
            row["response"], row.get("actions", ""), row.get("actionee", ""), meta
        )
    _close_if(risk, row, meta)
    return risk


def _issue(project_id: object, row: Row, meta: Meta) -> Aggregate:
    issue = Issue.raise_issue(
        project_id,  # type: ignore[arg-type]
        row["issue_type"],
        row["title"],
        row["description"],
        row["priority"],
        row["severity"],
        meta,
    )
    if row.get("impact_analysis"):
        issue.examine(
            row["impact_analysis"], row.get("options", ""),
            row.get("recommendation", ""), meta,
        )  # fmt: skip
    if row.get("resolution"):
        issue.resolve(row["resolution"], meta)
    _close_if(issue, row, meta)
    return issue


def _decision(project_id: object, row: Row, meta: Meta) -> Aggregate:
    try:
        decided_on = date.fromisoformat(row["decided_on"].strip())
    except ValueError:
        raise InvalidValueError("decided_on", "must be a date (YYYY-MM-DD)") from None
    return Decision.record(
        project_id,  # type: ignore[arg-type]
        row["title"],
        row["context"],
        _list(row["options"]),
        row["outcome"],
        row["rationale"],
        row["decided_by"],
        decided_on,
        _list(row.get("related_ids")),
        meta,
    )


def _close_if(aggregate: Aggregate, row: Row, meta: Meta) -> None:
    status = (row.get("status") or "open").strip()
    if status == "closed":
        aggregate.close(meta)  # type: ignore[attr-defined]
    elif status not in ("open", ""):
        raise InvalidValueError("status", "must be open or closed")


BUILDERS: dict[str, Callable[[object, Row, Meta], Aggregate]] = {
    "risks": _risk,
    "issues": _issue,
    "decisions": _decision,
}


def build_entries(
    kind: Kind,
    project_id: object,
    rows: Iterable[tuple[int, Row]],
    meta_for: Callable[[int], Meta],
) -> list[Aggregate]:
    """Every row's aggregate with its pending events; ImportRefusedError if any fail."""
    built: list[Aggregate] = []
    errors: list[RowError] = []
    for line, row in rows:
        missing = [n for n in REQUIRED[kind] if not (row.get(n) or "").strip()]
        if missing:
            errors.append(RowError(line, f"missing {', '.join(missing)}"))
            continue
        try:
            built.append(BUILDERS[kind](project_id, row, meta_for(line)))
        except DomainError as error:
            errors.append(RowError(line, str(error)))
    if errors:
        raise ImportRefusedError(errors)
    return built


def read_rows(path: Path) -> list[tuple[int, Row]]:
    """The data rows of a CSV file (header first), each with its line number."""
    rows: list[tuple[int, Row]] = []
    with path.open(newline="", encoding="utf-8-sig") as handle:
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
    ledger: PmoLedger, kind: Kind, path: Path, project_code: str, actor: str
) -> Imported:
    """Validate every row of a CSV file, then record them all in one commit."""
    project_id = ledger.project_id_for_code(project_code)
    if project_id is None:
        raise InvalidValueError("project", f"no project has the code {project_code}")
    ledger.load(Project, project_id).check_open(f"import {kind} into")

    def meta_for(line: int) -> Meta:
        return Meta(actor, "pmo-head", f"imported from {path.name}, line {line}")

    entries = build_entries(kind, project_id, read_rows(path), meta_for)
    if not entries:
        raise ImportRefusedError([RowError(1, "the file has no data rows")])
    events = sum(len(e.pending_events) for e in entries)
    position = ledger.commit(*entries)
    return Imported(len(entries), events, position)

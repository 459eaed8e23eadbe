"""One spreadsheet row as the events its columns call for (not yet saved).

The creating command takes the row's columns by its parameters' names; each
of the register's declared import steps then runs when its columns are
filled, once per month column for a monthly step, or, for a step leading
to the status the row names, when the entry is on the way there. Every
event is checked by the same guards as the command given over HTTP, and a
refusal names the column it came from.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from datetime import date
from typing import Any, Final

from service.domain.base import InvalidValueError, Meta, TransitionError, check_choice
from service.domain.entry import RegisterEntry
from service.domain.register import Command, Field, ImportStep, RegisterKind

MONTH_COLUMN: Final = re.compile(r"\d{4}-\d{2}")
"""A column named by a month (YYYY-MM), as a monthly import step reads it."""
Row = Mapping[str, str]
Resolve = Callable[[Command, dict[str, Any], Any], dict[str, Any]]
"""Checks the entries of other registers a command names (the application's)."""


def unresolved(command: Command, values: dict[str, Any], project: Any) -> Any:
    """The values as they are (nothing else to check them against)."""
    return values


def month_of(column: str, prefix: str) -> str | None:
    """The month a column names for a monthly step's prefix (None: not its)."""
    if not column.lower().startswith(prefix):
        return None
    rest = column[len(prefix) :].strip()
    return rest if MONTH_COLUMN.fullmatch(rest) else None


def cell(field: Field, text: str) -> Any:
    """A spreadsheet cell as the value a field takes."""
    text = text.strip()
    if field.kind == "integer":
        if not text.lstrip("-").isdigit():
            message = f"must be an integer from {field.low} to {field.high}"
            raise InvalidValueError(field.name, message)
        return int(text)
    if field.kind == "date":
        try:
            return date.fromisoformat(text)
        except ValueError:
            raise InvalidValueError(field.name, "must be a date (YYYY-MM-DD)") from None
    if field.kind in ("texts", "entries"):
        return _listed(field, text)
    if field.nullable and not text:
        return None
    return text


def _listed(field: Field, text: str) -> list[Any]:
    """A list cell: texts split on ";", or the JSON list an export writes."""
    if not text.startswith("["):
        return [part.strip() for part in text.split(";") if part.strip()]
    try:
        found = json.loads(text)
    except ValueError:
        found = None
    if not isinstance(found, list):
        message = "must be a JSON list (as exported) or texts separated by ;"
        raise InvalidValueError(field.name, message)
    return found


def _filled(row: Row, column: str) -> bool:
    return bool((row.get(column) or "").strip())


def _values(command: Command, row: Row, state: Mapping[str, Any]) -> dict[str, Any]:
    """A command's values from a row; a column left out keeps the entry's value."""
    return {
        p.name: cell(p, row[p.name])
        if row.get(p.name)
        else state.get(p.name, p.initial())
        for p in command.params
    }


def _bundled(command: Command, column: str, text: str) -> dict[str, str]:
    """The parameters a JSON object cell gives, each as the text of a cell."""
    names = [p.name for p in command.params]
    try:
        found = json.loads(text)
    except ValueError:
        found = None
    if not isinstance(found, dict):
        message = f"must be a JSON object of {', '.join(names)}"
        raise InvalidValueError(column, message)
    unknown = sorted(set(found) - set(names))
    if unknown:
        message = f"has no {', '.join(unknown)} (it takes {', '.join(names)})"
        raise InvalidValueError(column, message)
    return {k: "" if v is None else str(v) for k, v in found.items()}


def created_view(kind: RegisterKind, row: Row) -> Row:
    """The row as the creating command reads it: an empty parameter's column
    filled from the export's column of another name."""
    view = dict(row)
    for name, column in kind.import_renamed:
        if not _filled(view, name):
            view[name] = row.get(column, "")
    return view


def _view(step: ImportStep, command: Command, row: Row) -> Row:
    """The row as the step's command reads it: a renamed column under its
    parameter's name, a bundle's values where a parameter's column is empty."""
    view = dict(row)
    for name, column in step.renamed:
        view[name] = row.get(column, "")
    if step.bundle and _filled(row, step.bundle):
        for name, text in _bundled(command, step.bundle, row[step.bundle]).items():
            if not _filled(view, name):
                view[name] = text
    return view


def _monthly(entry: RegisterEntry, step: ImportStep, row: Row, meta: Meta) -> None:
    """The step once per month column with a value, the error naming the column."""
    when, amount = entry.register_kind.command(step.use_case).params
    for column, text in row.items():
        found = month_of(column, step.monthly or "")
        if found is None or not text.strip():
            continue
        try:
            values = {when.name: found, amount.name: cell(amount, text)}
            entry.run(step.use_case, values, meta)
        except InvalidValueError as error:
            raise InvalidValueError(column, error.message) from None


def _on_the_way(
    entry: RegisterEntry, step: ImportStep, command: Command, row: Row
) -> bool:
    """The row's status is one the step leads to, and the entry may take it now."""
    wanted = (row.get("status") or "").strip()
    status = entry.attributes().get("status")
    return (
        wanted in step.statuses
        and status != wanted
        and (not command.allowed or status in command.allowed)
    )


def _unchanged(values: Mapping[str, Any], state: Mapping[str, Any]) -> bool:
    """The values are what the entry already holds (the export's copy of them)."""
    return all(state.get(name) == value for name, value in values.items())


def _step(
    entry: RegisterEntry, step: ImportStep, row: Row, meta: Meta, resolve: Resolve
) -> None:
    """The step, if its columns call for it or it leads to the row's status; a
    refusal of the entry's state names the column that called for it."""
    if step.monthly is not None:
        _monthly(entry, step, row, meta)
        return
    command = entry.register_kind.command(step.use_case)
    called = [column for column in step.when if _filled(row, column)]
    if not called and not _on_the_way(entry, step, command, row):
        return
    view = _view(step, command, row)
    state = entry.attributes()
    given = _values(command, view, state)
    if not _on_the_way(entry, step, command, row) and _unchanged(given, state):
        return
    values = resolve(command, given, entry.project_id)
    try:
        entry.run(step.use_case, values, meta)
    except TransitionError as error:
        if not called:
            raise
        raise InvalidValueError(called[0], str(error)) from None


def _led_to(kind: RegisterKind, row: Row) -> str:
    """The status a row names ("": none), one of the register's."""
    wanted = (row.get("status") or "").strip()
    if not wanted:
        return ""
    check_choice("status", wanted, kind.statuses)
    return wanted


def build_entry(
    cls: type[RegisterEntry],
    project_id: Any,
    row: Row,
    meta: Meta,
    resolve: Resolve = unresolved,
) -> RegisterEntry:
    """One row's entry with the events its columns call for (not yet saved)."""
    kind = cls.register_kind
    wanted = _led_to(kind, row)
    created = _values(kind.create, created_view(kind, row), {})
    values = resolve(kind.create, created, project_id)
    entry = cls.start(project_id, values, meta)
    for step in kind.import_steps or ():
        _step(entry, step, row, meta, resolve)
    reached = entry.attributes().get("status")
    if wanted and reached != wanted:
        message = f"the row's other columns make this {kind.noun} {reached}"
        raise InvalidValueError("status", f"{message}, not {wanted}")
    return entry

"""Validated filters for register and audit queries, document lookups, status rows."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import Connection, Select, Table, and_, or_, select, true

from projections import catalog
from projections.audit import AuditTrail
from projections.documents import DocumentsModel
from projections.paging import jsonable
from projections.register import RegisterModel
from projections.temporal import as_at, current
from service.domain.register import Field


def register_query(
    cls: type[RegisterModel],
    model: RegisterModel | None,
    project_id: UUID,
    as_of: datetime | None,
    filters: dict[str, object],
) -> Select[Any] | None:
    """Rows of a project's register as at a time; ValueError on a bad filter.

    Besides the register's declared filters, a person's search may ask for
    `q` (these words in any text field, any case), `<field>~` (a text field
    containing this, any case), `<field>=` (any field equal to this) and
    `not_status`.
    """
    fields = {f.name: f for f in (*cls.kind.fields, *cls.kind.derived_fields)}
    unknown = sorted(
        n for n in filters if n not in cls.filters and not _searched(n, fields)
    )
    if unknown:
        raise ValueError(
            f"filters: unknown {', '.join(unknown)}; "
            f"allowed: {', '.join(sorted(cls.filters))}"
        )
    if model is None:
        return None
    t = model.table
    query = select(t).where(t.c.project_id == project_id, as_at(t, as_of))
    for name, value in filters.items():
        if value is None:
            continue
        if name not in cls.filters:
            query = query.where(_search(t, name, value, fields))
            continue
        column, op = cls.filters[name]
        if op == "min":
            query = query.where(t.c[column] >= score(name, value))
        elif isinstance(value, list | tuple | set | frozenset):
            query = query.where(t.c[column].in_([text(name, v) for v in value]))
        else:
            query = query.where(t.c[column] == text(name, value))
    return query


EQUAL_KINDS = ("text", "choice", "integer", "entry")
"""The field kinds a `<field>=` search compares (as text or as an integer)."""


def _searched(name: str, fields: dict[str, Field]) -> bool:
    """Whether a filter name is one of a person's searches (see register_query)."""
    if name in ("q", "not_status"):
        return True
    if name.endswith("~"):
        found = fields.get(name[:-1])
        return found is not None and found.kind in ("text", "choice", "entry")
    found = fields.get(name[:-1])
    return name.endswith("=") and found is not None and found.kind in EQUAL_KINDS


def _search(t: Table, name: str, value: object, fields: dict[str, Field]) -> Any:
    """The condition of one search filter."""
    if name == "not_status":
        return t.c.status != text(name, value)
    if name == "q":
        columns = [t.c[f.name] for f in fields.values() if f.kind == "text"]
        return every_word(columns, text(name, value))
    if name.endswith("~"):
        return contains(t.c[name[:-1]], text(name, value))
    field = fields[name[:-1]]
    if field.kind == "integer":
        try:
            return t.c[field.name] == int(str(value))
        except ValueError:
            raise ValueError(f"{field.name}: must be an integer") from None
    return t.c[field.name] == text(name, value)


def every_word(columns: list[Any], value: str) -> Any:
    """Each word of the value is in one of the columns, in any case."""
    words = value.split()
    return and_(true(), *(or_(*(contains(c, w) for c in columns)) for w in words))


def contains(column: Any, value: str) -> Any:
    """The column contains the value, in any case (LIKE's wildcards escaped)."""
    return column.ilike(f"%{_like(value)}%", escape="\\")


def _like(value: str) -> str:
    """A value matched literally inside a LIKE pattern."""
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def score(name: str, value: object) -> int:
    """A minimum score from 1 to 25."""
    try:
        number = int(str(value))
    except ValueError:
        raise ValueError(f"{name}: must be an integer from 1 to 25") from None
    if not 1 <= number <= 25:
        raise ValueError(f"{name}: must be an integer from 1 to 25")
    return number


def text(name: str, value: object) -> str:
    """A filter value that must be text."""
    if not isinstance(value, str):
        raise ValueError(f"{name}: must be text or a list of texts")
    return value


SEARCHED = ("data", "actor", "action", "entity_type", "reason")
"""The audit columns a search (`q`) looks in."""


def audit_query(
    model: AuditTrail,
    project_id: UUID | None,
    actor: str | None,
    entity_id: UUID | None,
    event_type: str | None,
    since: datetime | None,
    until: datetime | None,
    q: str | None = None,
    partial: bool = False,
) -> Select[Any]:
    """Audit rows matching the filters; an event type without a dot is an entity.

    `q` asks for these words, in any case, in the event's data, actor, event
    or entity type, or reason; `partial` matches actor and event type as part
    of the text in any case instead of exactly.
    """
    t = model.table
    query = select(t)
    if project_id is not None:
        query = query.where(t.c.project_id == project_id)
    if actor is not None:
        exact = t.c.actor == actor
        query = query.where(contains(t.c.actor, actor) if partial else exact)
    if entity_id is not None:
        query = query.where(t.c.entity_id == entity_id)
    if event_type is not None and partial:
        # An event's name begins with its entity type: one column finds both.
        query = query.where(contains(t.c.action, event_type))
    elif event_type is not None:
        column = t.c.action if "." in event_type else t.c.entity_type
        query = query.where(column == event_type)
    if q is not None:
        query = query.where(every_word([t.c[c] for c in SEARCHED], q))
    if since is not None:
        query = query.where(t.c.recorded_at >= since)
    if until is not None:
        query = query.where(t.c.recorded_at < until)
    return query


def json_loads(data: str) -> Any:
    """An audit row's stored event fields."""
    return json.loads(data)


def status_row(row: catalog.TrackingRow, head: int, live: int | None) -> dict[str, Any]:
    """One tracking row as status reports it."""
    # The ledger keeps one fixed generation and never has an active-generation row.
    is_current = live is None or row.generation == live or row.state == "building"
    state = row.state if is_current else "old"
    return {
        "name": row.name,
        "generation": row.generation,
        "position": row.position,
        "head": head,
        "lag": max(0, head - row.position),
        "state": "stopped" if row.error else state,
        "error": row.error,
        "error_position": row.error_position,
        "updated_at": row.updated_at.isoformat(),
    }


def document_row(
    conn: Connection, model: DocumentsModel, document_id: UUID, as_of: datetime | None
) -> dict[str, Any] | None:
    """A document's row version now or at an instant, JSON-ready, or None."""
    t = model.table
    found = conn.execute(select(t).where(t.c.id == document_id, current(t))).first()
    if found is None or as_of is None:
        return None if found is None else jsonable(found._mapping)
    # The project's as-at index holds (project_id, created_at, id, valid_from,
    # valid_to): with the first three fixed, the newest row version that began by
    # the instant is the one that held then, so the scan stops at the first match
    # instead of reading every row version of a long history.
    held = conn.execute(
        select(t)
        .where(
            t.c.project_id == found.project_id,
            t.c.created_at == found.created_at,
            t.c.id == document_id,
            as_at(t, as_of),
        )
        .order_by(t.c.valid_from.desc())
        .limit(1)
    ).first()
    return None if held is None else jsonable(held._mapping)


def version_row(
    conn: Connection,
    model: DocumentsModel,
    document_id: UUID,
    number: int,
    as_of: datetime | None,
) -> dict[str, Any] | None:
    """One version's row now or at an instant, JSON-ready, or None."""
    v = model.versions
    found = conn.execute(
        select(v).where(
            v.c.document_id == document_id, v.c.number == number, as_at(v, as_of)
        )
    ).first()
    return None if found is None else jsonable(found._mapping)

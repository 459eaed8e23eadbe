"""Keyset pagination: opaque cursors over (sort key, id), and JSON-ready rows."""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from uuid import UUID

from sqlalchemy import Column, ColumnElement, Date, Integer, Result, and_, or_

from projections.temporal import UTCDateTime

MAX_LIMIT = 1000


@dataclass(frozen=True)
class Page:
    """One page of results and the cursor of the next (None on the last page)."""

    items: list[dict[str, Any]]
    next_cursor: str | None = None


def check_limit(limit: int) -> int:
    """Refuse a page size outside 1..MAX_LIMIT."""
    if isinstance(limit, bool) or not isinstance(limit, int):
        raise ValueError("limit: must be an integer")
    if not 1 <= limit <= MAX_LIMIT:
        raise ValueError(f"limit: must be from 1 to {MAX_LIMIT}")
    return limit


# Values JSON takes as they are (exact types: the common case, checked first).
PLAIN = frozenset({str, int, float, bool, type(None), dict, list})


def jsonable(row: Mapping[Any, Any]) -> dict[str, Any]:
    """A row as JSON-ready values: ids as strings, times and dates as ISO 8601."""
    return {
        key: value if type(value) in PLAIN else to_json(value)
        for key, value in row.items()
    }


def jsonable_rows(result: Result[Any]) -> list[dict[str, Any]]:
    """Every row of a result as `jsonable` makes it (the column names read once)."""
    keys = tuple(map(str, result.keys()))  # quoted_name: orjson takes str keys only
    plain = PLAIN
    return [
        dict(
            zip(keys, [v if type(v) in plain else to_json(v) for v in row], strict=True)
        )
        for row in result
    ]


def to_json(value: Any) -> Any:
    """One value as JSON-ready."""
    if isinstance(value, UUID):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def encode_cursor(sort: str, value: Any, entity_id: Any) -> str:
    """An opaque cursor after the row with this sort value and id."""
    raw = json.dumps([sort, to_json(value), str(entity_id)]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str, sort: str, column: Column[Any]) -> tuple[Any, UUID]:
    """The sort value and id a cursor points after; ValueError if malformed."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        kind, value, entity_id = json.loads(raw)
        if kind != sort:
            raise ValueError("after: the cursor belongs to another sort order")
        return from_json(value, column), UUID(entity_id)
    except (binascii.Error, TypeError, json.JSONDecodeError, UnicodeDecodeError):
        raise ValueError("after: not a cursor this list returned") from None


def from_json(value: Any, column: Column[Any]) -> Any:
    """A cursor's sort value back in the column's Python type."""
    if isinstance(column.type, UTCDateTime):
        return datetime.fromisoformat(value)
    if isinstance(column.type, Date):
        return date.fromisoformat(value)
    if isinstance(column.type, Integer):
        return int(value)
    return str(value)


def after(
    column: Column[Any], id_column: Column[Any], value: Any, entity_id: UUID, desc: bool
) -> ColumnElement[bool]:
    """Rows strictly after (value, id) in the list's order."""
    if desc:
        return or_(column < value, and_(column == value, id_column < entity_id))
    return or_(column > value, and_(column == value, id_column > entity_id))

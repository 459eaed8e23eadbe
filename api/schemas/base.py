"""Shared marshmallow fields and schemas: text, write bodies, reads, responses."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import marshmallow as ma
from marshmallow import fields, validate


class Text(fields.String):
    """A string that is valid UTF-8 without NUL characters (both break storage)."""

    def _deserialize(
        self, value: Any, attr: str | None, data: Any, **kwargs: Any
    ) -> str:
        text = super()._deserialize(value, attr, data, **kwargs)
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            raise ma.ValidationError("must be valid Unicode text") from None
        if "\x00" in text:
            raise ma.ValidationError("must not contain NUL characters")
        return text


def text(max_length: int = 10_000, **kwargs: Any) -> Text:
    """A required text field of bounded length."""
    return Text(required=True, validate=validate.Length(max=max_length), **kwargs)


def optional_text(max_length: int = 10_000) -> Text:
    """An optional text field, empty by default."""
    return Text(load_default="", validate=validate.Length(max=max_length))


def choice(values: tuple[str, ...]) -> Text:
    """A required text that must be one of values."""
    return Text(required=True, validate=validate.OneOf(values))


def in_utc(moment: datetime) -> datetime:
    """An aware moment in UTC; ValueError if UTC cannot hold it.

    0001-01-01T00:00:05+04:00 is still in year 0 in UTC, and
    9999-12-31T23:59:59-05:00 already in year 10000: every comparison or
    database parameter would overflow later, so the moment is refused here.
    """
    try:
        return moment.astimezone(UTC)
    except OverflowError:
        raise ValueError(
            f"{moment.isoformat()} is outside 0001-01-01 to 9999-12-31 in UTC"
        ) from None


class Moment(fields.AwareDateTime):
    """An ISO 8601 timestamp with a zone, read as the same moment in UTC."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("load_default", None)
        super().__init__(default_timezone=None, **kwargs)

    def _deserialize(
        self, value: Any, attr: str | None, data: Any, **kwargs: Any
    ) -> datetime:
        moment = super()._deserialize(value, attr, data, **kwargs)
        try:
            return in_utc(moment)
        except ValueError as error:
            raise ma.ValidationError(str(error)) from None


class Body(ma.Schema):
    """A JSON request body: unknown fields are refused; `reason` is always allowed."""

    class Meta:
        unknown = ma.RAISE

    reason = Text(
        load_default=None,
        allow_none=True,
        validate=validate.Length(max=2000),
        metadata={"description": "Why (recorded in the event); or X-Reason header"},
    )


class Open(ma.Schema):
    """A documented response shape that may carry more members."""

    class Meta:
        unknown = ma.INCLUDE


def position_field() -> fields.Integer:
    """Read-your-writes: the position a read waits (at most 5 s) to reflect."""
    return fields.Integer(
        load_default=None,
        validate=validate.Range(min=0),
        metadata={
            "description": "Wait (at most 5 s) until reads reflect this position"
        },
    )


class ReadArgs(ma.Schema):
    """Query arguments of every read: a moment in the past and read-your-writes."""

    class Meta:
        unknown = ma.EXCLUDE

    as_of = Moment(
        metadata={"description": "ISO 8601 timestamp: the state as it stood then"},
    )
    min_position = position_field()


class ListArgs(ReadArgs):
    """Query arguments of a register list: cursor pagination."""

    after = Text(
        load_default=None,
        validate=validate.Length(max=200),
        metadata={"description": "The next_cursor of the previous page"},
    )
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=200))


class WrittenSchema(Open):
    """What a write returns (also in the ETag and Location headers)."""

    id = fields.String(required=True)
    version = fields.Integer(required=True)
    position = fields.Integer(required=True)


class EntitySchema(Open):
    """An entity's current (or as-of) state."""

    id = fields.String(required=True)
    version = fields.Integer(required=True)
    created_at = fields.String(
        metadata={"description": "When the entity was created (its first event)"}
    )
    recorded_at = fields.String(
        metadata={"description": "When the version shown was recorded"}
    )
    created_on = fields.String(
        metadata={"deprecated": True, "description": "0.1's name for created_at"}
    )
    modified_on = fields.String(
        metadata={"deprecated": True, "description": "0.1's name for recorded_at"}
    )
    status = fields.String()


class PageSchema(Open):
    """A page of rows and the cursor of the next page (null at the end)."""

    items = fields.List(fields.Dict(), required=True)
    next_cursor = fields.String(allow_none=True, required=True)


class HistoryEventSchema(Open):
    """One recorded event: its version, type, when, who, why and its fields."""

    version = fields.Integer()
    type = fields.String()
    recorded_at = fields.String()
    actor = fields.String(allow_none=True)
    role = fields.String(allow_none=True)
    reason = fields.String(allow_none=True)
    request_id = fields.String(allow_none=True)
    fields_ = fields.Dict(data_key="fields")


class HistorySchema(Open):
    """An entity's events, oldest first."""

    id = fields.String()
    events = fields.List(fields.Nested(HistoryEventSchema))


class ProblemSchema(Open):
    """An RFC 9457 problem (application/problem+json)."""

    type = fields.String()
    title = fields.String()
    status = fields.Integer()
    detail = fields.String()
    errors = fields.Dict(metadata={"description": "Each bad field and its messages"})


class EmptyBody(Body):
    """A command that needs nothing but an optional reason."""


def list_args(name: str, **filters: fields.Field) -> type[ListArgs]:
    """A register's list arguments: pagination plus its own filters."""
    return ListArgs.from_dict(filters, name=name)  # type: ignore[return-value]

"""Request bodies: the project commands, and those of every declared register."""

from __future__ import annotations

from functools import cache
from typing import Any

from marshmallow import RAISE, Schema, fields, validate

from api.schemas.base import Body, EmptyBody, Text, choice, optional_text, text
from service.domain import project
from service.domain.register import Command, Field


class ProjectDetails(Body):
    """A project's name, description, sponsor and manager."""

    name = text(200)
    description = optional_text()
    sponsor = text(200)
    manager = text(200)


class ProjectRegistration(ProjectDetails):
    """A new project under a unique code."""

    code = Text(required=True, validate=validate.Regexp(r"^[A-Za-z0-9-]{2,20}$"))


class StageChange(Body):
    """The stage a project moves into."""

    stage = text(200)


class RagSchema(Schema):
    """Red, amber or green for each of the six dimensions."""

    class Meta:
        unknown = RAISE

    time = choice(project.RAG_COLOURS)
    cost = choice(project.RAG_COLOURS)
    scope = choice(project.RAG_COLOURS)
    quality = choice(project.RAG_COLOURS)
    benefits = choice(project.RAG_COLOURS)
    risk = choice(project.RAG_COLOURS)


class StatusReportBody(Body):
    """A highlight report for a period."""

    period_start = fields.Date(required=True)
    period_end = fields.Date(required=True)
    rag = fields.Nested(RagSchema, required=True)
    summary = text()
    work_done = optional_text()
    work_next = optional_text()
    tolerance_status = text(200)
    lessons = optional_text()


def body_field(field: Field) -> fields.Field:
    """The request-body field a register command's parameter is given in."""
    if field.kind == "choice" and field.nullable:
        one_of = validate.OneOf(field.choices)
        return fields.String(load_default=None, allow_none=True, validate=one_of)
    if field.kind == "choice":
        return choice(field.choices)
    if field.kind == "integer":
        limits = validate.Range(min=field.low, max=field.high)
        if field.nullable:
            return fields.Integer(
                load_default=None, allow_none=True, strict=True, validate=limits
            )
        return fields.Integer(required=True, strict=True, validate=limits)
    if field.kind == "decimal":
        pattern = validate.Regexp(f"^{field.pattern}$")
        return Text(required=True, validate=pattern)
    if field.kind in ("date", "entry") and field.nullable:
        kind = fields.Date if field.kind == "date" else fields.UUID
        return kind(load_default=None, allow_none=True)
    if field.kind == "date":
        return fields.Date(required=True)
    if field.kind == "texts":
        items = validate.Length(max=field.max_items)
        return fields.List(text(field.max_length), load_default=list, validate=items)
    if field.kind == "entry":
        return fields.UUID(required=True)
    if field.kind in ("month", "entries"):
        return more_body_field(field)
    if field.nullable:
        length = validate.Length(min=1, max=field.max_length)
        return Text(load_default=None, allow_none=True, validate=length)
    if field.required:
        return text(field.max_length)
    return optional_text(field.max_length)


def more_body_field(field: Field) -> fields.Field:
    """The request-body field of a month (YYYY-MM) or a list of entry ids."""
    if field.kind == "month":
        month = validate.Regexp(r"^\d{4}-(0[1-9]|1[0-2])$", error="must be YYYY-MM")
        return Text(required=True, validate=month, metadata={"example": "2026-04"})
    items = validate.Length(max=field.max_items)
    return fields.List(fields.UUID(), load_default=list, validate=items)


@cache
def body_schema(command: Command) -> type[Body]:
    """The request body of a register command (EmptyBody when it takes none)."""
    given = command.given_params()
    if not given:
        return EmptyBody
    declared: dict[str, Any] = {p.name: body_field(p) for p in given}
    schema = Body.from_dict(declared, name=command.schema)
    schema.__doc__ = command.summary
    return schema  # type: ignore[return-value]

"""Every declared register's routes: create, list, one, history, its commands.

One blueprint per register kind, named as the register (`risks`): POST and
GET `/projects/{id}/<register>` (`/<register>` for a portfolio-level one),
GET `/<register>/{id}` and its history, and POST `/<register>/{id}/<path>`
for each command, each with the body schema and summary its declaration gives.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from uuid import UUID

from flask import Response
from marshmallow import fields, validate

from api.auth import request_meta
from api.resources.common import (
    Blueprint,
    check_project_version,
    expected_version,
    problems,
    register_page,
    services,
    written,
)
from api.resources.routes import command as command_route
from api.resources.routes import read_routes
from api.schemas.base import PageSchema, list_args
from api.schemas.registers import body_schema
from service.domain.entry import RegisterEntry
from service.domain.register import PORTFOLIO_ID, Command, RegisterKind
from usecases.registers import command_class, execute, singular


def register_blueprint(cls: type[RegisterEntry]) -> Blueprint:
    """The routes of one declared register."""
    kind = cls.register_kind
    blp = Blueprint(
        kind.name,
        __name__,
        url_prefix="/api/v1",
        description=kind.blueprint_description,
    )
    many = (
        f"/{kind.name}"
        if kind.portfolio
        else f"/projects/<project:project_id>/{kind.name}"
    )
    one = f"/{kind.name}/<uuid:{singular(kind)}_id>"
    create = kind.create
    command_route(blp, many, body_schema(create), status=201)(
        _handler(kind, create, f"/{kind.name}/{{id}}")
    )
    blp.route(many, methods=["GET"], endpoint=f"list_{kind.name}")(
        blp.arguments(list_arguments(kind)(), location="query")(
            blp.response(200, PageSchema)(problems(blp, 422, 503)(_lister(kind)))
        )
    )
    read_routes(blp, one, cls, singular(kind), noun=kind.noun)
    for command in kind.commands:
        status = 201 if command.created else 200
        route = command_route(
            blp,
            f"{one}/{command.path}",
            body_schema(command),
            status=status,
            required=command.body_required,
        )
        route(_handler(kind, command, f"/{kind.name}/{{id}}"))
    return blp


def list_arguments(kind: RegisterKind) -> type:
    """The query arguments of a register's list: its choice filters and paging."""
    filters = {
        name: fields.String(validate=validate.OneOf(kind.field(name).choices))
        for name in kind.list_filters
    }
    return list_args(f"{kind.aggregate}ListArgs", **filters)


def _lister(kind: RegisterKind) -> Callable[..., Response]:
    def list_entries(args: dict[str, Any], project_id: UUID = PORTFOLIO_ID) -> Response:
        return register_page(kind.name, project_id, args)

    list_entries.__name__ = f"list_{kind.name}"
    list_entries.__doc__ = kind.list_summary
    return list_entries


def _handler(
    kind: RegisterKind, command: Command, location: str
) -> Callable[..., Response]:
    """The view of one command: build its dataclass, execute it, answer Written."""
    dataclass = command_class(kind, command.use_case)
    creates = command is kind.create

    def handle(body: dict[str, Any], **ids: UUID) -> Response:
        subject = next(iter(ids.values()), PORTFOLIO_ID)
        if creates and not kind.portfolio:
            check_project_version(subject)
        given = dataclass(  # type: ignore[call-arg]
            subject,
            *(body[p.name] for p in command.given_params()),
            expected_version=None if creates else expected_version(),
        )
        result = execute(services(), given, request_meta(body.get("reason")))
        path = location.format(id=result.id if creates else subject)
        return written(result, path, created=command.created)

    handle.__name__ = command.endpoint_name
    handle.__doc__ = command.summary
    return handle

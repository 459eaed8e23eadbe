"""The decorator stacks the resources share: one entity and its history, commands."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar
from uuid import UUID

from eventsourcing.domain import Aggregate
from flask import Response
from flask_smorest import Blueprint

from api.resources.common import (
    check_position,
    entity_response,
    history,
    load_at,
    problems,
)
from api.schemas.base import EntitySchema, HistorySchema, ReadArgs, WrittenSchema

F = TypeVar("F", bound=Callable[..., Any])
COMMAND_PROBLEMS = (404, 409, 412, 422)


def read_routes(
    blp: Blueprint,
    one: str,
    cls: type[Aggregate],
    name: str,
    *,
    noun: str | None = None,
    summary: str | None = None,
) -> None:
    """GET `one` (now or as at a moment) as `get_<name>`, and `<name>_history`.

    `one` ends in the id's path parameter; `noun` names the entity in the
    summaries (default: `name`); `summary` replaces the first one's.
    """
    key = one.rpartition(":")[2].rstrip(">")
    noun = noun or name

    def get_one(args: dict[str, Any], **ids: UUID) -> Response:
        check_position(args["min_position"])
        return entity_response(load_at(cls, ids[key], args["as_of"]))

    def one_history(**ids: UUID) -> Response:
        return history(cls, ids[key])

    get_one.__doc__ = summary or f"One {noun}, now or as it stood at a moment."
    one_history.__doc__ = f"Every event of one {noun}, oldest first."
    route = blp.route(one, methods=["GET"], endpoint=f"get_{name}")
    route(
        blp.arguments(ReadArgs, location="query")(
            blp.response(200, EntitySchema)(problems(blp, 404, 422)(get_one))
        )
    )
    route = blp.route(one + "/history", methods=["GET"], endpoint=f"{name}_history")
    route(blp.response(200, HistorySchema)(problems(blp, 404)(one_history)))


def command(
    blp: Blueprint,
    rule: str,
    body: type,
    *,
    status: int = 200,
    required: bool = True,
    codes: tuple[int, ...] = COMMAND_PROBLEMS,
) -> Callable[[F], F]:
    """A command's POST: its JSON body, a Written answer, the problems it can give.

    `required=False` for a body that may be omitted (only an optional reason).
    """

    # One schema instance per route, built once: flask-smorest would build one
    # from the class on every request; marshmallow 4 schemas are safe to share
    # between threads for loading.
    schema = body()

    def decorate(func: F) -> F:
        func = problems(blp, *codes)(func)
        func = blp.response(status, WrittenSchema)(func)
        func = blp.arguments(schema, required=required)(func)
        return blp.route(rule, methods=["POST"])(func)

    return decorate

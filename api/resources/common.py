"""What every resource shares: services, If-Match, write responses, pages, problems."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime
from http import HTTPStatus
from typing import Any, TypeVar
from uuid import UUID

import flask_smorest
import orjson
from eventsourcing.domain import Aggregate
from flask import Response, g, jsonify, request

from api.context import services
from api.errors import ApiError
from api.schemas.parsing import JsonParser
from service.application import Written
from usecases import projects, reads
from usecases.reads import EntityQuery, EntityView, HistoryQuery

F = TypeVar("F", bound=Callable[..., Any])
JSON = "application/json"
API = "/api/v1"
_ETAG = re.compile(r'\s*"(\d{1,18})"\s*')
# RFC 9110 entity-tag: optional W/, then etagc characters between quotes.
_ENTITY_TAG = re.compile(r'\s*(W/)?"[\x21\x23-\x7e\x80-\xff]*"\s*')


class Blueprint(flask_smorest.Blueprint):
    """A resource's blueprint, parsing bodies with the guarded JSON parser."""

    ARGUMENTS_PARSER = JsonParser()


def views() -> Any:
    """The read models (projections.views.Views), or a 503 when there are none."""
    value = getattr(services(), "views", None)
    if value is None:
        raise ApiError(503, "the read models are not available", headers=_RETRY)
    return value


_RETRY = {"Retry-After": "1"}


def expected_version() -> int | None:
    """The version If-Match names; a weak or foreign tag can never match (412).

    A header that is not a list of entity tags is a 400: the client meant a
    condition we cannot read, and 412 would claim a version was compared.
    """
    header = request.headers.get("If-Match")
    if header is None or header.strip() == "*":
        return None
    if not all(_ENTITY_TAG.fullmatch(tag) for tag in header.split(",")):
        raise ApiError(
            400,
            'If-Match must be "*" or entity tags such as "3" (the ETag received)',
            errors={"If-Match": ["Not a list of entity tags."]},
        )
    match = _ETAG.fullmatch(header)
    # -1 never equals an aggregate version, so the command is refused with 412.
    return int(match.group(1)) if match else -1


def check_project_version(project_id: UUID) -> None:
    """Honour If-Match on a create under a project: it names the project version."""
    projects.check_project_version(services(), project_id, expected_version())


def written(
    result: Written, path: str, *, created: bool = False, **extra: Any
) -> Response:
    """A write's response: 201 or 200, Location, strong ETag, id/version/position."""
    body = {
        "id": str(result.id),
        "version": result.version,
        "position": result.position,
        **extra,
    }
    response = jsonify(body)
    response.status_code = 201 if created else 200
    response.headers["Location"] = API + path
    response.headers["ETag"] = f'"{result.version}"'
    return response


def wait_for_position(position: int | None) -> None:
    """Read-your-writes: wait (bounded) until the read models reach a position."""
    reads.wait_for_position(services(), position)


def check_position(position: int | None) -> None:
    """A position beyond the store's head is refused (entity reads are current)."""
    reads.check_position(services(), position)


def load_at(
    cls: type[Aggregate], entity_id: UUID, as_of: datetime | None
) -> EntityView:
    """One entity now or as it stood at a moment (see usecases.reads)."""
    return reads.read_entity(services(), EntityQuery(cls, entity_id, as_of))


def entity_response(view: EntityView) -> Response:
    """GET one: the entity's state with its version as a strong ETag."""
    response = jsonify(view.state)
    response.headers["ETag"] = f'"{view.version}"'
    return response


def history(cls: type[Aggregate], entity_id: UUID) -> Response:
    """Every event of one entity, oldest first, with who, when and why."""
    found = reads.entity_history(services(), HistoryQuery(cls, entity_id))
    return jsonify(id=str(found.id), events=found.events)


def page(result: Any) -> Response:
    """A page of rows from the read models, with its next cursor (or null)."""
    # The read models' rows are JSON-ready already (projections.paging.jsonable);
    # orjson writes them several times faster than json, in the same form.
    body = {"items": result.items, "next_cursor": result.next_cursor}
    return Response(orjson.dumps(body, option=orjson.OPT_SORT_KEYS), mimetype=JSON)


def request_id() -> str | None:
    """The current request's id."""
    value: str | None = g.get("request_id")
    return value


def problems(blp: Blueprint, *codes: int) -> Callable[[F], F]:
    """Document the problem+json answers an operation can give.

    400 (a malformed header or an unknown query parameter), 401 and 403 always.
    """

    def decorate(func: F) -> F:
        for code in sorted({400, 401, 403, *codes}):
            func = blp.alt_response(code, response=HTTPStatus(code).name)(func)
        return func

    return decorate


FILTER_KEYS = ("as_of", "min_position", "after", "limit")


def register_page(kind: str, project_id: UUID, args: dict[str, Any]) -> Response:
    """A page of one project's register from the read models."""
    wait_for_position(args["min_position"])
    filters = {k: v for k, v in args.items() if k not in FILTER_KEYS and v is not None}
    return page(
        query_views(
            views().list_register,
            kind,
            project_id,
            as_of=args["as_of"],
            filters=filters,
            after=args["after"],
            limit=args["limit"],
        )
    )


def query_views(query: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """Run a read-model query; its ValueError (a bad cursor or filter) is a 422."""
    return reads.query_views(query, *args, **kwargs)

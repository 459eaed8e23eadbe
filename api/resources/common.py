"""What every resource shares: services, If-Match, write responses, reads, history."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Iterable
from datetime import UTC, date, datetime
from http import HTTPStatus
from typing import Any, TypeVar
from uuid import UUID

from eventsourcing.domain import Aggregate
from flask import Response, current_app, g, jsonify, request
from flask_smorest import Blueprint

from api.errors import ApiError
from service.app import PmoLedger
from service.application import Written
from service.domain.project import Project
from usecases.root import Services

A = TypeVar("A", bound=Aggregate)
F = TypeVar("F", bound=Callable[..., Any])
API = "/api/v1"
MAX_WAIT_SECONDS = 5.0
_ETAG = re.compile(r'\s*"(\d{1,18})"\s*')


def services() -> Services:
    """The services of the running application."""
    value: Services = current_app.config["PMO_SERVICES"]
    return value


def ledger() -> PmoLedger:
    """The application that records and loads events."""
    return services().ledger


def views() -> Any:
    """The read models (projections.views.Views), or a 503 when there are none."""
    value = getattr(services(), "views", None)
    if value is None:
        raise ApiError(503, "the read models are not available", headers=_RETRY)
    return value


_RETRY = {"Retry-After": "1"}


def expected_version() -> int | None:
    """The version If-Match names; a malformed or weak one can never match."""
    header = request.headers.get("If-Match")
    if header is None or header.strip() == "*":
        return None
    match = _ETAG.fullmatch(header)
    # -1 never equals an aggregate version, so the command is refused with 412.
    return int(match.group(1)) if match else -1


def check_project_version(project_id: UUID) -> None:
    """Honour If-Match on a create under a project: it names the project version."""
    expected = expected_version()
    if expected is None:
        return
    project = ledger().load(Project, project_id)
    if project.version != expected:
        raise ApiError(
            412,
            f"project {project_id} is at version {project.version}, not {expected}",
            current_version=project.version,
            headers={"ETag": f'"{project.version}"'},
        )


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
    if position is None or position <= 0:
        return
    head = ledger().head_position()
    if position > head:
        raise ApiError(
            422,
            f"min_position {position} is beyond the store's head {head}",
            errors={"min_position": [f"must be at most {head}"]},
        )
    if not views().wait_for(position, MAX_WAIT_SECONDS):
        raise ApiError(
            503,
            f"the read models have not reached position {position} yet",
            headers=_RETRY,
        )


def load_at(cls: type[A], entity_id: UUID, as_of: datetime | None) -> A:
    """An aggregate now, or as it stood at a moment (replayed from its events)."""
    if as_of is None:
        return ledger().load(cls, entity_id)
    moment = as_of if as_of.tzinfo else as_of.replace(tzinfo=UTC)
    version = None
    for event in ledger().events.get(entity_id):
        if event.timestamp > moment:  # type: ignore[attr-defined]
            break
        version = event.originator_version
    if version is None:
        raise ApiError(404, f"{entity_id} did not exist at {moment.isoformat()}")
    return ledger().load(cls, entity_id, version=version)


def entity(aggregate: Aggregate) -> dict[str, Any]:
    """An aggregate's public state as plain values, with id and version."""
    state = {
        key: plain(value)
        for key, value in vars(aggregate).items()
        if not key.startswith("_")
    }
    state.update(
        id=str(aggregate.id),
        version=aggregate.version,
        created_on=aggregate.created_on.isoformat(),
        modified_on=aggregate.modified_on.isoformat(),
    )
    return state


def entity_response(aggregate: Aggregate) -> Response:
    """GET one: the entity's state with its version as a strong ETag."""
    response = jsonify(entity(aggregate))
    response.headers["ETag"] = f'"{aggregate.version}"'
    return response


def history(cls: type[Aggregate], entity_id: UUID) -> Response:
    """Every event of one entity, oldest first, with who, when and why."""
    ledger().load(cls, entity_id)  # 404 for an unknown id or another type
    events = []
    for event in ledger().events.get(entity_id):
        meta = getattr(event, "meta", None)
        fields = {
            key: plain(value)
            for key, value in vars(event).items()
            if key
            not in (
                "originator_id",
                "originator_version",
                "originator_topic",
                "timestamp",
                "meta",
            )
        }
        events.append(
            {
                "version": event.originator_version,
                "type": type(event).__qualname__,
                "recorded_at": event.timestamp.isoformat(),  # type: ignore[attr-defined]
                "actor": getattr(meta, "actor", None),
                "role": getattr(meta, "role", None),
                "reason": getattr(meta, "reason", None),
                "request_id": getattr(meta, "request_id", None),
                "fields": fields,
            }
        )
    return jsonify(id=str(entity_id), events=events)


def plain(value: Any) -> Any:
    """A value as JSON-ready data (ids and dates as text, dataclasses as dicts)."""
    if isinstance(value, UUID):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {
            f.name: plain(getattr(value, f.name)) for f in dataclasses.fields(value)
        }
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, Iterable) and not isinstance(value, str | bytes):
        return [plain(v) for v in value]
    return value


def page(result: Any) -> Response:
    """A page of rows from the read models, with its next cursor (or null)."""
    return jsonify(
        items=[plain(item) for item in result.items], next_cursor=result.next_cursor
    )


def request_id() -> str | None:
    """The current request's id."""
    value: str | None = g.get("request_id")
    return value


def problems(blp: Blueprint, *codes: int) -> Callable[[F], F]:
    """Document the problem+json answers an operation can give (401/403 always)."""

    def decorate(func: F) -> F:
        for code in sorted({401, 403, *codes}):
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
    try:
        return query(*args, **kwargs)
    except ValueError as error:
        field, _, message = str(error).partition(": ")
        name = field if message and field.isidentifier() else "query"
        raise ApiError(
            422, str(error), errors={name: [message or str(error)]}
        ) from None

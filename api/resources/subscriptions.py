"""Webhook subscriptions: create, list, get, pause, resume, replay (PMO head)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from flask import Response, jsonify
from marshmallow import fields, validate

from api.auth import request_meta
from api.context import services
from api.errors import problem
from api.idempotency import replay_instead
from api.resources.common import API, Blueprint, problems
from api.schemas.base import Body, EmptyBody, Open, PageSchema, Text, text
from feed.subscription import EVENT_TYPE, MAX_FILTERS
from usecases import subscriptions as usecase

blp = Blueprint(
    "subscriptions", __name__, url_prefix="/api/v1", description="Webhook subscriptions"
)
MAX_POSITION = 2**63 - 1


class SubscriptionRequest(Body):
    """Where to send events, and which (empty lists: every event)."""

    name = text(200)
    url = text(2000, metadata={"description": "http(s); private addresses refused"})
    event_types = fields.List(
        Text(validate=validate.Regexp(EVENT_TYPE)),
        load_default=list,
        validate=validate.Length(max=MAX_FILTERS),
        metadata={"description": "e.g. Risk (every risk event) or Risk.Assessed"},
    )
    project_ids = fields.List(
        fields.UUID(), load_default=list, validate=validate.Length(max=MAX_FILTERS)
    )


class ReplayRequest(Body):
    """Deliver again every matching event from this position on."""

    from_position = fields.Integer(
        required=True, validate=validate.Range(min=1, max=MAX_POSITION)
    )


class SubscriptionCreatedSchema(Open):
    """A new subscription; the secret (whsec_...) is shown only here."""

    id = fields.String(required=True)
    secret = fields.String(required=True)
    position = fields.Integer(required=True)


class SubscriptionStateSchema(Open):
    """A subscription and its delivery state: cursor, lag, attempts, last error."""

    id = fields.String(required=True)
    status = fields.String(required=True)
    cursor = fields.Integer(allow_none=True)
    lag = fields.Integer(allow_none=True)
    last_error = fields.String(allow_none=True)
    attempts = fields.Integer()


class SubscriptionWrittenSchema(Open):
    """The subscription and the position of the event recorded."""

    id = fields.String(required=True)
    position = fields.Integer(required=True)


def _json(state: usecase.SubscriptionState) -> dict[str, Any]:
    body = state.to_json()
    body["id"] = body.pop("subscription_id")
    return body


@blp.route("/subscriptions", methods=["POST"])
@blp.arguments(SubscriptionRequest)
@blp.response(201, SubscriptionCreatedSchema)
@problems(blp, 409, 422)
def create_subscription(body: dict[str, Any]) -> Response:
    """Create a webhook subscription; its signing secret is shown once."""
    created = usecase.create_subscription(
        services(),
        usecase.CreateSubscription(
            body["name"],
            body["url"],
            tuple(body["event_types"]),
            tuple(body["project_ids"]),
        ),
        request_meta(body["reason"]),
    )
    location = f"{API}/subscriptions/{created.subscription_id}"
    response = jsonify(
        id=str(created.subscription_id),
        secret=created.secret,
        position=created.position,
    )
    response.status_code = 201
    response.headers["Location"] = location
    response.headers["Cache-Control"] = "no-store"
    replay_instead(
        problem(
            409,
            f"subscription {created.subscription_id} was created by the first"
            " request with this Idempotency-Key; its secret is shown only once",
            headers={"Location": location},
            subscription_id=str(created.subscription_id),
        )
    )
    return response


@blp.route("/subscriptions", methods=["GET"])
@blp.response(200, PageSchema)
@problems(blp)
def list_subscriptions() -> Response:
    """Every subscription with its delivery state (never a secret)."""
    items = [_json(s) for s in usecase.list_subscriptions(services())]
    return jsonify(items=items, next_cursor=None)


@blp.route("/subscriptions/<uuid:subscription_id>", methods=["GET"])
@blp.response(200, SubscriptionStateSchema)
@problems(blp, 404)
def get_subscription(subscription_id: UUID) -> Response:
    """A subscription: filters, status, cursor, lag, attempts and last error."""
    return jsonify(_json(usecase.subscription_state(services(), subscription_id)))


def _written(subscription_id: UUID, position: int) -> Response:
    return jsonify(id=str(subscription_id), position=position)


@blp.route("/subscriptions/<uuid:subscription_id>/pause", methods=["POST"])
@blp.arguments(EmptyBody, required=False)
@blp.response(200, SubscriptionWrittenSchema)
@problems(blp, 404, 409, 422)
def pause_subscription(body: dict[str, Any], subscription_id: UUID) -> Response:
    """Stop delivering; the cursor stays where it is."""
    position = usecase.pause_subscription(
        services(),
        usecase.PauseSubscription(subscription_id),
        request_meta(body.get("reason")),
    )
    return _written(subscription_id, position)


@blp.route("/subscriptions/<uuid:subscription_id>/resume", methods=["POST"])
@blp.arguments(EmptyBody, required=False)
@blp.response(200, SubscriptionWrittenSchema)
@problems(blp, 404, 409, 422)
def resume_subscription(body: dict[str, Any], subscription_id: UUID) -> Response:
    """Deliver again, from the event after the last one delivered."""
    position = usecase.resume_subscription(
        services(),
        usecase.ResumeSubscription(subscription_id),
        request_meta(body.get("reason")),
    )
    return _written(subscription_id, position)


@blp.route("/subscriptions/<uuid:subscription_id>/replay", methods=["POST"])
@blp.arguments(ReplayRequest)
@blp.response(200, SubscriptionWrittenSchema)
@problems(blp, 404, 422)
def replay_subscription(body: dict[str, Any], subscription_id: UUID) -> Response:
    """Deliver again every matching event from a position on (new webhook ids)."""
    position = usecase.replay_subscription(
        services(),
        usecase.ReplaySubscription(subscription_id, body["from_position"]),
        request_meta(body["reason"]),
    )
    return _written(subscription_id, position)

"""Access tokens: issue, list and revoke (PMO head only)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from flask import Response, jsonify
from marshmallow import fields

from api.auth import request_meta
from api.context import services
from api.idempotency import replay_instead, secret_shown_once
from api.resources.common import API, Blueprint, problems
from api.schemas.base import Body, EmptyBody, Open, PageSchema, choice, text
from service.domain.base import ROLES
from usecases import access
from usecases.reads import plain

blp = Blueprint("tokens", __name__, url_prefix="/api/v1", description="Access tokens")


class TokenRequest(Body):
    """Who the token is for and the one role it grants."""

    name = text(200)
    role = choice(ROLES)


class IssuedTokenSchema(Open):
    """A new token; the secret is shown only in this response."""

    id = fields.String(required=True)
    name = fields.String(required=True)
    role = fields.String(required=True)
    secret = fields.String(required=True)
    position = fields.Integer(required=True)


@blp.route("/tokens", methods=["POST"])
@blp.arguments(TokenRequest)
@blp.response(201, IssuedTokenSchema)
@problems(blp, 409, 422)
def issue_token(body: dict[str, Any]) -> Response:
    """Issue a token; its secret is shown once."""
    issued = access.issue_token(
        services(),
        access.IssueToken(body["name"], body["role"]),
        request_meta(body["reason"]),
    )
    response = jsonify(
        id=str(issued.token_id),
        name=issued.name,
        role=issued.role,
        secret=issued.secret,
        position=issued.position,
    )
    response.status_code = 201
    response.headers["Location"] = f"{API}/tokens/{issued.token_id}"
    response.headers["Cache-Control"] = "no-store"
    replay_instead(secret_shown_once(str(issued.token_id)))
    return response


@blp.route("/tokens", methods=["GET"])
@blp.response(200, PageSchema)
@problems(blp)
def list_tokens() -> Response:
    """Every token with its role and status (never a secret)."""
    items = [
        {
            "id": str(t.token_id),
            "name": t.name,
            "role": t.role,
            "status": t.status,
            "issued_at": plain(t.issued_at),
            "issued_by": t.issued_by,
        }
        for t in access.list_tokens(services())
    ]
    return jsonify(items=items, next_cursor=None)


@blp.route("/tokens/<uuid:token_id>/revoke", methods=["POST"])
@blp.arguments(EmptyBody, required=False)
@blp.response(200, Open)
@problems(blp, 404, 409, 422)
def revoke_token(body: dict[str, Any], token_id: UUID) -> Response:
    """Revoke a token; it stops working at once."""
    position = access.revoke_token(
        services(), access.RevokeToken(token_id), request_meta(body.get("reason"))
    )
    return jsonify(id=str(token_id), status="revoked", position=position)

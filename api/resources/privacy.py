"""Personal data: erase a data subject or an account, export what is held (PMO head).

A person is named in the request body, never in the path or the query, so no
access log or proxy keeps their name or address (docs/privacy.md).
"""

from __future__ import annotations

from typing import Any

from flask import Response, jsonify
from marshmallow import fields

from api.auth import request_meta
from api.context import services
from api.resources.common import API, Blueprint, problems
from api.schemas.base import Body, Open, PageSchema, choice, optional_text, text
from service.domain.erasure import LEGAL_BASES
from usecases import privacy
from usecases.reads import plain

blp = Blueprint("privacy", __name__, url_prefix="/api/v1", description="Personal data")


class PersonBody(Body):
    """A person by name, e-mail address, or both."""

    name = optional_text(254)
    email = optional_text(254)


class ErasureRequest(PersonBody):
    """Whose personal data to erase, on which legal basis, and why."""

    legal_basis = choice(LEGAL_BASES)
    reason = text(1000)


class AccountErasureRequest(Body):
    """Which account to erase (its name as recorded), on which legal basis, and why."""

    name = text(200)
    legal_basis = choice(LEGAL_BASES)
    reason = text(1000)


class ErasureSchema(Open):
    """An erasure carried out."""

    id = fields.String(required=True)
    subjects = fields.List(fields.String(), required=True)
    position = fields.Integer(required=True)
    rebuilt = fields.List(fields.String(), required=True)
    pending_rebuild = fields.List(fields.String(), required=True)
    compacted = fields.Boolean(required=True)


def person(body: dict[str, Any]) -> privacy.Person:
    """The person a request names."""
    return privacy.Person(body.get("name") or "", body.get("email") or "")


@blp.route("/privacy/erasures", methods=["POST"])
@blp.arguments(ErasureRequest)
@blp.response(201, ErasureSchema)
@problems(blp, 422)
def erase_subject(body: dict[str, Any]) -> Response:
    """Erase a person's personal data: their key destroyed, every copy redacted."""
    command = privacy.EraseSubject(person(body), body["legal_basis"], body["reason"])
    done = privacy.erase_subject(services(), command, request_meta(body["reason"]))
    return erasure_response(done)


@blp.route("/privacy/account-erasures", methods=["POST"])
@blp.arguments(AccountErasureRequest)
@blp.response(201, ErasureSchema)
@problems(blp, 422)
def erase_account(body: dict[str, Any]) -> Response:
    """Erase an account: its tokens revoked, its name unreadable in every event."""
    command = privacy.EraseAccount(body["name"], body["legal_basis"], body["reason"])
    done = privacy.erase_account(services(), command, request_meta(body["reason"]))
    return erasure_response(done)


def erasure_response(done: privacy.ErasureDone) -> Response:
    """An erasure's 201 answer."""
    response = jsonify(
        id=str(done.erasure_id),
        subjects=done.subjects,
        position=done.position,
        rebuilt=done.rebuilt,
        pending_rebuild=done.pending,
        compacted=done.compacted,
    )
    response.status_code = 201
    response.headers["Location"] = f"{API}/privacy/erasures"
    return response


@blp.route("/privacy/erasures", methods=["GET"])
@blp.response(200, PageSchema)
@problems(blp)
def list_erasures() -> Response:
    """Every erasure recorded: when, who, why, the legal basis, how many subjects."""
    items = [
        {
            "id": str(e.erasure_id),
            "recorded_at": plain(e.recorded_at),
            "actor": e.actor,
            "reason": e.reason,
            "legal_basis": e.legal_basis,
            "subjects": e.subjects,
            "position": e.position,
        }
        for e in privacy.list_erasures(services())
    ]
    return jsonify(items=items, next_cursor=None)


@blp.route("/privacy/subject-access", methods=["POST"])
@blp.arguments(PersonBody)
@blp.response(200, Open)
@problems(blp, 422)
def subject_access(body: dict[str, Any]) -> Response:
    """Everything held about a person (the export is recorded, without the person)."""
    found = privacy.subject_access(
        services(), person(body), request_meta(body.get("reason"))
    )
    response = jsonify(found.as_json())
    response.headers["Cache-Control"] = "no-store"
    return response

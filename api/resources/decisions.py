"""Decisions: record and supersede; list, read, history."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from flask import Response
from flask_smorest import Blueprint
from marshmallow import fields, validate

from api.auth import request_meta
from api.resources.common import (
    check_project_version,
    expected_version,
    ledger,
    problems,
    register_page,
    written,
)
from api.resources.routes import command, read_routes
from api.schemas.base import PageSchema, list_args
from api.schemas.registers import DecisionRecord, Supersession
from service.domain import decision
from service.domain.decision import Decision

blp = Blueprint("decisions", __name__, url_prefix="/api/v1", description="Decision log")
ONE = "/decisions/<uuid:decision_id>"
DecisionListArgs = list_args(
    "DecisionListArgs",
    status=fields.String(validate=validate.OneOf(decision.STATUSES)),
)


@command(blp, "/projects/<uuid:project_id>/decisions", DecisionRecord, status=201)
def record_decision(body: dict[str, Any], project_id: UUID) -> Response:
    """Record a decision in an open project's decision log."""
    check_project_version(project_id)
    result = ledger().record_decision(
        project_id,
        body["title"],
        body["context"],
        body["options"],
        body["outcome"],
        body["rationale"],
        body["decided_by"],
        body["decided_on"],
        body["related_ids"],
        request_meta(body["reason"]),
    )
    return written(result, f"/decisions/{result.id}", created=True)


@blp.route("/projects/<uuid:project_id>/decisions", methods=["GET"])
@blp.arguments(DecisionListArgs, location="query")
@blp.response(200, PageSchema)
@problems(blp, 422, 503)
def list_decisions(args: dict[str, Any], project_id: UUID) -> Response:
    """A project's decision log, filtered, a page at a time."""
    return register_page("decisions", project_id, args)


read_routes(blp, ONE, Decision, "decision")


@command(blp, ONE + "/supersede", Supersession)
def supersede_decision(body: dict[str, Any], decision_id: UUID) -> Response:
    """Mark a decision superseded by a newer one of the same project."""
    result = ledger().supersede_decision(
        decision_id,
        body["superseded_by"],
        request_meta(body["reason"]),
        expected_version(),
    )
    return written(result, f"/decisions/{decision_id}")

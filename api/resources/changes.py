"""Change requests: raise, assess, decide, implement, close; list, read, history."""

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
from api.schemas.base import EmptyBody, PageSchema, list_args
from api.schemas.registers import (
    ChangeAssessment,
    ChangeDecision,
    ChangeImplementation,
    ChangeRaise,
)
from service.domain import change
from service.domain.change import ChangeRequest

blp = Blueprint("changes", __name__, url_prefix="/api/v1", description="Change control")
ONE = "/changes/<uuid:change_id>"
ChangeListArgs = list_args(
    "ChangeListArgs",
    status=fields.String(validate=validate.OneOf(change.STATUSES)),
    step=fields.String(validate=validate.OneOf(change.STEPS)),
)


@command(blp, "/projects/<uuid:project_id>/changes", ChangeRaise, status=201)
def raise_change(body: dict[str, Any], project_id: UUID) -> Response:
    """Raise a change request in an open project."""
    check_project_version(project_id)
    result = ledger().raise_change(
        project_id,
        body["title"],
        body["description"],
        body["justification"],
        body["related_issue_id"],
        request_meta(body["reason"]),
    )
    return written(result, f"/changes/{result.id}", created=True)


@blp.route("/projects/<uuid:project_id>/changes", methods=["GET"])
@blp.arguments(ChangeListArgs, location="query")
@blp.response(200, PageSchema)
@problems(blp, 422, 503)
def list_changes(args: dict[str, Any], project_id: UUID) -> Response:
    """A project's change requests, filtered, a page at a time."""
    return register_page("changes", project_id, args)


read_routes(blp, ONE, ChangeRequest, "change", noun="change request")


@command(blp, ONE + "/assessments", ChangeAssessment, status=201)
def assess_change(body: dict[str, Any], change_id: UUID) -> Response:
    """Record the change's impact assessment."""
    result = ledger().assess_change(
        change_id,
        body["cost_impact"],
        body["time_impact_days"],
        body["scope_impact"],
        body["quality_impact"],
        body["risk_impact"],
        body["benefits_impact"],
        request_meta(body["reason"]),
        expected_version(),
    )
    return written(result, f"/changes/{change_id}", created=True)


@command(blp, ONE + "/decisions", ChangeDecision, status=201)
def decide_change(body: dict[str, Any], change_id: UUID) -> Response:
    """Record the change authority's decision."""
    result = ledger().decide_change(
        change_id,
        body["decision"],
        body["authority"],
        body["rationale"],
        request_meta(body["reason"]),
        expected_version(),
    )
    return written(result, f"/changes/{change_id}", created=True)


@command(blp, ONE + "/implementation", ChangeImplementation)
def implement_change(body: dict[str, Any], change_id: UUID) -> Response:
    """Record that an approved change was implemented."""
    result = ledger().implement_change(
        change_id, body["notes"], request_meta(body["reason"]), expected_version()
    )
    return written(result, f"/changes/{change_id}")


@command(blp, ONE + "/close", EmptyBody, required=False)
def close_change(body: dict[str, Any], change_id: UUID) -> Response:
    """Close an implemented, rejected or deferred change request."""
    result = ledger().close_change(
        change_id, request_meta(body.get("reason")), expected_version()
    )
    return written(result, f"/changes/{change_id}")

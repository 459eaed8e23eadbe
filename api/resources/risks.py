"""Risks: identify, assess, plan responses, close, reopen; list, read, history."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from flask import Response
from flask_smorest import Blueprint
from marshmallow import fields, validate

from api.auth import request_meta
from api.resources.common import (
    check_project_version,
    entity_response,
    expected_version,
    history,
    ledger,
    load_at,
    problems,
    register_page,
    written,
)
from api.schemas.base import (
    EmptyBody,
    EntitySchema,
    HistorySchema,
    PageSchema,
    ReadArgs,
    WrittenSchema,
    list_args,
)
from api.schemas.registers import RiskAssessment, RiskIdentification, RiskResponse
from service.domain import risk
from service.domain.risk import Risk

blp = Blueprint("risks", __name__, url_prefix="/api/v1", description="Risk register")
ONE = "/risks/<uuid:risk_id>"
RiskListArgs = list_args(
    "RiskListArgs",
    status=fields.String(validate=validate.OneOf(risk.STATUSES)),
    category=fields.String(validate=validate.OneOf(risk.CATEGORIES)),
    kind=fields.String(validate=validate.OneOf(risk.KINDS)),
)


@blp.route("/projects/<uuid:project_id>/risks", methods=["POST"])
@blp.arguments(RiskIdentification)
@blp.response(201, WrittenSchema)
@problems(blp, 404, 409, 412, 422)
def identify_risk(body: dict[str, Any], project_id: UUID) -> Response:
    """Record a newly identified risk in an open project."""
    check_project_version(project_id)
    result = ledger().identify_risk(
        project_id,
        body["title"],
        body["cause"],
        body["event"],
        body["effect"],
        body["category"],
        body["kind"],
        body["owner"],
        body["proximity"],
        body["probability"],
        body["impact"],
        request_meta(body["reason"]),
    )
    return written(result, f"/risks/{result.id}", created=True)


@blp.route("/projects/<uuid:project_id>/risks", methods=["GET"])
@blp.arguments(RiskListArgs, location="query")
@blp.response(200, PageSchema)
@problems(blp, 422, 503)
def list_risks(args: dict[str, Any], project_id: UUID) -> Response:
    """A project's risk register, filtered, a page at a time."""
    return register_page("risks", project_id, args)


@blp.route(ONE, methods=["GET"])
@blp.arguments(ReadArgs, location="query")
@blp.response(200, EntitySchema)
@problems(blp, 404, 422)
def get_risk(args: dict[str, Any], risk_id: UUID) -> Response:
    """One risk, now or as it stood at a moment."""
    return entity_response(load_at(Risk, risk_id, args["as_of"]))


@blp.route(ONE + "/history", methods=["GET"])
@blp.response(200, HistorySchema)
@problems(blp, 404)
def risk_history(risk_id: UUID) -> Response:
    """Every event of one risk, oldest first."""
    return history(Risk, risk_id)


@blp.route(ONE + "/assessments", methods=["POST"])
@blp.arguments(RiskAssessment)
@blp.response(201, WrittenSchema)
@problems(blp, 404, 409, 412, 422)
def assess_risk(body: dict[str, Any], risk_id: UUID) -> Response:
    """Record inherent and residual probability and impact."""
    result = ledger().assess_risk(
        risk_id,
        body["inherent_probability"],
        body["inherent_impact"],
        body["residual_probability"],
        body["residual_impact"],
        request_meta(body["reason"]),
        expected_version(),
    )
    return written(result, f"/risks/{risk_id}", created=True)


@blp.route(ONE + "/responses", methods=["POST"])
@blp.arguments(RiskResponse)
@blp.response(201, WrittenSchema)
@problems(blp, 404, 409, 412, 422)
def plan_response(body: dict[str, Any], risk_id: UUID) -> Response:
    """Record the planned response to a risk."""
    result = ledger().plan_risk_response(
        risk_id,
        body["response"],
        body["actions"],
        body["actionee"],
        request_meta(body["reason"]),
        expected_version(),
    )
    return written(result, f"/risks/{risk_id}", created=True)


@blp.route(ONE + "/close", methods=["POST"])
@blp.arguments(EmptyBody, required=False)
@blp.response(200, WrittenSchema)
@problems(blp, 404, 409, 412, 422)
def close_risk(body: dict[str, Any], risk_id: UUID) -> Response:
    """Close a risk."""
    result = ledger().close_risk(
        risk_id, request_meta(body.get("reason")), expected_version()
    )
    return written(result, f"/risks/{risk_id}")


@blp.route(ONE + "/reopen", methods=["POST"])
@blp.arguments(EmptyBody, required=False)
@blp.response(200, WrittenSchema)
@problems(blp, 404, 409, 412, 422)
def reopen_risk(body: dict[str, Any], risk_id: UUID) -> Response:
    """Reopen a closed risk."""
    result = ledger().reopen_risk(
        risk_id, request_meta(body.get("reason")), expected_version()
    )
    return written(result, f"/risks/{risk_id}")

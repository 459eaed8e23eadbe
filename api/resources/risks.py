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
    expected_version,
    ledger,
    problems,
    register_page,
    written,
)
from api.resources.routes import command, read_routes
from api.schemas.base import EmptyBody, PageSchema, list_args
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


@command(blp, "/projects/<uuid:project_id>/risks", RiskIdentification, status=201)
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


read_routes(blp, ONE, Risk, "risk")


@command(blp, ONE + "/assessments", RiskAssessment, status=201)
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


@command(blp, ONE + "/responses", RiskResponse, status=201)
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


@command(blp, ONE + "/close", EmptyBody, required=False)
def close_risk(body: dict[str, Any], risk_id: UUID) -> Response:
    """Close a risk."""
    result = ledger().close_risk(
        risk_id, request_meta(body.get("reason")), expected_version()
    )
    return written(result, f"/risks/{risk_id}")


@command(blp, ONE + "/reopen", EmptyBody, required=False)
def reopen_risk(body: dict[str, Any], risk_id: UUID) -> Response:
    """Reopen a closed risk."""
    result = ledger().reopen_risk(
        risk_id, request_meta(body.get("reason")), expected_version()
    )
    return written(result, f"/risks/{risk_id}")

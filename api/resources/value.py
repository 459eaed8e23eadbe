"""Benefits, finance and resources read together; a project's cost tolerance.

The figures come from the benefits, budget and resource registers (as at any
moment, after any position); the colours are suggestions beside the RAG a
project reports (`usecases/value_rag.py` says how they are worked out).
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from flask import Response, jsonify
from flask_smorest import Blueprint
from marshmallow import fields, validate

from api.access import reach
from api.auth import request_meta
from api.context import services
from api.resources.common import expected_version, problems, written
from api.resources.routes import command
from api.schemas.base import Body, Open, ReadArgs, Text
from usecases import resources, value

blp = Blueprint(
    "value",
    __name__,
    url_prefix="/api/v1",
    description="Benefits, finance and resources: figures and suggested RAG",
)
ONE = "/projects/<project:project_id>"
MONTH = validate.Regexp(r"^\d{4}-(0[1-9]|1[0-2])$", error="must be YYYY-MM")


class CostTolerance(Body):
    """How far (percent of budget) the forecast may pass the budget."""

    percent = Text(
        required=True,
        validate=validate.Regexp(r"^\d{1,3}(\.\d{1,2})?$"),
        metadata={"example": "10"},
    )


class ResourceArgs(ReadArgs):
    """The months to show (default: every month anything is planned in)."""

    from_ = Text(load_default=None, validate=MONTH, data_key="from")
    to = Text(load_default=None, validate=MONTH)


class FiguresSchema(Open):
    """Figures read from the registers, with any suggested RAG."""

    as_of = fields.String(allow_none=True)


@command(blp, ONE + "/cost-tolerance", CostTolerance)
def set_cost_tolerance(body: dict[str, Any], project_id: UUID) -> Response:
    """Set a project's cost tolerance (percent of its budget)."""
    result = value.set_cost_tolerance(
        services(),
        value.SetCostTolerance(project_id, body["percent"], expected_version()),
        request_meta(body["reason"]),
    )
    return written(result, f"/projects/{project_id}")


@blp.route(ONE + "/finance", methods=["GET"])
@blp.arguments(ReadArgs, location="query")
@blp.response(200, FiguresSchema)
@problems(blp, 404, 422, 503)
def project_finance(args: dict[str, Any], project_id: UUID) -> Response:
    """A project's budget lines, totals per currency, variance, suggested cost RAG."""
    query = value.ValueQuery(project_id, args["as_of"], args["min_position"])
    return jsonify(value.finance(services(), query))


@blp.route(ONE + "/benefits/figures", methods=["GET"])
@blp.arguments(ReadArgs, location="query")
@blp.response(200, FiguresSchema)
@problems(blp, 404, 422, 503)
def project_benefit_figures(args: dict[str, Any], project_id: UUID) -> Response:
    """A project's benefits: planned against measured, suggested benefits RAG."""
    query = value.ValueQuery(project_id, args["as_of"], args["min_position"])
    return jsonify(value.project_benefits(services(), query))


@blp.route("/portfolio/benefits", methods=["GET"])
@blp.arguments(ReadArgs, location="query")
@blp.response(200, FiguresSchema)
@problems(blp, 422, 503)
def portfolio_benefits(args: dict[str, Any]) -> Response:
    """Every project's benefits, planned against measured, with totals per unit."""
    query = value.PortfolioQuery(args["as_of"], args["min_position"], reach())
    return jsonify(value.portfolio_benefits(services(), query))


@blp.route("/portfolio/resources", methods=["GET"])
@blp.arguments(ResourceArgs, location="query")
@blp.response(200, FiguresSchema)
@problems(blp, 422, 503)
def portfolio_resources(args: dict[str, Any]) -> Response:
    """Demand against capacity per role and month, over-allocation flagged."""
    query = resources.ResourceQuery(
        args["from_"], args["to"], args["as_of"], args["min_position"]
    )
    return jsonify(resources.resource_picture(services(), query))

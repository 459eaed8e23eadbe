"""The PMO head's portfolio view: every section, as at any moment, in one read."""

from __future__ import annotations

from typing import Any

from flask import Response, jsonify
from flask_smorest import Blueprint
from marshmallow import fields, validate

from api.access import reach
from api.context import services
from api.resources.common import problems
from api.schemas.base import Open, ReadArgs
from usecases import portfolio

blp = Blueprint(
    "portfolio",
    __name__,
    url_prefix="/api/v1",
    description="The portfolio as the PMO head reads it",
)


class PortfolioArgs(ReadArgs):
    """How old a last report may be before it is stale; how many risks to show;
    how many days ahead a contract's end counts as soon."""

    stale_days = fields.Integer(
        load_default=portfolio.STALE_DAYS, validate=validate.Range(1, 366)
    )
    top_risks = fields.Integer(
        load_default=portfolio.TOP_RISKS, validate=validate.Range(1, 100)
    )
    ending_within = fields.Integer(
        load_default=portfolio.ENDING_WITHIN, validate=validate.Range(0, 3660)
    )


class PortfolioSchema(Open):
    """Each section of the portfolio view, for the projects the caller reaches."""

    as_of = fields.String(allow_none=True)


@blp.route("/portfolio", methods=["GET"])
@blp.arguments(PortfolioArgs, location="query")
@blp.response(200, PortfolioSchema)
@problems(blp, 422, 503)
def portfolio_view(args: dict[str, Any]) -> Response:
    """RAG reported and suggested, top risks, troubled dependencies and more."""
    query = portfolio.PortfolioQuery(
        reach(),
        args["as_of"],
        args["min_position"],
        args["stale_days"],
        args["top_risks"],
        args["ending_within"],
    )
    return jsonify(portfolio.portfolio(services(), query))

"""Planning reads: schedules, suggested RAG and the portfolio's dependencies."""

from __future__ import annotations

import dataclasses
from typing import Any
from uuid import UUID

from flask import Response, jsonify
from flask_smorest import Blueprint
from marshmallow import fields, validate

from api.access import reach
from api.context import services
from api.resources.common import problems
from api.schemas.base import Open, ReadArgs
from service.domain.dependency import STANDINGS
from usecases import plans, suggested
from usecases.reads import plain

blp = Blueprint(
    "planning",
    __name__,
    url_prefix="/api/v1",
    description="Schedules, slippage, dependencies and suggested RAG",
)


class DependencyArgs(ReadArgs):
    """The portfolio's dependencies as at a moment, optionally in one state."""

    state = fields.String(load_default=None, validate=validate.OneOf(STANDINGS))


class ScheduleSchema(Open):
    """Milestones against the plan baselines, and dependencies with their state."""

    project_id = fields.String(required=True)
    on = fields.String(required=True)
    tolerance_days = fields.Integer(required=True)
    baseline = fields.Dict(allow_none=True, required=True)
    baselines = fields.List(fields.Dict(), required=True)
    milestones = fields.List(fields.Dict(), required=True)
    dependencies = fields.List(fields.Dict(), required=True)


class SuggestionSchema(Open):
    """A suggested colour (null: nothing to judge by) and why."""

    colour = fields.String(allow_none=True, required=True)
    reasons = fields.List(fields.String(), required=True)


class SuggestionsSchema(Open):
    """The colours the registers suggest, by RAG dimension."""

    time = fields.Nested(SuggestionSchema)


class DependenciesSchema(Open):
    """Every dependency between projects, with its state on the day asked."""

    items = fields.List(fields.Dict(), required=True)


@blp.route("/projects/<project:project_id>/schedule", methods=["GET"])
@blp.arguments(ReadArgs, location="query")
@blp.response(200, ScheduleSchema)
@problems(blp, 404, 422, 503)
def project_schedule(args: dict[str, Any], project_id: UUID) -> Response:
    """A project's milestones with slippage against each baseline, and dependencies."""
    query = plans.ScheduleQuery(project_id, args["as_of"], args["min_position"])
    found = plans.schedule(services(), query)
    return jsonify(plain(dataclasses.asdict(found)))


@blp.route("/projects/<project:project_id>/suggested-rag", methods=["GET"])
@blp.arguments(ReadArgs, location="query")
@blp.response(200, SuggestionsSchema)
@problems(blp, 404, 422, 503)
def suggested_rag(args: dict[str, Any], project_id: UUID) -> Response:
    """The RAG colours the registers suggest for a project, with the reasons."""
    query = suggested.SuggestionsQuery(project_id, args["as_of"], args["min_position"])
    found = suggested.suggestions(services(), query)
    return jsonify({d: dataclasses.asdict(s) for d, s in found.items()})


@blp.route("/portfolio/dependencies", methods=["GET"])
@blp.arguments(DependencyArgs, location="query")
@blp.response(200, DependenciesSchema)
@problems(blp, 422, 503)
def portfolio_dependencies(args: dict[str, Any]) -> Response:
    """Every dependency of one project on another's milestone, with its state."""
    query = plans.PortfolioDependenciesQuery(
        args["as_of"], args["state"], args["min_position"]
    )
    rows = plans.portfolio_dependencies(services(), query)
    return jsonify(items=reach().projects(rows, key="project_id"))

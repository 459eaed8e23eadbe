"""Quality policy, review records, lessons library, overdue actions, contracts, links.

The registers themselves (reviews, stakeholders, communications, messages,
lessons, actions, diary, contracts, links) are declared and routed like every
register; these are the reads across them and the quality policy.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from flask import Response, jsonify
from flask_smorest import Blueprint
from marshmallow import fields, validate

from api.auth import request_meta
from api.context import services
from api.resources.common import problems, written
from api.resources.routes import command
from api.schemas.base import Body, Open, ReadArgs, Text
from service.domain.lesson import CATEGORIES, STATUSES
from usecases import control

blp = Blueprint(
    "control",
    __name__,
    url_prefix="/api/v1",
    description="Quality policy and review records, the lessons library, overdue "
    "actions, contracts ending, links between entries",
)


class QualityRule(Body):
    """Whether a document type's versions need a signed-off quality review."""

    doc_type = Text(required=True, validate=validate.Length(min=1, max=100))
    required = fields.Boolean(required=True)


class LessonArgs(ReadArgs):
    """Words to find in any text of a lesson, a category and a status."""

    q = Text(load_default=None, validate=validate.Length(max=200))
    category = fields.String(load_default=None, validate=validate.OneOf(CATEGORIES))
    status = fields.String(load_default=None, validate=validate.OneOf(STATUSES))


class WithinArgs(ReadArgs):
    """How many days ahead to look."""

    within = fields.Integer(load_default=30, validate=validate.Range(min=0, max=3660))


class ItemsSchema(Open):
    """Rows read from the registers, as at a moment."""

    as_of = fields.String(allow_none=True)
    items = fields.List(fields.Dict(), required=True)


class PolicySchema(Open):
    """Each document type's rule, as at a moment."""

    as_of = fields.String(allow_none=True)
    required = fields.Dict(keys=fields.String(), values=fields.Boolean())


class RecordSchema(Open):
    """A document's quality review record, version by version."""

    document_id = fields.String(required=True)
    versions = fields.List(fields.Dict(), required=True)


class LinksSchema(Open):
    """What an entry links to and what links to it."""

    entry_id = fields.String(required=True)
    links_from = fields.List(fields.Dict(), required=True)
    links_to = fields.List(fields.Dict(), required=True)


@command(blp, "/quality-policy", QualityRule)
def set_quality_rule(body: dict[str, Any]) -> Response:
    """Require (or stop requiring) a signed-off review before approval of a type."""
    result = control.set_quality_rule(
        services(),
        control.SetQualityRule(body["doc_type"], body["required"]),
        request_meta(body.get("reason")),
    )
    return written(result, "/quality-policy")


@blp.route("/quality-policy", methods=["GET"])
@blp.arguments(ReadArgs, location="query")
@blp.response(200, PolicySchema)
@problems(blp, 422, 503)
def quality_policy(args: dict[str, Any]) -> Response:
    """The document types whose versions need a signed-off review (now or as at)."""
    query = control.AsOf(args["as_of"], args["min_position"])
    return jsonify(control.quality_policy(services(), query))


@blp.route("/documents/<uuid:document_id>/quality-reviews", methods=["GET"])
@blp.arguments(ReadArgs, location="query")
@blp.response(200, RecordSchema)
@problems(blp, 404, 422, 503)
def document_quality_reviews(args: dict[str, Any], document_id: UUID) -> Response:
    """Each version of a document with its quality reviews (now or as at)."""
    query = control.AsOf(args["as_of"], args["min_position"])
    return jsonify(control.document_reviews(services(), document_id, query))


@blp.route("/lessons/search", methods=["GET"])
@blp.arguments(LessonArgs, location="query")
@blp.response(200, ItemsSchema)
@problems(blp, 422, 503)
def search_lessons(args: dict[str, Any]) -> Response:
    """Lessons of every project by words and category (accepted: the library)."""
    query = control.LessonSearch(
        args["q"], args["category"], args["status"], args["as_of"], args["min_position"]
    )
    return jsonify(control.search_lessons(services(), query))


@blp.route("/actions/overdue", methods=["GET"])
@blp.arguments(ReadArgs, location="query")
@blp.response(200, ItemsSchema)
@problems(blp, 422, 503)
def overdue_actions(args: dict[str, Any]) -> Response:
    """Open actions past their due date, across the portfolio (now or as at)."""
    query = control.Watch(None, 0, args["as_of"], args["min_position"])
    return jsonify(control.overdue_actions(services(), query))


@blp.route("/projects/<project:project_id>/actions/overdue", methods=["GET"])
@blp.arguments(ReadArgs, location="query")
@blp.response(200, ItemsSchema)
@problems(blp, 404, 422, 503)
def project_overdue_actions(args: dict[str, Any], project_id: UUID) -> Response:
    """A project's open actions past their due date (now or as at)."""
    query = control.Watch(project_id, 0, args["as_of"], args["min_position"])
    return jsonify(control.overdue_actions(services(), query))


@blp.route("/contracts/ending", methods=["GET"])
@blp.arguments(WithinArgs, location="query")
@blp.response(200, ItemsSchema)
@problems(blp, 422, 503)
def contracts_ending(args: dict[str, Any]) -> Response:
    """Awarded or active contracts ending within N days, across the portfolio."""
    query = control.Watch(None, args["within"], args["as_of"], args["min_position"])
    return jsonify(control.contracts_ending(services(), query))


@blp.route("/projects/<project:project_id>/contracts/ending", methods=["GET"])
@blp.arguments(WithinArgs, location="query")
@blp.response(200, ItemsSchema)
@problems(blp, 404, 422, 503)
def project_contracts_ending(args: dict[str, Any], project_id: UUID) -> Response:
    """A project's awarded or active contracts ending within N days."""
    query = control.Watch(
        project_id, args["within"], args["as_of"], args["min_position"]
    )
    return jsonify(control.contracts_ending(services(), query))


@blp.route(
    "/projects/<project:project_id>/entries/<uuid:entry_id>/links", methods=["GET"]
)
@blp.arguments(ReadArgs, location="query")
@blp.response(200, LinksSchema)
@problems(blp, 422, 503)
def entry_links(args: dict[str, Any], project_id: UUID, entry_id: UUID) -> Response:
    """What an entry (or document) links to and what links to it (now or as at)."""
    query = control.LinksQuery(
        entry_id, project_id, args["as_of"], args["min_position"]
    )
    return jsonify(control.entry_links(services(), query))

"""Who reaches what: memberships and clearances (PMO head), and who could read."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from flask import Response, jsonify
from marshmallow import fields

from api.auth import request_meta
from api.context import services
from api.resources.common import Blueprint, problems, written
from api.resources.routes import command
from api.schemas.base import Body, Open, PageSchema, ReadArgs, choice, text
from service.domain.document import Document
from service.domain.membership import CLEARANCES, PROJECT_ROLES
from service.domain.project import Project
from usecases import membership
from usecases.reads import plain

blp = Blueprint(
    "memberships",
    __name__,
    url_prefix="/api/v1",
    description="Project memberships and document clearances",
)

SUBJECT_HELP = "token:<token id>, or oidc:<subject at the identity provider>"


class Subject(Body):
    """Whose access: a token's, or a person's at the identity provider."""

    subject = text(310, metadata={"description": SUBJECT_HELP})


class MembershipBody(Subject):
    """A project (null: every project) and the role held in it."""

    project_id = fields.UUID(required=True, allow_none=True)
    role = choice(PROJECT_ROLES)


class MembershipEnd(Subject):
    """The project whose membership ends (null: the portfolio-wide one)."""

    project_id = fields.UUID(required=True, allow_none=True)


class ClearanceBody(Subject):
    """The highest classification the person may read."""

    clearance = choice(CLEARANCES)


class ReadersSchema(Open):
    """Who could read something at the moment asked."""

    items = fields.List(fields.Dict(), required=True)


@command(blp, "/access/memberships", MembershipBody, codes=(404, 409, 422))
def grant_membership(body: dict[str, Any]) -> Response:
    """Make a person a member of a project (or of every project) in a role."""
    result = membership.grant_membership(
        services(),
        membership.GrantMembership(body["subject"], body["project_id"], body["role"]),
        request_meta(body["reason"]),
    )
    return written(result, "/access/people")


@command(blp, "/access/memberships/revoke", MembershipEnd, codes=(404, 409, 422))
def revoke_membership(body: dict[str, Any]) -> Response:
    """End a person's membership of a project; their UI sessions end at once."""
    result = membership.revoke_membership(
        services(),
        membership.RevokeMembership(body["subject"], body["project_id"]),
        request_meta(body["reason"]),
    )
    return written(result, "/access/people")


@command(blp, "/access/clearances", ClearanceBody, codes=(409, 422))
def set_clearance(body: dict[str, Any]) -> Response:
    """Set a person's clearance; lowering it ends their UI sessions at once."""
    result = membership.set_clearance(
        services(),
        membership.SetClearance(body["subject"], body["clearance"]),
        request_meta(body["reason"]),
    )
    return written(result, "/access/people")


@blp.route("/access/people", methods=["GET"])
@blp.response(200, PageSchema)
@problems(blp)
def people() -> Response:
    """Every token and person: role, projects with their roles, clearance."""
    return jsonify(items=membership.people(services()), next_cursor=None)


def _readers(kind: type, entity_id: UUID, args: dict[str, Any]) -> Response:
    found = membership.readers(
        services(), membership.ReadersQuery(entity_id, args["as_of"], kind)
    )
    return jsonify(items=[plain(reader) for reader in found])


@blp.route("/projects/<project:project_id>/readers", methods=["GET"])
@blp.arguments(ReadArgs, location="query")
@blp.response(200, ReadersSchema)
@problems(blp, 404, 422)
def project_readers(args: dict[str, Any], project_id: UUID) -> Response:
    """Who could read a project, now or on the date asked."""
    return _readers(Project, project_id, args)


@blp.route("/documents/<uuid:document_id>/readers", methods=["GET"])
@blp.arguments(ReadArgs, location="query")
@blp.response(200, ReadersSchema)
@problems(blp, 404, 422)
def document_readers(args: dict[str, Any], document_id: UUID) -> Response:
    """Who could read a document (membership and clearance), now or then."""
    return _readers(Document, document_id, args)

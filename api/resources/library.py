"""The PMO library: the office's documents, starting from a template, nominating."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from flask import Response, jsonify
from marshmallow import fields, validate

from api.access import reach
from api.auth import request_meta
from api.context import services
from api.resources.common import Blueprint, expected_version, problems, written
from api.resources.documents import check_clearance
from api.resources.routes import command
from api.schemas.base import Body, Open, ReadArgs, choice, text
from api.schemas.documents import DocumentRegistration
from service.library import LIBRARY_TYPES
from usecases import library

blp = Blueprint(
    "library",
    __name__,
    url_prefix="/api/v1",
    description="The PMO library: terms of reference, the governance framework, "
    "guidelines, procedures, templates, good project documentation, issued reports",
)


class LibraryDocument(DocumentRegistration):
    """A document of the office itself: one of the kinds the library holds."""

    doc_type = choice(LIBRARY_TYPES)


class FromTemplate(DocumentRegistration):
    """A project document begun from a library template's version."""

    template_id = fields.UUID(required=True)
    number = fields.Integer(
        load_default=None, strict=True, validate=validate.Range(min=1)
    )
    """The template's version; by default its approved one."""


class Nomination(Body):
    """A project document's version put forward for the good-practice repository."""

    title = text(200)
    retention_class = fields.String(
        load_default="deliverable", validate=validate.Length(min=1, max=100)
    )


class LibrarySchema(Open):
    """The library's documents by kind, and the reports issued."""

    kinds = fields.List(fields.String())
    documents = fields.Dict()
    reports = fields.List(fields.Dict())


@command(blp, "/library/documents", LibraryDocument, status=201)
def register_library_document(body: dict[str, Any]) -> Response:
    """Register one of the office's documents; every custody rule applies to it."""
    check_clearance(body["classification"])
    result = library.register_library_document(
        services(),
        library.RegisterLibraryDocument(
            body["title"],
            body["doc_type"],
            body["classification"],
            body["retention_class"],
            body["owner"],
        ),
        request_meta(body["reason"]),
    )
    return written(result, f"/documents/{result.id}", created=True)


@command(
    blp,
    "/projects/<project:project_id>/documents/from-template",
    FromTemplate,
    status=201,
)
def start_from_template(body: dict[str, Any], project_id: UUID) -> Response:
    """Begin a project document whose first version is a template's approved one."""
    check_clearance(body["classification"])
    result = library.start_from_template(
        services(),
        library.StartFromTemplate(
            project_id,
            body["template_id"],
            body["title"],
            body["doc_type"],
            body["classification"],
            body["retention_class"],
            body["owner"],
            body["number"],
            expected_project_version=expected_version(),
        ),
        request_meta(body["reason"]),
    )
    return written(result, f"/documents/{result.id}", created=True)


@command(
    blp,
    "/documents/<uuid:document_id>/versions/<int:number>/nominate",
    Nomination,
    status=201,
)
def nominate_version(body: dict[str, Any], document_id: UUID, number: int) -> Response:
    """Nominate a version for the repository of good project documentation."""
    result = library.nominate(
        services(),
        library.Nominate(document_id, number, body["title"], body["retention_class"]),
        request_meta(body["reason"]),
    )
    return written(result, f"/documents/{result.id}", created=True)


@blp.route("/library", methods=["GET"])
@blp.arguments(ReadArgs, location="query")
@blp.response(200, LibrarySchema)
@problems(blp, 422, 503)
def get_library(args: dict[str, Any]) -> Response:
    """The library's documents by kind and the issued reports, now or at a moment."""
    query = library.LibraryQuery(reach(), args["as_of"], args["min_position"])
    return jsonify(library.library(services(), query))

"""Registering a project (on the dashboard) and a document (on a project's
documents page) from the UI, for the roles the API lets register them; the
registrar's clearance bounds the classification, as in the API."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from flask import abort, flash, redirect, url_for
from werkzeug.wrappers import Response

from api.access import reach
from api.schemas.documents import DocumentRegistration
from api.schemas.registers import ProjectRegistration
from api.ui.common import blueprint, services
from api.ui.custody import documents_page, may_post
from api.ui.dashboard import dashboard_page
from api.ui.forms import at_most_once
from api.ui.posted import answer, typed
from service.application import Written
from service.domain.base import InvalidValueError, Meta
from usecases import documents, projects

PROJECT = "projects.register_project"
DOCUMENT = "documents.register_document"
PROJECT_FIELDS = ("code", "name", "description", "sponsor", "manager")
DOCUMENT_FIELDS = ("title", "doc_type", "classification", "retention_class", "owner")


@blueprint.post("/projects")
def register_project() -> Response:
    """Register a project under a unique code; on to its page."""
    if not may_post(PROJECT):
        abort(403, "your role may not register a project")

    def record(_: int | None, meta: Meta) -> Written:
        body = ProjectRegistration().load(typed(PROJECT_FIELDS, meta))
        command = projects.RegisterProject(*(body[n] for n in PROJECT_FIELDS))
        return projects.register_project(services(), command, meta)

    def done(written: Written) -> Response:
        flash("Registered the project.")
        return redirect(url_for("ui.project", project_id=written.id), 303)

    return at_most_once(lambda: answer("project", record, dashboard_page, done))


@blueprint.post("/projects/<project:project_id>/documents")
def register_document(project_id: UUID) -> Response:
    """Register a configuration item in an open project; on to its page."""
    if not may_post(DOCUMENT):
        abort(403, "your role may not register a document")

    def record(_: int | None, meta: Meta) -> Written:
        body = DocumentRegistration().load(typed(DOCUMENT_FIELDS, meta))
        if not reach().cleared_for(body["classification"]):
            message = f"above your clearance ({reach().clearance})"
            raise InvalidValueError("classification", message)
        command = documents.RegisterDocument.of(project_id, body)
        return documents.register_document(services(), command, meta)

    def again(posted: Any) -> str:
        return documents_page(project_id, posted)

    def done(written: Written) -> Response:
        flash("Registered the document.")
        return redirect(url_for("ui.document", document_id=written.id), 303)

    return at_most_once(lambda: answer("document", record, again, done))

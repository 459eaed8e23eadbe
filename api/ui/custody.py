"""Custody: documents, each version's timeline, the authoritative version, diffs."""

from __future__ import annotations

from uuid import UUID

from flask import Response, abort, request

from api.auth import allowed_roles
from api.resources.content import send_version
from api.ui.common import (
    blueprint,
    page,
    parse_moment,
    principal,
    project_or_404,
    services,
)
from service.diff import DiffNotAvailableError, diff_versions
from service.domain.document import Document


def may(endpoint: str) -> bool:
    """Whether the caller's role may read through the API endpoint of the same data."""
    return principal().role in allowed_roles(endpoint, "GET")


@blueprint.get("/projects/<uuid:project_id>/documents")
def documents(project_id: UUID) -> str:
    """A project's documents: the product status account."""
    project = project_or_404(project_id)
    views = services().views
    rows, cursor = [], None
    while True:
        found = views.list_documents(project_id, as_of=None, after=cursor, limit=200)
        rows += found.items
        if found.next_cursor is None:
            break
        cursor = found.next_cursor
    return page("documents.html", project=project, documents=rows)


@blueprint.get("/documents/<uuid:document_id>")
def document(document_id: UUID) -> str:
    """One document: versions, authoritative now and as at, holds, copies, disposal."""
    views = services().views
    current = views.get_document(document_id)
    if current is None:
        abort(404)
    as_of = parse_moment(request.args.get("as_of"))
    then = views.get_document(document_id, as_of) if as_of else None
    events = list(views.iter_audit(entity_id=document_id))
    disposal = services().ledger.disposal_date(document_id)
    return page(
        "document.html",
        document=current,
        project=project_or_404(current["project_id"]),
        as_of=as_of,
        then=then,
        events=events,
        disposal=disposal,
        may_download=may("content.version_content"),
        args=request.args.to_dict(),
    )


@blueprint.get("/documents/<uuid:document_id>/versions/<int:number>/content")
def download(document_id: UUID, number: int) -> Response:
    """A version's bytes, as the API serves them."""
    if not may("content.version_content"):
        abort(403)
    found = services().ledger.load(Document, document_id, read_only=True)
    if not 1 <= number <= len(found.versions):
        abort(404)
    return send_version(document_id, found.versions[number - 1])


@blueprint.get("/documents/<uuid:document_id>/diff")
def diff(document_id: UUID) -> str:
    """The line differences between two versions, shown as text."""
    current = services().views.get_document(document_id)
    if current is None:
        abort(404)
    old, new = request.args.get("from", ""), request.args.get("to", "")
    if not (old.isdigit() and new.isdigit()):
        abort(400, "choose two version numbers")
    ledger = services().ledger
    try:
        text = diff_versions(
            ledger.blobs,
            ledger.load(Document, document_id, read_only=True),
            int(old),
            int(new),
        )
    except DiffNotAvailableError as error:
        abort(400, str(error))
    return page(
        "diff.html",
        document=current,
        project=project_or_404(current["project_id"]),
        old=int(old),
        new=int(new),
        lines=text.splitlines(),
    )

"""Custody: documents, each version's timeline, the authoritative version, diffs;
which custody forms (api/ui/custody_forms.py) a document's page offers."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from flask import Response, abort, request

from api.access import reach
from api.auth import allowed_roles
from api.resources.content import download as download_version
from api.ui.common import (
    PAGE_SIZES,
    blueprint,
    page,
    page_size,
    parse_moment,
    principal,
    project_or_404,
    services,
)
from api.ui.sidebyside import side_by_side
from service.diff import DiffNotAvailableError
from service.domain.document import CLASSIFICATIONS
from service.domain.register import PORTFOLIO_ID
from usecases import content, control
from usecases.errors import QueryRefusedError
from usecases.retention import ScheduleQuery, schedule

CUSTODY_FORMS = {
    "upload": "documents.submit_version",
    "review": "documents.review_version",
    "approve": "documents.approve_version",
    "withdraw": "documents.withdraw_version",
    "hold": "documents.place_hold",
    "release": "documents.release_hold",
    "copy": "documents.issue_copy",
    "retention": "custody.extend_retention",
    "dispose": "custody.dispose_document",
}
"""Each custody form and the API command whose roles may use it."""
REGISTER = "documents.register_document"


def may(endpoint: str) -> bool:
    """Whether the caller's role may read through the API endpoint of the same data."""
    return principal().role in allowed_roles(endpoint, "GET")


def may_post(endpoint: str) -> bool:
    """Whether the caller's role may run the API command of the same name."""
    return principal().role in allowed_roles(endpoint, "POST")


def offers(document: dict[str, Any]) -> dict[str, bool]:
    """Which custody forms the page shows the caller (none once disposed of)."""
    active = document["status"] == "active"
    return {name: active and may_post(e) for name, e in CUSTODY_FORMS.items()}


@blueprint.get("/projects/<project:project_id>/documents")
def documents(project_id: UUID) -> str:
    """A project's documents: the product status account."""
    return documents_page(project_id)


def documents_page(project_id: UUID, posted: Any = None) -> str:
    """The documents page; `posted` is a registration that came back unrecorded."""
    project = project_or_404(project_id)
    query = content.DocumentsQuery(
        project_id, after=request.args.get("after") or None, limit=page_size()
    )
    try:
        found = content.list_documents(services(), query)
    except QueryRefusedError as error:
        abort(400, str(error))
    return page(
        "documents.html",
        project=project,
        # Above the caller's clearance a document is not there (the page may be short).
        documents=reach().documents(found.items),
        next_cursor=found.next_cursor,
        sizes=PAGE_SIZES,
        size=page_size(),
        may_register=project["status"] == "open" and may_post(REGISTER),
        classifications=[c for c in CLASSIFICATIONS if reach().cleared_for(c)],
        retention_classes=sorted(schedule(services(), ScheduleQuery())["classes"]),
        posted=posted,
    )


@blueprint.get("/documents/<uuid:document_id>")
def document(document_id: UUID) -> str:
    """One document: versions, authoritative now and as at, holds, copies, disposal."""
    return document_page(document_id)


def document_page(document_id: UUID, posted: Any = None) -> str:
    """The document's page; `posted` is a custody form that came back unrecorded."""
    as_of = parse_moment(request.args.get("as_of"))
    query = content.DocumentQuery(document_id, as_of)
    found = content.document_record(services(), query)
    owner = UUID(str(found.current["project_id"]))
    return page(
        "document.html",
        document=found.current,
        # The library's documents are the office's own: no project to name.
        project=None if owner == PORTFOLIO_ID else project_or_404(owner),
        may_nominate=owner != PORTFOLIO_ID
        and principal().role in allowed_roles("library.nominate_version", "POST"),
        as_of=as_of,
        then=found.then,
        events=found.events,
        disposal=found.disposal,
        schedule=found.schedule,
        may_download=may("content.version_content"),
        args=request.args.to_dict(),
        offers=offers(found.current),
        posted=posted,
        conflict=conflict_of(found.current, found.events),
        reviews=control.document_reviews(services(), document_id, control.AsOf(as_of)),
        links=control.entry_links(
            services(),
            control.LinksQuery(document_id, owner),
        ),
    )


def conflict_of(
    current: dict[str, Any], events: list[dict[str, Any]]
) -> dict[str, Any] | None:
    """Who last changed the document, and when: what a stale form is shown."""
    return {**events[-1], "version": current["version"]} if events else None


@blueprint.get("/documents/<uuid:document_id>/versions/<int:number>/content")
def download(document_id: UUID, number: int) -> Response:
    """A version's bytes, as the API serves them (recorded as a copy issued)."""
    if not may("content.version_content"):
        abort(403)
    return download_version(document_id, number)


@blueprint.get("/documents/<uuid:document_id>/diff")
def diff(document_id: UUID) -> str:
    """The line differences between two versions, shown as text."""
    current = content.get_document(services(), content.DocumentQuery(document_id))
    old, new = request.args.get("from", ""), request.args.get("to", "")
    if not (old.isdigit() and new.isdigit()):
        abort(400, "choose two version numbers")
    try:
        text = content.diff(
            services(), content.DiffQuery(document_id, int(old), int(new))
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
        rows=side_by_side(text),
    )

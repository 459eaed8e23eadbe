"""The PMO library: the office's documents, templates, good practice, issued reports.

The library's documents are the office's own (`service.library`); every
custody command (versions, review, approval, copies, holds, retention,
disposal) reaches them through `usecases.documents` unchanged. Here: register
one, start a project document from a template, nominate a project document's
version into the repository of good project documentation, and read the
library (its documents by kind and the reports the projects have issued).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from service.application import Written
from service.domain.base import Meta
from service.domain.document import Document
from service.domain.register import PORTFOLIO_ID
from service.library import GOOD_PRACTICE, LIBRARY_TYPES, Derivation
from usecases.issued import ReportsQuery, list_reports
from usecases.membership import Reach
from usecases.projects import check_project_version
from usecases.reads import as_aware, query_views, wait_for_position
from usecases.root import Services

PAGE = 200


@dataclass(frozen=True)
class RegisterLibraryDocument:
    """Register a document of the office itself (a kind the library holds)."""

    title: str
    doc_type: str
    classification: str
    retention_class: str
    owner: str


@dataclass(frozen=True)
class StartFromTemplate:
    """Begin a project document from a template's approved version."""

    project_id: UUID
    template_id: UUID
    title: str
    doc_type: str
    classification: str
    retention_class: str
    owner: str
    number: int | None = None
    """The template's version (default: its approved one)."""
    expected_project_version: int | None = None


@dataclass(frozen=True)
class Nominate:
    """Put a project document's version forward for the good-practice repository."""

    document_id: UUID
    number: int
    title: str
    retention_class: str = "deliverable"


@dataclass(frozen=True)
class LibraryQuery:
    """The library as the caller may see it, now or as at a moment."""

    reach: Reach
    as_of: datetime | None = None
    min_position: int | None = None


def register_library_document(
    services: Services, command: RegisterLibraryDocument, meta: Meta
) -> Written:
    """Register an office document; it then follows every custody rule."""
    return services.app.register_library_document(
        command.title,
        command.doc_type,
        command.classification,
        command.retention_class,
        command.owner,
        meta,
    )


def start_from_template(
    services: Services, command: StartFromTemplate, meta: Meta
) -> Written:
    """The new document's first version is the template's; its origin says which."""
    check_project_version(
        services, command.project_id, command.expected_project_version
    )
    number = command.number
    if number is None:
        template = services.app.load(Document, command.template_id, read_only=True)
        approved = template.authoritative
        number = approved.number if approved else len(template.versions) or 1
    return services.app.derive_document(
        Derivation(
            "template",
            command.template_id,
            number,
            command.project_id,
            command.title,
            command.doc_type,
            command.classification,
            command.retention_class,
            command.owner,
        ),
        meta,
    )


def nominate(services: Services, command: Nominate, meta: Meta) -> Written:
    """A draft in the library keeping its link to the original version.

    It is reviewed and approved (accepted into the repository) like any version.
    """
    source = services.app.load(Document, command.document_id, read_only=True)
    return services.app.derive_document(
        Derivation(
            "nominated",
            command.document_id,
            command.number,
            PORTFOLIO_ID,
            command.title,
            GOOD_PRACTICE,
            source.classification,
            command.retention_class,
            meta.actor,
        ),
        meta,
    )


def library(services: Services, query: LibraryQuery) -> dict[str, Any]:
    """The library's documents by kind and every issued report the caller reaches."""
    wait_for_position(services, query.min_position)
    as_of = as_aware(query.as_of) if query.as_of else None
    rows = query.reach.documents(library_documents(services, as_of))
    projects = query.reach.projects(
        query_views(services.views.list_projects, as_of), key="id"
    )
    reports = [
        report | {"code": project["code"], "project_name": project["name"]}
        for project in projects
        for report in list_reports(
            services, ReportsQuery(UUID(str(project["id"])), as_of)
        )
    ]
    reports.sort(key=lambda r: (r["period_end"], r["code"]), reverse=True)
    return {
        "as_of": as_of.isoformat() if as_of else None,
        "kinds": list(LIBRARY_TYPES),
        "documents": {
            kind: [r for r in rows if r["doc_type"] == kind] for kind in LIBRARY_TYPES
        },
        "reports": reports,
    }


def library_documents(
    services: Services, as_of: datetime | None = None
) -> list[dict[str, Any]]:
    """Every document of the office, as at a moment, by title."""
    found: list[dict[str, Any]] = []
    after = None
    while True:
        page = query_views(
            services.views.list_documents,
            PORTFOLIO_ID,
            as_of=as_of,
            after=after,
            limit=PAGE,
        )
        found += page.items
        if page.next_cursor is None:
            return sorted(found, key=lambda r: (r["title"], str(r["id"])))
        after = page.next_cursor

"""Services on each backend, and a project with one document in it."""

from __future__ import annotations

import io
from collections.abc import Iterator
from uuid import UUID

import pytest

from service.config import Settings
from service.domain.base import Meta
from usecases import documents, projects
from usecases.root import Services, build_services

OFFICER = Meta("olivia", "project-officer", "use-case test", "req-1")
CUSTODIAN = Meta("carl", "custodian", "use-case test", "req-2")


@pytest.fixture
def services(settings: Settings) -> Iterator[Services]:
    """Services built through the composition root, closed afterwards."""
    built = build_services(settings)
    try:
        yield built
    finally:
        built.close()


@pytest.fixture
def project_id(services: Services) -> UUID:
    """An open project."""
    command = projects.RegisterProject("UC-1", "Use cases", "d", "sponsor", "manager")
    return projects.register_project(services, command, OFFICER).id


@pytest.fixture
def document_id(services: Services, project_id: UUID) -> UUID:
    """A document with one draft version, b"hello\\n"."""
    command = documents.RegisterDocument(
        project_id, "Brief", "brief", "internal", "project-record", "carl"
    )
    document = documents.register_document(services, command, CUSTODIAN).id
    upload = documents.SubmitVersion(
        document, io.BytesIO(b"hello\n"), "text/plain", "brief.txt"
    )
    documents.submit_version(services, upload, CUSTODIAN)
    return document

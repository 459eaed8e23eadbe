"""Custody fixtures: an application on each event store and each blob backend."""

from __future__ import annotations

import dataclasses
import io
from collections.abc import Iterator
from uuid import UUID

import pytest

from service.app import PmoApplication
from service.config import Settings
from service.domain.base import Meta
from service.domain.document import Document
from usecases.root import Services, build_services

CUSTODIAN = Meta(actor="cara", role="custodian", reason="custody test", request_id="c1")
CONTRIBUTOR = Meta(actor="colin", role="contributor", reason="drafting")


@pytest.fixture(params=("file", "database"))
def blob_backend(request: pytest.FixtureRequest) -> str:
    """Each blob backend in turn."""
    return str(request.param)


@pytest.fixture
def blob_settings(settings: Settings, blob_backend: str) -> Settings:
    """The event store settings with the blob backend under test."""
    return dataclasses.replace(settings, blob_backend=blob_backend)


@pytest.fixture
def services(blob_settings: Settings) -> Iterator[Services]:
    """Services built through the composition root, on both blob backends."""
    built = build_services(blob_settings)
    yield built
    built.close()


@pytest.fixture
def app(services: Services) -> PmoApplication:
    """The application under test (content-bearing tests: both blob backends)."""
    return services.app


@pytest.fixture
def event_app(settings: Settings) -> Iterator[PmoApplication]:
    """The application on the file blob backend, for tests about events only."""
    built = build_services(settings)
    yield built.app
    built.close()


def new_project(app: PmoApplication, code: str = "CUST") -> UUID:
    """An open project."""
    return app.register_project(code, "Custody", "", "Sam", "Max", CUSTODIAN).id


def new_document(
    app: PmoApplication, project_id: UUID, retention_class: str = "working-paper"
) -> UUID:
    """A registered document with no versions."""
    return app.register_document(
        project_id, "Plan", "plan", "internal", retention_class, "Cara", CUSTODIAN
    ).id


def submit(
    app: PmoApplication,
    document_id: UUID,
    body: bytes,
    media_type: str = "text/plain",
    filename: str = "plan.txt",
) -> int:
    """Submit a version with the given bytes; return its number."""
    app.submit_version(
        document_id, io.BytesIO(body), media_type, filename, "", CUSTODIAN
    )
    return len(app.load(Document, document_id).versions)

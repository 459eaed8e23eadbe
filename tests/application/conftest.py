"""An application on each backend."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from service.app import PmoApplication
from service.config import Settings
from service.domain.base import Meta
from usecases.root import Services, build_services


@pytest.fixture
def services(settings: Settings) -> Iterator[Services]:
    """Services built through the composition root."""
    built = build_services(settings)
    yield built
    built.close()


@pytest.fixture
def app(services: Services) -> PmoApplication:
    """The application under test."""
    return services.app


@pytest.fixture
def meta() -> Meta:
    """Metadata of a project officer acting."""
    return Meta(actor="olivia", role="project-officer", reason="test", request_id="r1")

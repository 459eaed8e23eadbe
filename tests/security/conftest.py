"""Fixtures of the security suite: the API and UI apps, and a store with data."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from api import create_app
from tests.api.conftest import Api, api, issue_tokens
from tests.conftest import BACKENDS, settings_for
from tests.ui.conftest import ui
from usecases.imports import LoadDemo, load_demo
from usecases.root import build_services

__all__ = ["api", "demo", "live", "ui"]


@pytest.fixture(scope="module", params=BACKENDS)
def demo(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Api]:
    """The sample PMO on each backend, its read models caught up and following."""
    data_dir = tmp_path_factory.mktemp("demo")
    with settings_for(request.param, data_dir) as settings:
        services = build_services(settings)
        services.runner.start()
        load_demo(services, LoadDemo(issue_reports=False))  # reports: slow to render
        assert services.views.wait_for(services.app.head_position(), 60)
        yield Api(create_app(services=services), issue_tokens(services))
        services.close()


@pytest.fixture(scope="module", params=BACKENDS)
def live(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Api]:
    """An empty store on each backend whose read models follow every write."""
    with settings_for(request.param, tmp_path_factory.mktemp("live")) as settings:
        services = build_services(settings)
        services.runner.start()
        yield Api(create_app(services=services), issue_tokens(services))
        services.close()

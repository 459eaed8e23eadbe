"""Services with the processors running, and a receiver, on each backend."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from api import create_app
from tests.api.conftest import Api, issue_tokens
from tests.api.conftest import api as api  # the module-scoped app per backend
from tests.conftest import settings_for
from tests.feed.receiver import Receiver
from usecases.root import build_services

FAST_RETRIES = {
    "PMO_LEDGER_WEBHOOK_ALLOW": "127.0.0.0/8",
    "PMO_LEDGER_WEBHOOK_RETRY_BASE": "0.02",
    "PMO_LEDGER_WEBHOOK_RETRY_MAX": "0.2",
    "PMO_LEDGER_WEBHOOK_TIMEOUT": "5",
}


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    """A verifying receiver on a free loopback port."""
    found = Receiver()
    yield found
    found.stop()


@contextmanager
def running_api(backend: str, tmp_path: Path, **extra: str) -> Iterator[Api]:
    """An app whose processors (read models, ledger, webhooks) run in threads."""
    with settings_for(
        backend, tmp_path / "data", extra={**FAST_RETRIES, **extra}
    ) as settings:
        services = build_services(settings, start_processors=True)
        try:
            yield Api(create_app(services=services), issue_tokens(services))
        finally:
            services.close()


@pytest.fixture
def live(backend: str, tmp_path: Path) -> Iterator[Api]:
    """A running app on the backend, loopback targets allowed."""
    with running_api(backend, tmp_path) as api:
        yield api

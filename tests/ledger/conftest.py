"""A freshly populated store with a signed ledger, per test and backend."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask.testing import FlaskClient

from api import create_app
from service.config import Settings
from service.domain.base import Meta
from tests.ledger.store import Store, populate


@pytest.fixture
def store(settings: Settings) -> Iterator[Store]:
    """A populated store, two signed heads, on the current backend."""
    built = populate(settings)
    yield built
    built.services.close()


@pytest.fixture
def client(store: Store) -> FlaskClient:
    """The app over the populated store, as an auditor."""
    secret = store.services.app.issue_token(
        "audra", "auditor", Meta("setup", "pmo-head")
    ).secret
    test_client = create_app(services=store.services).test_client()
    test_client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {secret}"
    return test_client

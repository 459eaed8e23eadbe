"""A freshly populated store with a signed ledger, per test and backend."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from service.config import Settings
from tests.ledger.store import Store, populate


@pytest.fixture
def store(settings: Settings) -> Iterator[Store]:
    """A populated store, two signed heads, on the current backend."""
    built = populate(settings)
    yield built
    built.services.close()

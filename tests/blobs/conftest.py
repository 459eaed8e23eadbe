"""Each blob test body runs on files, SQLite and PostgreSQL (required, not skipped)."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from blob_harness import DatabaseHarness, FileHarness, Harness
from psycopg import sql
from sqlalchemy import Engine, create_engine

POSTGRES_URL = os.environ.get(
    "PMO_LEDGER_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test"
)


def pytest_configure(config: pytest.Config) -> None:
    """Register the marker of the 50 MB cases (they run by default, in CI too)."""
    config.addinivalue_line("markers", "large: streams tens of megabytes")


@pytest.fixture
def postgres_engine() -> Iterator[Engine]:
    """An engine whose search_path is a fresh schema, dropped afterwards."""
    schema = f"blobs_{uuid.uuid4().hex}"
    with psycopg.connect(POSTGRES_URL, autocommit=True) as admin:
        admin.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(schema)))
        url = POSTGRES_URL.replace("postgresql://", "postgresql+psycopg://", 1)
        engine = create_engine(url, connect_args={"options": f"-csearch_path={schema}"})
        try:
            yield engine
        finally:
            engine.dispose()
            admin.execute(
                sql.SQL("DROP SCHEMA {} CASCADE").format(sql.Identifier(schema))
            )


@pytest.fixture(params=["files", "sqlite", "postgresql"])
def harness(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Harness]:
    """The same test body on each backend."""
    if request.param == "files":
        yield FileHarness(tmp_path / "blobs")
    elif request.param == "sqlite":
        engine = create_engine(f"sqlite:///{tmp_path / 'blobs.db'}")
        yield DatabaseHarness(engine)
        engine.dispose()
    else:
        yield DatabaseHarness(request.getfixturevalue("postgres_engine"))

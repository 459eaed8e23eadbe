"""Fixtures shared by every layer: settings for each persistence backend."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
import pytest

from service.config import Settings

PG_DSN = "postgresql://postgres@127.0.0.1:5432/test"
BACKENDS = ("sqlite", "postgres")
OWNERS = ("project", "library")
"""Where a document in custody lives: a project, or the PMO library."""


@contextmanager
def postgres_schema() -> Iterator[str]:
    """A fresh PostgreSQL schema, dropped afterwards; fails if PostgreSQL is down."""
    name = f"t_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(PG_DSN, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {name}")
    try:
        yield name
    finally:
        with psycopg.connect(PG_DSN, autocommit=True) as conn:
            conn.execute(f"DROP SCHEMA {name} CASCADE")


@contextmanager
def settings_for(
    backend: str, data_dir: Path, **overrides: object
) -> Iterator[Settings]:
    """Settings on the given backend with an isolated data dir or schema."""
    data_dir.mkdir(parents=True, exist_ok=True)
    if backend == "sqlite":
        url = f"sqlite:///{data_dir}/events.db"
        yield Settings(data_dir=data_dir, database_url=url, **overrides)
        return
    with postgres_schema() as schema:
        url = f"{PG_DSN}?schema={schema}"
        yield Settings(data_dir=data_dir, database_url=url, **overrides)


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    """Each persistence backend in turn."""
    return str(request.param)


@pytest.fixture
def settings(backend: str, tmp_path: Path) -> Iterator[Settings]:
    """Settings for an empty store on the current backend."""
    with settings_for(backend, tmp_path / "data") as value:
        yield value


@pytest.fixture(params=OWNERS)
def owner(request: pytest.FixtureRequest) -> str:
    """Each place a document lives in turn (custody's rules are the same)."""
    return str(request.param)

"""Services on each backend, a seeded workload, and table comparison helpers."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import Engine, select

from projections.processing import Processor
from projections.read_model import ReadModel
from service.app import PmoApplication
from service.config import Settings
from service.domain.base import Meta
from tests.projections.workload import Workload
from usecases.root import Services, build_services


@pytest.fixture
def services(settings: Settings) -> Iterator[Services]:
    """Services built through the composition root (processors not started)."""
    built = build_services(settings)
    yield built
    built.close()


@pytest.fixture
def app(services: Services) -> PmoApplication:
    """The application under test."""
    return services.app


@pytest.fixture
def meta() -> Meta:
    """A project officer acting."""
    return Meta("olivia", "project-officer", "test", "req-1")


def workload(app: PmoApplication, events: int, seed: int = 7) -> Workload:
    """Run a seeded workload of at least `events` events."""
    load = Workload(app, seed)
    load.run(events)
    return load


def processor(
    services: Services, cls: type[ReadModel], generation: int = 1, batch: int = 500
) -> Processor:
    """A processor for one generation, its tables in place."""
    app = services.app
    made = Processor(
        cls(generation), services.views_engine, app.recorder, app.mapper, batch
    )
    made.ensure_tables()
    return made


def dump(engine: Engine, model: ReadModel) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table of one generation, by table suffix, in key order."""
    prefix = f"{model.name}_g{model.generation}"
    tables: dict[str, list[tuple[Any, ...]]] = {}
    with engine.connect() as conn:
        for table in model.metadata.sorted_tables:
            key = list(table.primary_key.columns)
            rows = conn.execute(select(table).order_by(*key)).all()
            tables[table.name.removeprefix(prefix)] = [tuple(r) for r in rows]
    return tables

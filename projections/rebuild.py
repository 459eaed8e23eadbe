"""Rebuild a read model as a new generation beside the live one, then switch."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from eventsourcing.persistence import ApplicationRecorder, Mapper
from sqlalchemy import Engine, func, select

from projections import catalog
from projections.engine import writing
from projections.processing import Processor, ReadModel
from projections.runner import exclusive

# Larger than a live processor's: fewer transactions and more rows per executemany.
REBUILD_BATCH = 5000


def building_generation(engine: Engine, name: str) -> tuple[int, bool]:
    """The generation to build and whether an interrupted build is resumed."""
    catalog.create(engine)
    with engine.connect() as conn:
        live = catalog.active_generation(conn, name)
        rows = [r for r in catalog.read_all(conn) if r.name == name]
        newest = conn.execute(
            select(func.max(catalog.tracking.c.generation)).where(
                catalog.tracking.c.name == name
            )
        ).scalar()
    for row in rows:
        if row.state == "building" and row.generation != live:
            return row.generation, True
    return max(newest or 0, live or 0) + 1, False


def prepare(
    cls: type[ReadModel],
    engine: Engine,
    recorder: ApplicationRecorder,
    mapper: Mapper[Any],
    batch_size: int = REBUILD_BATCH,
) -> tuple[Processor, bool]:
    """A processor for the generation to build, its tables created; and resumed?"""
    generation, resumed = building_generation(engine, cls.name)
    processor = Processor(cls(generation), engine, recorder, mapper, batch_size)
    processor.ensure_tables(state="building")
    return processor, resumed


def rebuild(
    cls: type[ReadModel],
    engine: Engine,
    recorder: ApplicationRecorder,
    mapper: Mapper[Any],
    *,
    progress: Callable[[int], None] | None = None,
    batch_size: int = REBUILD_BATCH,
    stop: threading.Event | None = None,
) -> int | None:
    """Build (or resume building) a new generation, make it live, drop the old one.

    Returns the new live generation, or None if another rebuild of the same
    model holds the lock and `stop` was set while waiting.
    """
    stop = stop or threading.Event()
    with exclusive(engine, f"{cls.name}:rebuild", stop) as granted:
        if not granted:
            return None
        processor, _resumed = prepare(cls, engine, recorder, mapper, batch_size)
        processor.catch_up(progress)
        switch(processor)
        return processor.model.generation


def switch(processor: Processor) -> None:
    """Make a caught-up generation live and drop the generation it replaces."""
    cls = type(processor.model)
    generation = processor.model.generation
    # Readers move to the new tables only once they hold everything the old did.
    processor.catch_up()
    with writing(processor.engine) as conn:
        old = catalog.switch(conn, cls.name, generation)
    if old is None or old == generation:
        return
    with writing(processor.engine) as conn:
        cls(old).metadata.drop_all(conn)
        catalog.forget(conn, cls.name, old)

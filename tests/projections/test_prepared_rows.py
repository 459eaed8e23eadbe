"""Rows bound before the write transaction are written as if bound at the flush."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

from sqlalchemy import Column, Engine, MetaData, String, Uuid, select

from projections.buffers import Holds
from projections.documents import DocumentsModel
from projections.read_model import Item
from projections.temporal import temporal_table
from projections.versions import Versions
from usecases.root import Services

START = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)


@dataclass
class Event:
    """The parts of a stored event that Versions reads."""

    timestamp: datetime
    originator_version: int


def item(position: int) -> Item:
    """An event at a position, a minute after the one before."""
    event = Event(START + timedelta(minutes=position), position)
    return Item(position, None, event)  # type: ignore[arg-type]


def rows_of(engine: Engine, table: Any) -> list[dict[str, Any]]:
    """Every row of a table, oldest version first."""
    with engine.connect() as conn:
        found = conn.execute(select(table).order_by(table.c.valid_from_position))
        return [dict(r._mapping) for r in found]


def versions_table(engine: Engine, name: str) -> tuple[Any, Versions]:
    """A fresh temporal table (id, title, status) and its Versions buffer."""
    metadata = MetaData()
    table = temporal_table(
        metadata, name, [Column("id", Uuid)], Column("title", String(50))
    )
    metadata.create_all(engine)
    return table, Versions(table, ["id"])


def test_a_row_closed_after_prepare_is_written_closed(services: Services) -> None:
    engine = services.views_engine
    table, versions = versions_table(engine, "prepared")
    keys = {"id": uuid4()}
    first = versions.write(item(1), keys, {"title": "a", "status": "open"}, None)
    versions.prepare(engine.dialect)
    versions.write(item(2), keys, {"title": "b"}, first)  # closes `first` unwritten
    with engine.begin() as conn:
        versions.flush(conn)
    written = rows_of(engine, table)
    assert [(r["title"], r["valid_to_position"]) for r in written] == [
        ("a", 2),
        ("b", None),
    ]
    assert written[0]["valid_to"] == written[1]["valid_from"] == item(2).event.timestamp


def test_prepared_closes_and_inserts_match_unprepared(services: Services) -> None:
    engine = services.views_engine
    metadata = MetaData()
    tables = [
        temporal_table(
            metadata, name, [Column("id", Uuid)], Column("title", String(50))
        )
        for name in ("unprepared", "prepared")
    ]
    metadata.create_all(engine)
    ids = [UUID(int=n) for n in range(1, 4)]
    for prepare, table in enumerate(tables):
        versions = Versions(table, ["id"])
        for position, key in enumerate(ids, start=1):
            versions.write(item(position), {"id": key}, {"status": "open"}, None)
        with engine.begin() as conn:
            versions.flush(conn)
        versions.reset()
        with engine.connect() as conn:
            befores = [versions.current(conn, {"id": key}) for key in ids]
        changes = zip(ids, befores, strict=True)
        for position, (key, before) in enumerate(changes, start=4):
            versions.write(item(position), {"id": key}, {"title": "x"}, before)
        if prepare:
            versions.prepare(engine.dialect)
        with engine.begin() as conn:
            versions.flush(conn)
    unprepared, prepared = (rows_of(engine, t) for t in tables)
    assert len(prepared) == 6
    assert prepared == unprepared


def test_a_hold_released_after_prepare_is_written_released(
    services: Services,
) -> None:
    engine = services.views_engine
    model = DocumentsModel(1)
    model.metadata.create_all(engine)
    holds = Holds(model.holds)
    document = uuid4()
    holds.place(
        dict(
            document_id=document,
            hold_id="h1",
            placed_position=1,
            title="t",
            mandate="m",
            placed_at=START,
            placed_by="olivia",
            released_at=None,
            released_by=None,
            released_position=None,
        )
    )
    holds.prepare(engine.dialect)
    holds.release(
        document, "h1", released_at=START, released_by="rob", released_position=2
    )
    with engine.begin() as conn:
        holds.flush(conn)
    with engine.connect() as conn:
        row = conn.execute(select(model.holds)).one()
    assert (row.released_by, row.released_position) == ("rob", 2)

"""Versions remembers a bounded number of current rows, batch size aside."""

from __future__ import annotations

from uuid import uuid4

import pytest
from sqlalchemy import func, select

from projections import versions as versions_module
from tests.projections.test_prepared_rows import item, versions_table
from usecases.root import Services


def test_a_batch_larger_than_the_memory_keeps_its_rows_then_shrinks(
    services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(versions_module, "REMEMBERED", 10)
    engine = services.views_engine
    table, versions = versions_table(engine, "remembered")
    ids = [uuid4() for _ in range(25)]
    for position, key in enumerate(ids, start=1):
        versions.write(item(position), {"id": key}, {"status": "open"}, None)
    with engine.connect() as conn:  # every row of the batch, none read back
        assert all(versions.current(conn, {"id": key}) for key in ids)
    assert len(versions._current) == 25
    with engine.begin() as conn:
        versions.flush(conn)
    for position in range(26, 31):
        versions.write(item(position), {"id": uuid4()}, {"status": "open"}, None)
    assert len(versions._current) <= 15
    with engine.begin() as conn:
        versions.flush(conn)
        assert conn.execute(select(func.count()).select_from(table)).scalar() == 30

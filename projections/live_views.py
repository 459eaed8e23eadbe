"""The base of the read side: each read model's live generation, catch-up, status."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, TypeVar, cast

from sqlalchemy import Connection, Engine, Select

from projections import catalog
from projections.documents import DocumentsModel
from projections.models import models, registers
from projections.paging import (
    Page,
    after,
    decode_cursor,
    encode_cursor,
    jsonable_rows,
)
from projections.queries import status_row
from projections.read_model import ReadModel
from projections.register import RegisterModel

M = TypeVar("M", bound=ReadModel)


class LiveViews:
    """Finds the live generation of each read model and pages through its rows."""

    def __init__(
        self,
        engine: Engine,
        head: Callable[[], int],
        wake: Callable[[], None] | None = None,
    ) -> None:
        self.engine = engine
        self.head = head
        self.wake = wake
        self._models: dict[tuple[str, int], ReadModel] = {}

    def _live(self, cls: type[M], conn: Connection | None = None) -> M | None:
        if conn is None:
            with self.engine.connect() as own:
                generation = catalog.active_generation(own, cls.name)
        else:
            generation = catalog.active_generation(conn, cls.name)
        if generation is None:
            return None
        key = (cls.name, generation)
        if key not in self._models:
            self._models[key] = cls(generation)
        return cast(M, self._models[key])

    def _register(
        self, kind: str, conn: Connection | None = None
    ) -> RegisterModel | None:
        if kind not in registers():
            raise ValueError(f"kind: must be one of {', '.join(registers())}")
        return self._live(registers()[kind], conn)

    def _all(
        self, query: Select[Any], conn: Connection | None = None
    ) -> list[dict[str, Any]]:
        if conn is not None:
            return jsonable_rows(conn.execute(query))
        with self.engine.connect() as own:
            return jsonable_rows(own.execute(query))

    def wait_for(self, position: int, timeout: float) -> bool:
        """Wait (bounded) until every read model has processed `position`."""
        deadline = time.monotonic() + timeout
        woken = False
        while True:
            if self._reached() >= position:
                return True
            if time.monotonic() >= deadline:
                return False
            if self.wake and not woken:
                self.wake()
                woken = True
            time.sleep(0.01)

    def reached(self, name: str) -> int:
        """The position one read model's live generation has processed."""
        with self.engine.connect() as conn:
            generation = catalog.active_generation(conn, name)
            row = catalog.read(conn, name, generation or 0)
        return row.position if row else 0

    def _reached(self) -> int:
        with self.engine.connect() as conn:
            rows = {(r.name, r.generation): r for r in catalog.read_all(conn)}
            positions = []
            for cls in models():
                generation = catalog.active_generation(conn, cls.name)
                row = rows.get((cls.name, generation or 0))
                positions.append(row.position if row else 0)
        return min(positions)

    def _keyset(
        self,
        model: RegisterModel | DocumentsModel,
        query: Select[Any],
        sort: str | None,
        cursor: str | None,
        limit: int,
        conn: Connection | None = None,
    ) -> Page:
        sort = sort or "created_at"
        desc = sort.startswith("-")
        name = sort.lstrip("-")
        allowed = getattr(model, "sorts", ("created_at",))
        if name not in allowed:
            raise ValueError(f"sort: must be one of {', '.join(allowed)} (- for desc)")
        t = model.table
        column, ids = t.c[name], t.c.id
        if cursor is not None:
            value, entity_id = decode_cursor(cursor, sort, column)
            query = query.where(after(column, ids, value, entity_id, desc))
        order = (column.desc(), ids.desc()) if desc else (column, ids)
        rows = self._all(query.order_by(*order).limit(limit + 1), conn)
        if len(rows) <= limit:
            return Page(rows)
        last = rows[limit - 1]
        return Page(rows[:limit], encode_cursor(sort, last[name], last["id"]))

    def status(self) -> list[dict[str, Any]]:
        """Each read model's generations: position, head, lag, state and error."""
        head = self.head()
        catalog.create(self.engine)
        with self.engine.connect() as conn:
            rows = catalog.read_all(conn)
            live = {r.name: catalog.active_generation(conn, r.name) for r in rows}
        report = [status_row(r, head, live.get(r.name)) for r in rows]
        seen = {r.name for r in rows}
        report += [
            {
                "name": cls.name,
                "generation": None,
                "position": 0,
                "head": head,
                "lag": head,
                "state": "not started",
                "error": None,
                "error_position": None,
                "updated_at": None,
            }
            for cls in models()
            if cls.name not in seen
        ]
        return report

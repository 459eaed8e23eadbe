"""The read side the API and UI use: registers, documents, audit trail, status."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any, TypeVar, cast
from uuid import UUID

from sqlalchemy import Connection, Engine, Select, func, select

from projections import catalog
from projections.audit import AuditTrail
from projections.documents import DocumentsModel
from projections.models import models, registers
from projections.paging import (
    Page,
    after,
    check_limit,
    decode_cursor,
    encode_cursor,
    jsonable_rows,
)
from projections.projects import ProjectsModel
from projections.queries import (
    audit_query,
    document_row,
    json_loads,
    register_query,
    status_row,
    version_row,
)
from projections.read_model import ReadModel
from projections.register import RegisterModel
from projections.temporal import as_at

Kind = str
"""A register's name (its path segment): "risks", "issues", ..."""
M = TypeVar("M", bound=ReadModel)
AUDIT_PAGE = 500


class Views:
    """Queries over the live generation of each read model."""

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

    def list_projects(self, as_of: datetime | None = None) -> list[dict[str, Any]]:
        """Every project (as at a time), by code."""
        model = self._live(ProjectsModel)
        if model is None:
            return []
        t = model.table
        return self._all(select(t).where(as_at(t, as_of)).order_by(t.c.code))

    def get_project(
        self, project_id: UUID, as_of: datetime | None = None
    ) -> dict[str, Any] | None:
        """One project (as at a time), or None."""
        model = self._live(ProjectsModel)
        if model is None:
            return None
        t = model.table
        rows = self._all(select(t).where(t.c.id == project_id, as_at(t, as_of)))
        return rows[0] if rows else None

    def list_register(
        self,
        kind: Kind,
        project_id: UUID,
        *,
        as_of: datetime | None,
        filters: dict[str, object],
        after: str | None,
        limit: int,
        sort: str | None = None,
    ) -> Page:
        """One page of a project's register (as at a time), filtered and sorted."""
        check_limit(limit)
        # One connection for the generation lookup and the page: a page is two
        # small queries, and a checkout of its own would cost as much as one.
        with self.engine.connect() as conn:
            model = self._register(kind, conn)
            query = register_query(registers()[kind], model, project_id, as_of, filters)
            if model is None or query is None:
                return Page([])
            return self._keyset(model, query, sort, after, limit, conn)

    def count_register(
        self,
        kind: Kind,
        project_id: UUID,
        *,
        as_of: datetime | None,
        filters: dict[str, object],
    ) -> int:
        """How many entries a register's page-by-page listing would give in all."""
        with self.engine.connect() as conn:
            model = self._register(kind, conn)
            query = register_query(registers()[kind], model, project_id, as_of, filters)
            if model is None or query is None:
                return 0
            counted = select(func.count()).select_from(query.subquery())
            return int(conn.execute(counted).scalar_one())

    def tally(
        self,
        kind: Kind,
        project_id: UUID,
        *,
        as_of: datetime | None,
        filters: dict[str, object],
        by: tuple[str, ...],
        oldest: str | None = None,
    ) -> list[dict[str, Any]]:
        """Entries counted per value of `by` (one query), with the least `oldest`."""
        model = self._register(kind)
        query = register_query(registers()[kind], model, project_id, as_of, filters)
        if model is None or query is None:
            return []
        rows = query.subquery()
        unknown = [n for n in (*by, oldest or "id") if n not in rows.c]
        if unknown:
            raise ValueError(f"tally: no column {', '.join(unknown)}")
        columns = [rows.c[name] for name in by]
        measures = [func.count().label("count")]
        if oldest is not None:
            measures.append(func.min(rows.c[oldest]).label("oldest"))
        return self._all(select(*columns, *measures).group_by(*columns))

    def iter_register(
        self,
        kind: Kind,
        project_id: UUID,
        *,
        as_of: datetime | None = None,
        filters: dict[str, object] | None = None,
        sort: str | None = None,
    ) -> Iterator[dict[str, Any]]:
        """A whole register, page by page (constant memory, for exports)."""
        cursor: str | None = None
        while True:
            page = self.list_register(
                kind,
                project_id,
                as_of=as_of,
                filters=filters or {},
                after=cursor,
                limit=AUDIT_PAGE,
                sort=sort,
            )
            yield from page.items
            if page.next_cursor is None:
                return
            cursor = page.next_cursor

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

    def get_entry(
        self, kind: Kind, entity_id: UUID, as_of: datetime | None = None
    ) -> dict[str, Any] | None:
        """One register entry (as at a time), or None."""
        model = self._register(kind)
        if model is None:
            return None
        t = model.table
        rows = self._all(select(t).where(t.c.id == entity_id, as_at(t, as_of)))
        return rows[0] if rows else None

    def entry_history(self, kind: Kind, entity_id: UUID) -> list[dict[str, Any]]:
        """Every row version of one register entry, oldest first."""
        model = self._register(kind)
        if model is None:
            return []
        t = model.table
        query = select(t).where(t.c.id == entity_id).order_by(t.c.valid_from_position)
        return self._all(query)

    def list_documents(
        self,
        project_id: UUID,
        *,
        as_of: datetime | None,
        after: str | None,
        limit: int,
    ) -> Page:
        """One page of a project's documents (as at a time), oldest first."""
        check_limit(limit)
        model = self._live(DocumentsModel)
        if model is None:
            return Page([])
        t = model.table
        query = select(t).where(t.c.project_id == project_id, as_at(t, as_of))
        return self._keyset(model, query, None, after, limit)

    def get_document(
        self, document_id: UUID, as_of: datetime | None = None
    ) -> dict[str, Any] | None:
        """A document with its versions, authoritative version, holds and copies."""
        model = self._live(DocumentsModel)
        if model is None:
            return None
        v, h, c = model.versions, model.holds, model.copies
        with self.engine.connect() as conn:
            document = document_row(conn, model, document_id, as_of)
        if document is None:
            return None
        versions = self._all(
            select(v)
            .where(v.c.document_id == document_id, as_at(v, as_of))
            .order_by(v.c.number)
        )
        holds = select(h).where(h.c.document_id == document_id)
        copies = select(c).where(c.c.document_id == document_id)
        if as_of is None:
            holds = holds.where(h.c.released_position.is_(None))
        else:
            holds = holds.where(
                h.c.placed_at <= as_of,
                (h.c.released_at.is_(None)) | (h.c.released_at > as_of),
            )
            copies = copies.where(c.c.issued_at <= as_of)
        number = document["authoritative_version"]
        document["versions"] = versions
        document["authoritative"] = next(
            (x for x in versions if x["number"] == number), None
        )
        document["holds"] = self._all(holds.order_by(h.c.placed_position))
        document["copies"] = self._all(copies.order_by(c.c.position))
        return document

    def authoritative(
        self, document_id: UUID, as_of: datetime | None = None
    ) -> dict[str, Any] | None:
        """A document and its authoritative version (as at a time), or None.

        A few indexed lookups however long the history: the full version list
        is `get_document`'s.
        """
        with self.engine.connect() as conn:
            model = self._live(DocumentsModel, conn)
            if model is None:
                return None
            document = document_row(conn, model, document_id, as_of)
            if document is None:
                return None
            number = document["authoritative_version"]
            document["authoritative"] = (
                None
                if number is None
                else version_row(conn, model, document_id, number, as_of)
            )
        return document

    def get_version(
        self, document_id: UUID, number: int, as_of: datetime | None = None
    ) -> dict[str, Any] | None:
        """One version of a document (as at a time), or None."""
        with self.engine.connect() as conn:
            model = self._live(DocumentsModel, conn)
            if model is None:
                return None
            return version_row(conn, model, document_id, number, as_of)

    def audit(
        self,
        *,
        project_id: UUID | None = None,
        actor: str | None = None,
        entity_id: UUID | None = None,
        event_type: str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        after_position: int | None = None,
        limit: int = 100,
        newest_first: bool = False,
        q: str | None = None,
        partial: bool = False,
    ) -> Page:
        """One page of the audit trail in position order; the cursor is a position."""
        check_limit(limit)
        model = self._live(AuditTrail)
        if model is None:
            return Page([])
        query = audit_query(
            model, project_id, actor, entity_id, event_type, since, until, q, partial
        )
        t = model.table
        if after_position is not None and newest_first:
            query = query.where(t.c.position < after_position)
        elif after_position is not None:
            query = query.where(t.c.position > after_position)
        order = t.c.position.desc() if newest_first else t.c.position
        rows = self._all(query.order_by(order).limit(limit + 1))
        for row in rows:
            row["data"] = json_loads(row["data"])
        if len(rows) <= limit:
            return Page(rows)
        return Page(rows[:limit], str(rows[limit - 1]["position"]))

    def titles(self, entity_type: str, ids: list[UUID]) -> dict[str, str]:
        """What people call each of these entities now (title, or a project's code)."""
        model: ReadModel | None
        if entity_type == "Project":
            model, column = self._live(ProjectsModel), "code"
        elif entity_type == "Document":
            model, column = self._live(DocumentsModel), "title"
        else:
            named = {m.kind.aggregate: m for m in registers().values()}
            if entity_type not in named:
                return {}
            model, column = self._live(named[entity_type]), "title"
        if model is None or not ids:
            return {}
        t = model.table
        if column not in t.c:
            return {}
        query = select(t.c.id, t.c[column]).where(t.c.id.in_(ids), as_at(t, None))
        return {str(row["id"]): str(row[column]) for row in self._all(query)}

    def iter_audit(self, **filters: Any) -> Iterator[dict[str, Any]]:
        """The whole filtered audit trail, page by page (constant memory)."""
        filters.pop("limit", None)
        position = filters.pop("after_position", None)
        while True:
            page = self.audit(**filters, after_position=position, limit=AUDIT_PAGE)
            yield from page.items
            if page.next_cursor is None:
                return
            position = int(page.next_cursor)

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

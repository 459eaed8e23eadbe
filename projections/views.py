"""The read side the API and UI use: registers, documents, audit trail, status.

The live generations, catch-up and status are `LiveViews`' (live_views.py), the
document queries `DocumentViews`' (document_views.py); `Views` adds the
projects, registers and the audit trail.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import func, select

from projections.audit import AuditTrail
from projections.document_views import DocumentViews
from projections.documents import DocumentsModel
from projections.models import registers
from projections.paging import Page, check_limit
from projections.projects import ProjectsModel
from projections.queries import audit_query, json_loads, register_query
from projections.read_model import ReadModel
from projections.temporal import as_at

Kind = str
"""A register's name (its path segment): "risks", "issues", ..."""
AUDIT_PAGE = 500


class Views(DocumentViews):
    """Queries over the live generation of each read model."""

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

"""The read side of documents: pages, a document with its versions, one version."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import select

from projections.documents import DocumentsModel
from projections.live_views import LiveViews
from projections.paging import Page, check_limit
from projections.queries import document_row, version_row
from projections.temporal import as_at


class DocumentViews(LiveViews):
    """Queries over the live generation of the documents read model."""

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

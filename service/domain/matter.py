"""A legal hold over a matter: a selection of records, now and added later.

The selection names any of a project, a record class (with the classes
under it), a query (words in a document's title or type) and explicit
documents. A document is covered while the hold is placed if it is named,
or if it matches every criterion given besides the named documents. Nothing
is copied onto the documents: coverage is worked out when asked, so a
document registered after the hold is covered as soon as it matches.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Final
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from service.domain.base import (
    InvalidValueError,
    Meta,
    TransitionError,
    check_text,
    require_role,
)
from service.domain.document import CUSTODY_ROLES

MAX_DOCUMENTS: Final = 10_000


@dataclass(frozen=True)
class Candidate:
    """What a selection looks at in one document."""

    document_id: str
    project_id: str
    classes: tuple[str, ...]
    """The document's record class and every class above it."""
    words: str


class MatterHold(Aggregate):
    """A hold placed for a matter over a selection; released as a whole."""

    @event("Placed")
    def __init__(
        self,
        matter: str,
        title: str,
        mandate: str,
        project: str | None,
        record_class: str | None,
        query: str | None,
        document_ids: list[str],
        meta: Meta,
        timestamp: datetime | None = None,
    ) -> None:
        # `project`, not `project_id`: a hold is the office's, not one project's
        # (so roles alone decide who may reach it, and the audit trail files it
        # under no project).
        self.matter = matter
        self.title = title
        self.mandate = mandate
        self.project = project
        self.record_class = record_class
        self.query = query
        self.document_ids = list(document_ids)
        self.placed_at = timestamp
        self.placed_by = meta.actor
        self.released_at: datetime | None = None
        self.released_by: str | None = None
        self.status = "placed"

    @classmethod
    def place(
        cls,
        matter: str,
        title: str,
        mandate: str,
        project_id: UUID | None,
        record_class: str | None,
        query: str | None,
        document_ids: list[UUID],
        meta: Meta,
    ) -> MatterHold:
        """Validate and place a hold over a selection."""
        require_role(meta, "place a legal hold", CUSTODY_ROLES)
        check_text("matter", matter, max_length=100)
        check_text("title", title, max_length=200)
        check_text("mandate", mandate)
        if query is not None:
            check_text("query", query, max_length=200)
        if len(document_ids) > MAX_DOCUMENTS:
            raise InvalidValueError("document_ids", f"at most {MAX_DOCUMENTS}")
        criteria = (project_id, record_class, query)
        if all(c is None for c in criteria) and not document_ids:
            raise InvalidValueError(
                "selection",
                "name a project, a record class, a query or documents",
            )
        return cls(
            matter,
            title,
            mandate,
            None if project_id is None else str(project_id),
            record_class,
            query,
            sorted({str(d) for d in document_ids}),
            meta,
        )

    def covers(self, candidate: Candidate) -> bool:
        """Whether the selection takes in this document (placed or not)."""
        if candidate.document_id in self.document_ids:
            return True
        criteria = (self.project, self.record_class, self.query)
        if all(c is None for c in criteria):
            return False
        return (
            (self.project is None or candidate.project_id == self.project)
            and (self.record_class is None or self.record_class in candidate.classes)
            and (self.query is None or self.query.lower() in candidate.words.lower())
        )

    def release(self, meta: Meta) -> None:
        """Release the hold over everything it covers; the reason is required."""
        require_role(meta, "release a legal hold", CUSTODY_ROLES)
        check_text("reason", meta.reason or "", max_length=2000)
        if self.status != "placed":
            raise TransitionError("legal hold", "release", self.status)
        self._release(meta)

    @event("Released")
    def _release(self, meta: Meta, timestamp: datetime | None = None) -> None:
        self.released_at = timestamp
        self.released_by = meta.actor
        self.status = "released"

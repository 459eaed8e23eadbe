"""The file plan: a hierarchy of record classes and the documents filed in them.

One aggregate per store (its id is fixed). A class has a code, a title, an
optional parent, the retention class its records follow, a default
classification, an owner and the document types it receives. A document is
filed by an explicit reclassification when there is one, otherwise by its
type (usecases.fileplan says how); a reclassification is an event with a
reason, never an edit.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any, Final
from uuid import UUID, uuid5

from eventsourcing.domain import Aggregate, event

from service.domain.base import (
    InvalidValueError,
    Meta,
    check_choice,
    check_text,
    require_role,
)
from service.domain.document import CLASSIFICATIONS, CUSTODY_ROLES

_NAMESPACE: Final = UUID("0c3e7a52-91d4-5f0b-8e6a-7d2f4b19c0a1")
PLAN_ID: Final = uuid5(_NAMESPACE, "file-plan")
CODE: Final = re.compile(r"[A-Z0-9][A-Z0-9.-]{0,39}")


class FilePlan(Aggregate):
    """Every record class and every reclassification, as events."""

    @staticmethod
    def create_id() -> UUID:
        """The one file plan of a store always has this id."""
        return PLAN_ID

    @event("Started")
    def __init__(self, meta: Meta) -> None:
        self.classes: dict[str, dict[str, Any]] = {}
        self.filings: dict[str, str] = {}

    @classmethod
    def start(cls, meta: Meta) -> FilePlan:
        """An empty plan (its first class follows in the same commit)."""
        require_role(meta, "keep the file plan", CUSTODY_ROLES)
        return cls(meta)

    def add_class(
        self,
        code: str,
        title: str,
        parent: str | None,
        retention_class: str,
        classification: str,
        owner: str,
        doc_types: list[str],
        meta: Meta,
    ) -> None:
        """Add a record class under an existing parent (or at the top)."""
        require_role(meta, "add a record class", CUSTODY_ROLES)
        if not isinstance(code, str) or not CODE.fullmatch(code):
            raise InvalidValueError(
                "code", "must be 1-40 capital letters, digits, dots or hyphens"
            )
        if code in self.classes:
            raise InvalidValueError("code", f"class {code} exists already")
        if parent is not None and parent not in self.classes:
            raise InvalidValueError("parent", f"no class {parent} in the file plan")
        check_text("title", title, max_length=200)
        check_text("retention_class", retention_class, max_length=100)
        check_choice("classification", classification, CLASSIFICATIONS)
        check_text("owner", owner, max_length=200)
        for doc_type in doc_types:
            check_text("doc_types", doc_type, max_length=100)
            claimed = self.class_for_type(doc_type)
            if claimed is not None:
                raise InvalidValueError(
                    "doc_types", f"{doc_type!r} is filed in class {claimed} already"
                )
        self._add_class(
            code,
            title,
            parent,
            retention_class,
            classification,
            owner,
            sorted(set(doc_types)),
            meta,
        )

    @event("ClassAdded")
    def _add_class(
        self,
        code: str,
        title: str,
        parent: str | None,
        retention_class: str,
        classification: str,
        owner: str,
        doc_types: list[str],
        meta: Meta,
        timestamp: datetime | None = None,
    ) -> None:
        self.classes[code] = {
            "code": code,
            "title": title,
            "parent": parent,
            "retention_class": retention_class,
            "classification": classification,
            "owner": owner,
            "doc_types": list(doc_types),
            "added_at": timestamp,
            "added_by": meta.actor,
        }

    def class_for_type(self, doc_type: str) -> str | None:
        """The class that receives documents of this type, if one does."""
        return next(
            (c for c, v in self.classes.items() if doc_type in v["doc_types"]), None
        )

    def ancestors(self, code: str) -> list[str]:
        """The class and every class above it, nearest first."""
        chain: list[str] = []
        found: str | None = code
        while found is not None and found in self.classes:
            chain.append(found)
            found = self.classes[found]["parent"]
        return chain

    def reclassify(
        self, document_id: UUID, current: str | None, code: str, meta: Meta
    ) -> None:
        """File a document in another class; the reason is required."""
        require_role(meta, "reclassify a document", CUSTODY_ROLES)
        check_text("reason", meta.reason or "", max_length=2000)
        if code not in self.classes:
            raise InvalidValueError("record_class", f"no class {code} in the file plan")
        if code == current:
            raise InvalidValueError("record_class", f"the document is in {code} now")
        self._reclassify(str(document_id), current, code, meta)

    @event("DocumentReclassified")
    def _reclassify(
        self, document_id: str, previous: str | None, code: str, meta: Meta
    ) -> None:
        self.filings[document_id] = code

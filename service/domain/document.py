"""A configuration item: its versions, copies issued, legal holds and disposal.

Versions are numbered densely from 1 by the aggregate. A version goes
draft -> in-review -> approved; approving one supersedes the version approved
before it, so at most one version is authoritative. Any draft, in-review or
approved version can be withdrawn (withdrawing the approved one leaves none
authoritative). Approval, withdrawal, holds, retention and disposal need the
custodian or PMO head role. Disposal is refused under any legal hold and
before max(due date, retention date); afterwards the document is a stub that
keeps its metadata and history and refuses every command.
"""

from __future__ import annotations

import dataclasses
from datetime import date, datetime
from typing import Any, Final
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from service.domain.base import (
    InvalidValueError,
    Meta,
    TransitionError,
    check_choice,
    check_date,
    check_optional_text,
    check_sha256,
    check_text,
    require_role,
    utc_day,
)
from service.domain.document_parts import Copy, Hold, Version

STATUSES: Final = ("active", "disposed")
VERSION_STATUSES: Final = ("draft", "in-review", "approved", "superseded", "withdrawn")
CLASSIFICATIONS: Final = ("public", "internal", "confidential", "restricted")
CUSTODY_ROLES: Final = ("custodian", "pmo-head")
ORIGINS: Final = ("template", "nominated")
"""How a document came from another's version: started from a template of the
library, or a project document's version nominated into the library."""


PERSONAL: Final[dict[str, Any]] = {
    "owner": "name",
    "recipient": "name",
    "copies": {"recipient": "name"},
}
"""The personal data of a document's events and state (docs/privacy.md)."""


class Document(Aggregate):
    """A controlled document and every version of it."""

    origin: dict[str, object] | None = None
    """The version it came from (`ORIGINS`); a class default for old documents."""

    class_version = 3  # 2: disposed_on (decision 99); 3: disposed_by_review

    @staticmethod
    def upcast_v1_v2(state: dict[str, Any]) -> None:
        """A snapshot taken before version 2: disposed on its recorded day."""
        disposed_at = state.get("disposed_at")
        state["disposed_on"] = utc_day(disposed_at) if disposed_at else None

    @staticmethod
    def upcast_v2_v3(state: dict[str, Any]) -> None:
        """A snapshot taken before version 3: not disposed by a review it names."""
        state["disposed_by_review"] = None

    @event("Registered")
    def __init__(
        self,
        project_id: UUID,
        title: str,
        doc_type: str,
        classification: str,
        retention_class: str,
        owner: str,
        meta: Meta,
    ) -> None:
        self.project_id = project_id
        self.title = title
        self.doc_type = doc_type
        self.classification = classification
        self.retention_class = retention_class
        self.owner = owner
        self.versions: list[Version] = []
        self.copies: list[Copy] = []
        self.holds: dict[str, Hold] = {}
        self.retention_until: date | None = None
        self.disposal_due_on: date | None = None
        self.disposed_at: datetime | None = None
        self.disposed_on: date | None = None
        self.disposed_by_review: UUID | None = None
        self.status = "active"

    @classmethod
    def register(
        cls,
        project_id: UUID,
        title: str,
        doc_type: str,
        classification: str,
        retention_class: str,
        owner: str,
        meta: Meta,
    ) -> Document:
        """Validate and register a new configuration item."""
        check_text("title", title, max_length=200)
        check_text("doc_type", doc_type, max_length=100)
        check_choice("classification", classification, CLASSIFICATIONS)
        check_text("retention_class", retention_class, max_length=100)
        check_text("owner", owner, max_length=200)
        return cls(
            project_id, title, doc_type, classification, retention_class, owner, meta
        )

    @property
    def authoritative(self) -> Version | None:
        """The approved version, if there is one."""
        return next((v for v in self.versions if v.status == "approved"), None)

    def get_version(self, number: int) -> Version:
        """Return version number, refusing one that does not exist."""
        if isinstance(number, bool) or not isinstance(number, int):
            raise InvalidValueError("number", "must be an integer")
        if not 1 <= number <= len(self.versions):
            raise InvalidValueError("number", f"no version {number}")
        return self.versions[number - 1]

    def record_origin(
        self, relation: str, source: Document, number: int, meta: Meta
    ) -> None:
        """Say which version of another document this one came from (once, first)."""
        self.check_active("record the origin of")
        check_choice("relation", relation, ORIGINS)
        version = source.get_version(number)
        if self.origin is not None or self.versions:
            raise TransitionError("document", "record the origin of", "begun")
        self._record_origin(relation, str(source.id), number, version.sha256, meta)

    @event("OriginRecorded")
    def _record_origin(
        self, relation: str, document_id: str, number: int, sha256: str, meta: Meta
    ) -> None:
        self.origin = {
            "relation": relation,
            "document_id": document_id,
            "version": number,
            "sha256": sha256,
        }

    def check_active(self, action: str) -> None:
        """Refuse the action once the document has been disposed of."""
        if self.status != "active":
            raise TransitionError("document", action, self.status)

    def _check_version(
        self, number: int, action: str, allowed: tuple[str, ...]
    ) -> None:
        status = self.get_version(number).status
        if status not in allowed:
            raise TransitionError("document version", action, status)

    def _set_status(self, number: int, status: str, at: datetime | None) -> None:
        assert at is not None  # the library supplies the event's timestamp
        i = number - 1
        self.versions[i] = dataclasses.replace(
            self.versions[i], status=status, status_changed_at=at
        )

    def submit_version(
        self,
        sha256: str,
        size: int,
        media_type: str,
        filename: str,
        comment: str,
        meta: Meta,
    ) -> int:
        """Add a draft version and return its number."""
        self.check_active("submit a version of")
        check_sha256("sha256", sha256)
        if isinstance(size, bool) or not isinstance(size, int) or size < 0:
            raise InvalidValueError("size", "must be a non-negative integer")
        check_text("media_type", media_type, max_length=200)
        check_text("filename", filename, max_length=255)
        check_optional_text("comment", comment)
        number = len(self.versions) + 1
        self._submit_version(number, sha256, size, media_type, filename, comment, meta)
        return number

    # A `timestamp` parameter receives the event's own timestamp on every apply,
    # so the recorded times are the same live and on replay.
    @event("VersionSubmitted")
    def _submit_version(
        self,
        number: int,
        sha256: str,
        size: int,
        media_type: str,
        filename: str,
        comment: str,
        meta: Meta,
        timestamp: datetime | None = None,
    ) -> None:
        assert timestamp is not None
        self.versions.append(
            Version(
                number,
                sha256,
                size,
                media_type,
                filename,
                comment,
                "draft",
                timestamp,
                meta.actor,
                timestamp,
            )
        )

    def send_for_review(self, number: int, meta: Meta) -> None:
        """Move a draft version into review."""
        self.check_active("send for review a version of")
        self._check_version(number, "send for review", ("draft",))
        self._send_for_review(number, meta)

    @event("VersionSentForReview")
    def _send_for_review(
        self, number: int, meta: Meta, timestamp: datetime | None = None
    ) -> None:
        self._set_status(number, "in-review", timestamp)

    def approve_version(self, number: int, meta: Meta) -> None:
        """Approve a version in review, superseding the previously approved one."""
        require_role(meta, "approve a document version", CUSTODY_ROLES)
        self.check_active("approve a version of")
        self._check_version(number, "approve", ("in-review",))
        self._approve_version(number, meta)

    @event("VersionApproved")
    def _approve_version(
        self, number: int, meta: Meta, timestamp: datetime | None = None
    ) -> None:
        previous = self.authoritative
        if previous is not None:
            self._set_status(previous.number, "superseded", timestamp)
        self._set_status(number, "approved", timestamp)
        i = number - 1
        self.versions[i] = dataclasses.replace(
            self.versions[i], approved_at=timestamp, approved_by=meta.actor
        )

    def withdraw_version(self, number: int, meta: Meta) -> None:
        """Withdraw a draft, in-review or approved version."""
        require_role(meta, "withdraw a document version", CUSTODY_ROLES)
        self.check_active("withdraw a version of")
        self._check_version(number, "withdraw", ("draft", "in-review", "approved"))
        self._withdraw_version(number, meta)

    @event("VersionWithdrawn")
    def _withdraw_version(
        self, number: int, meta: Meta, timestamp: datetime | None = None
    ) -> None:
        self._set_status(number, "withdrawn", timestamp)

    def issue_copy(self, number: int, recipient: str, purpose: str, meta: Meta) -> None:
        """Record that a copy of a version went to a recipient for a purpose."""
        self.check_active("issue a copy of")
        self.get_version(number)
        check_text("recipient", recipient, max_length=200)
        check_text("purpose", purpose)
        self._issue_copy(number, recipient, purpose, meta)

    @event("CopyIssued")
    def _issue_copy(
        self,
        number: int,
        recipient: str,
        purpose: str,
        meta: Meta,
        timestamp: datetime | None = None,
    ) -> None:
        assert timestamp is not None
        self.copies.append(Copy(number, recipient, purpose, timestamp, meta.actor))

    def place_hold(self, hold_id: str, title: str, mandate: str, meta: Meta) -> None:
        """Place a legal hold, which blocks disposal until released."""
        require_role(meta, "place a legal hold", CUSTODY_ROLES)
        self.check_active("place a hold on")
        check_text("hold_id", hold_id, max_length=100)
        if hold_id in self.holds:
            raise TransitionError("document", "place hold " + hold_id + " on", "held")
        check_text("title", title, max_length=200)
        check_text("mandate", mandate)
        self._place_hold(hold_id, title, mandate, meta)

    @event("HoldPlaced")
    def _place_hold(
        self,
        hold_id: str,
        title: str,
        mandate: str,
        meta: Meta,
        timestamp: datetime | None = None,
    ) -> None:
        assert timestamp is not None
        self.holds[hold_id] = Hold(hold_id, title, mandate, timestamp, meta.actor)

    def release_hold(self, hold_id: str, meta: Meta) -> None:
        """Release one legal hold."""
        require_role(meta, "release a legal hold", CUSTODY_ROLES)
        self.check_active("release a hold on")
        if hold_id not in self.holds:
            raise InvalidValueError("hold_id", f"no hold {hold_id} on this document")
        self._release_hold(hold_id, meta)

    @event("HoldReleased")
    def _release_hold(self, hold_id: str, meta: Meta) -> None:
        del self.holds[hold_id]

    def extend_retention(self, until: date, meta: Meta) -> None:
        """Keep the document at least until a later date (never shortened)."""
        require_role(meta, "extend retention", CUSTODY_ROLES)
        self.check_active("extend the retention of")
        check_date("until", until)
        if self.retention_until is not None and until <= self.retention_until:
            raise InvalidValueError(
                "until", f"must be later than {self.retention_until.isoformat()}"
            )
        self._extend_retention(until, meta)

    @event("RetentionExtended")
    def _extend_retention(self, until: date, meta: Meta) -> None:
        self.retention_until = until

    def dispose(
        self, due_on: date, today: date, meta: Meta, review_id: UUID | None = None
    ) -> None:
        """Dispose of the content when no hold applies and its date has come.

        `review_id` names the disposition review executing it, if one is.
        """
        require_role(meta, "dispose of a document", CUSTODY_ROLES)
        self.check_active("dispose of")
        check_date("due_on", due_on)
        check_date("today", today)
        if self.holds:
            raise TransitionError("document", "dispose of", "under legal hold")
        keep_until = max(due_on, self.retention_until or due_on)
        if today < keep_until:
            raise TransitionError("document", "dispose of", "before its disposal date")
        self._dispose(self.retention_class, due_on, today, meta, review_id)

    class Disposed(Aggregate.Event):
        """The content was disposed of; `disposed_on` is the day judged against.

        Version 2 added `disposed_on` (decision 99): the day the disposal was
        judged due against, which a caller may give, so the record says it.
        Version 3 added `review_id`: the disposition review that executed it
        (None for a disposal of its own), so an interrupted execution knows
        which of its records it has already disposed of.
        """

        class_version = 3
        retention_class: str
        due_on: date
        disposed_on: date
        meta: Meta
        review_id: UUID | None

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            """Version 1 judged against the day it was recorded on (UTC)."""
            state["disposed_on"] = utc_day(state["timestamp"])

        @staticmethod
        def upcast_v2_v3(state: dict[str, Any]) -> None:
            """Before version 3 no disposal named a review."""
            state["review_id"] = None

    @event(Disposed)
    def _dispose(
        self,
        retention_class: str,
        due_on: date,
        disposed_on: date,
        meta: Meta,
        review_id: UUID | None = None,
        timestamp: datetime | None = None,
    ) -> None:
        self.disposal_due_on = due_on
        self.disposed_at = timestamp
        self.disposed_on = disposed_on
        self.disposed_by_review = review_id
        self.status = "disposed"

"""Document custody commands: versions, review status, copies, holds, disposal."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import BinaryIO, Final
from uuid import UUID

from service.application import Written
from service.blobs import BlobRef
from service.config import ConfigError
from service.custody_reads import CustodyReads
from service.domain.base import (
    InvalidValueError,
    Meta,
    TransitionError,
    require_role,
)
from service.domain.document import CUSTODY_ROLES, Document
from service.domain.retention import SCHEDULE_ID, RetentionSchedule
from service.errors import ConcurrentWriteError, NotFoundError, VersionConflictError
from service.registers import RegisterCommands
from service.retention import (
    DisposalDate,
    ScheduleHistory,
    current_schedule,
    disposal_date,
    schedule_from_data,
    schedule_to_data,
)

log = logging.getLogger("pmo_ledger.custody")

REPUT_GRACE: Final = timedelta(hours=1)
"""Content stored again this recently may belong to an upload not yet committed."""

DOWNLOAD_PURPOSE: Final = "download"
COPY_RECORD_ATTEMPTS: Final = 5


@dataclass(frozen=True)
class Disposal:
    """A committed disposal and what became of the document's content."""

    written: Written
    due_on: date
    removed: tuple[str, ...]
    retained: tuple[str, ...]


class CustodyCommands(CustodyReads, RegisterCommands):
    """Commands on documents; content goes to the blob store before its event."""

    def retention_history(self) -> ScheduleHistory:
        """Every recorded version of the schedule (the file's, if none is)."""
        try:
            schedule = self.load(RetentionSchedule, SCHEDULE_ID, read_only=True)
        except NotFoundError:
            return ScheduleHistory.unrecorded(current_schedule())
        return ScheduleHistory.from_versions(schedule.versions)

    def record_initial_schedule(self, meta: Meta) -> Written | None:
        """Record the configured file as the first version, unless one is recorded."""
        history = self.retention_history()
        if history.current.number:
            return None
        data = schedule_to_data(history.current.schedule)
        try:
            return self.create(RetentionSchedule.record(data, meta))
        except ConcurrentWriteError:
            return None  # another process recorded it first

    def change_retention_schedule(
        self,
        classes: dict[str, dict[str, object]],
        retroactive: list[str],
        meta: Meta,
    ) -> Written:
        """Record a new version of the schedule (the first one if none is)."""
        try:
            schedule_from_data(classes, "the proposed schedule")
        except ConfigError as error:
            raise InvalidValueError("classes", str(error)) from None
        if not self.retention_history().current.number:
            self.record_initial_schedule(
                Meta("system", "pmo-head", "the configured schedule, before a change")
            )
        return self.change(
            RetentionSchedule,
            SCHEDULE_ID,
            lambda s: s.change(classes, retroactive, meta),
        )

    def register_document(
        self,
        project_id: UUID,
        title: str,
        doc_type: str,
        classification: str,
        retention_class: str,
        owner: str,
        meta: Meta,
    ) -> Written:
        """Register a configuration item in an open project under a known class."""
        self.retention_history().current.schedule.get(retention_class)
        return self.create_in_project(
            project_id,
            "register a document in",
            lambda: Document.register(
                project_id,
                title,
                doc_type,
                classification,
                retention_class,
                owner,
                meta,
            ),
        )

    def submit_version(
        self,
        document_id: UUID,
        content: BinaryIO,
        media_type: str,
        filename: str,
        comment: str,
        meta: Meta,
        expected_sha256: str | None = None,
        max_size: int | None = None,
        expected_version: int | None = None,
    ) -> tuple[Written, BlobRef]:
        """Store the content (fsynced), then record the version that references it."""
        document = self.load(Document, document_id)
        self.check_open(document.project_id, "submit a version in")
        document.check_active("submit a version of")
        ref = self.blobs.put(
            content, expected_sha256=expected_sha256, max_size=max_size
        )
        written = self.change_in_project(
            Document,
            document_id,
            "submit a version in",
            lambda d: d.submit_version(
                ref.sha256, ref.size, media_type, filename, comment, meta
            ),
            expected_version,
        )
        return written, ref

    def send_version_for_review(
        self,
        document_id: UUID,
        number: int,
        meta: Meta,
        expected_version: int | None = None,
    ) -> Written:
        """Move a draft version into review."""
        return self.change_in_project(
            Document,
            document_id,
            "review a version in",
            lambda d: d.send_for_review(number, meta),
            expected_version,
        )

    def approve_version(
        self,
        document_id: UUID,
        number: int,
        meta: Meta,
        expected_version: int | None = None,
    ) -> Written:
        """Approve a version; the previously approved one becomes superseded."""
        return self.change_in_project(
            Document,
            document_id,
            "approve a version in",
            lambda d: d.approve_version(number, meta),
            expected_version,
        )

    def withdraw_version(
        self,
        document_id: UUID,
        number: int,
        meta: Meta,
        expected_version: int | None = None,
    ) -> Written:
        """Withdraw a version from use."""
        return self.change_in_project(
            Document,
            document_id,
            "withdraw a version in",
            lambda d: d.withdraw_version(number, meta),
            expected_version,
        )

    def issue_copy(
        self, document_id: UUID, number: int, recipient: str, purpose: str, meta: Meta
    ) -> Written:
        """Record that a copy of a version was issued to a recipient."""
        return self.change(
            Document,
            document_id,
            lambda d: d.issue_copy(number, recipient, purpose, meta),
        )

    def record_copy_issued(
        self, document_id: UUID, number: int, meta: Meta, purpose: str | None = None
    ) -> Written:
        """Record a download: a copy of a version issued to the caller.

        Copy records commute, so a concurrent write to the same document is
        retried on fresh state instead of failing the download.
        """
        purpose = purpose or meta.reason or DOWNLOAD_PURPOSE
        for _attempt in range(COPY_RECORD_ATTEMPTS - 1):
            try:
                return self.issue_copy(document_id, number, meta.actor, purpose, meta)
            except ConcurrentWriteError:
                continue
        return self.issue_copy(document_id, number, meta.actor, purpose, meta)

    def place_hold(
        self,
        document_id: UUID,
        hold_id: str,
        title: str,
        mandate: str,
        meta: Meta,
        expected_version: int | None = None,
    ) -> Written:
        """Place a legal hold that blocks disposal."""
        return self.change(
            Document,
            document_id,
            lambda d: d.place_hold(hold_id, title, mandate, meta),
            expected_version,
        )

    def release_hold(
        self,
        document_id: UUID,
        hold_id: str,
        meta: Meta,
        expected_version: int | None = None,
    ) -> Written:
        """Release one legal hold."""
        return self.change(
            Document,
            document_id,
            lambda d: d.release_hold(hold_id, meta),
            expected_version,
        )

    def disposal_date(self, document_id: UUID) -> DisposalDate:
        """What the retention schedule says about a document now."""
        document = self.load(Document, document_id)
        project = self.owning_project(document.project_id)
        return disposal_date(document, project, self.retention_history())

    def extend_retention(
        self,
        document_id: UUID,
        until: date,
        meta: Meta,
        expected_version: int | None = None,
    ) -> Written:
        """Keep a document at least until a later date (never shortened)."""
        return self.change(
            Document,
            document_id,
            lambda d: d.extend_retention(until, meta),
            expected_version,
        )

    def dispose_document(
        self,
        document_id: UUID,
        meta: Meta,
        today: date | None = None,
        expected_version: int | None = None,
        *,
        grace: timedelta = REPUT_GRACE,
        review_id: UUID | None = None,
    ) -> Disposal:
        """Dispose of a document whose date has come, then remove its content.

        Content another live document shares, or stored again within grace (an
        upload in flight may reference it), stays; `blobs gc` removes it later.
        `review_id` names the disposition review executing the disposal.
        """
        require_role(meta, "dispose of a document", CUSTODY_ROLES)
        document = self.load(Document, document_id)
        document.check_active("dispose of")
        if expected_version is not None and document.version != expected_version:
            raise VersionConflictError(document_id, expected_version, document.version)
        project = self.owning_project(document.project_id)
        dated = disposal_date(document, project, self.retention_history())
        due_on = dated.due_on
        if due_on is None:
            state = f"not yet due (no {dated.trigger} has happened)"
            raise TransitionError("document", "dispose of", state)
        if dated.action != "destroy" and not (meta.reason or "").strip():
            raise InvalidValueError(
                "reason",
                f"a disposal under a {dated.action} class must say why "
                f"(the {dated.action} outcome)",
            )
        document.dispose(due_on, today or datetime.now(UTC).date(), meta, review_id)
        written = Written(document.id, document.version, self.commit(document))
        hashes = sorted({v.sha256 for v in document.versions})
        removed = self.remove_disposed_content(hashes, grace)
        retained = tuple(h for h in hashes if h not in removed)
        return Disposal(written, due_on, removed, retained)

    def remove_disposed_content(
        self, hashes: Iterable[str], grace: timedelta = REPUT_GRACE
    ) -> tuple[str, ...]:
        """Remove the content no live document references; the hashes removed.

        Content stored again within grace stays. A failure is logged, not
        raised: the disposal is committed, and leftover content is gc's.
        """
        # The cutoff is taken before the events are read: a blob stored again
        # after it is left alone, whatever the scan saw.
        cutoff = datetime.now(UTC) - grace
        removed = []
        try:
            live = self.content_inventory().live
            for sha256 in sorted(set(hashes)):
                if sha256 not in live and self.blobs.delete(
                    sha256, stored_before=cutoff
                ):
                    removed.append(sha256)
        except Exception:
            log.exception("content of disposed documents not removed")
        return tuple(removed)

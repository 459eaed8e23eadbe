"""Document custody commands: versions, review status, copies, holds, disposal."""

from __future__ import annotations

from typing import BinaryIO
from uuid import UUID

from service.application import Written
from service.blobs import BlobRef
from service.domain.base import Meta
from service.domain.document import Document
from service.domain.project import Project
from service.registers import RegisterCommands


class CustodyCommands(RegisterCommands):
    """Commands on documents; content goes to the blob store before its event."""

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
        """Register a configuration item in an open project."""
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
        self.load(Project, document.project_id).check_open("submit a version in")
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

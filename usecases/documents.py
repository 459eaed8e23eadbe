"""Documents: register, submit versions, review, approve, withdraw, copies, holds,
retention and disposal. Reads and downloads are in usecases.content."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any, BinaryIO
from uuid import UUID

from service.application import Written
from service.custody import Disposal
from service.domain.base import Meta
from service.domain.document import Document
from usecases.control import check_quality_gate
from usecases.errors import UploadTooLargeError
from usecases.matters import check_not_held
from usecases.projects import check_project_version
from usecases.root import Services

COPY_ISSUED = "CopyIssued"


@dataclass(frozen=True)
class RegisterDocument:
    """Register a configuration item in an open project."""

    project_id: UUID
    title: str
    doc_type: str
    classification: str
    retention_class: str
    owner: str
    expected_project_version: int | None = None

    @classmethod
    def of(
        cls, project_id: UUID, values: Mapping[str, Any], expected: int | None = None
    ) -> RegisterDocument:
        """The command from a request's checked values, by field name."""
        return cls(
            project_id,
            values["title"],
            values["doc_type"],
            values["classification"],
            values["retention_class"],
            values["owner"],
            expected_project_version=expected,
        )


@dataclass(frozen=True)
class SubmitVersion:
    """Store a version's content, then record the version that references it."""

    document_id: UUID
    content: BinaryIO
    media_type: str
    filename: str
    comment: str = ""
    sha256: str | None = None
    """The digest the sender announced; the content must match it."""
    declared_size: int | None = None
    """The length the sender announced, refused at once beyond the limit."""
    expected_version: int | None = None


@dataclass(frozen=True)
class SubmittedVersion:
    """A recorded version: the write, its number and its content's digest and size."""

    written: Written
    number: int
    sha256: str
    size: int


@dataclass(frozen=True)
class SendVersionForReview:
    """Send a draft version for review."""

    document_id: UUID
    number: int
    expected_version: int | None = None


@dataclass(frozen=True)
class ApproveVersion:
    """Approve one version of a document."""

    document_id: UUID
    number: int
    expected_version: int | None = None


@dataclass(frozen=True)
class WithdrawVersion:
    """Withdraw a version from use."""

    document_id: UUID
    number: int
    expected_version: int | None = None


@dataclass(frozen=True)
class IssueCopy:
    """Record that a copy of a version was issued to a recipient."""

    document_id: UUID
    number: int
    recipient: str
    purpose: str


@dataclass(frozen=True)
class PlaceHold:
    """Place a legal hold that blocks disposal."""

    document_id: UUID
    hold_id: str
    title: str
    mandate: str
    expected_version: int | None = None


@dataclass(frozen=True)
class ReleaseHold:
    """Release one legal hold."""

    document_id: UUID
    hold_id: str
    expected_version: int | None = None


@dataclass(frozen=True)
class ExtendRetention:
    """Keep a document at least until a later date."""

    document_id: UUID
    until: date
    expected_version: int | None = None


@dataclass(frozen=True)
class DisposeDocument:
    """Dispose of a document's content once due and unheld."""

    document_id: UUID
    expected_version: int | None = None


def register_document(
    services: Services, command: RegisterDocument, meta: Meta
) -> Written:
    """Register a document under a known retention class in an open project."""
    check_project_version(
        services, command.project_id, command.expected_project_version
    )
    return services.app.register_document(
        command.project_id,
        command.title,
        command.doc_type,
        command.classification,
        command.retention_class,
        command.owner,
        meta,
    )


def submit_version(
    services: Services, command: SubmitVersion, meta: Meta
) -> SubmittedVersion:
    """Store the content (streamed, hashed, within the upload limit), then record."""
    app = services.app
    limit = services.settings.upload_limit
    if command.declared_size is not None and command.declared_size > limit:
        raise UploadTooLargeError(limit)
    written, ref = app.submit_version(
        command.document_id,
        command.content,
        command.media_type,
        command.filename,
        command.comment,
        meta,
        expected_sha256=command.sha256,
        max_size=limit,
        expected_version=past_copies(
            services, command.document_id, command.expected_version
        ),
    )
    document = app.load(Document, command.document_id, version=written.version)
    return SubmittedVersion(written, document.versions[-1].number, ref.sha256, ref.size)


def send_version_for_review(
    services: Services, command: SendVersionForReview, meta: Meta
) -> Written:
    """Move a draft version into review."""
    expected = past_copies(services, command.document_id, command.expected_version)
    return services.app.send_version_for_review(
        command.document_id, command.number, meta, expected
    )


def approve_version(services: Services, command: ApproveVersion, meta: Meta) -> Written:
    """Approve a version in review; the one approved before is superseded.

    A document type the quality policy names needs a signed-off quality
    review of this exact version first.
    """
    check_quality_gate(services, command.document_id, command.number)
    expected = past_copies(services, command.document_id, command.expected_version)
    return services.app.approve_version(
        command.document_id, command.number, meta, expected
    )


def withdraw_version(
    services: Services, command: WithdrawVersion, meta: Meta
) -> Written:
    """Withdraw a version from use."""
    expected = past_copies(services, command.document_id, command.expected_version)
    return services.app.withdraw_version(
        command.document_id, command.number, meta, expected
    )


def issue_copy(services: Services, command: IssueCopy, meta: Meta) -> Written:
    """Record a copy of a version issued to a named recipient for a purpose."""
    return services.app.issue_copy(
        command.document_id, command.number, command.recipient, command.purpose, meta
    )


def place_hold(services: Services, command: PlaceHold, meta: Meta) -> Written:
    """Place a legal hold; a held document cannot be disposed of."""
    return services.app.place_hold(
        command.document_id,
        command.hold_id,
        command.title,
        command.mandate,
        meta,
        past_copies(services, command.document_id, command.expected_version),
    )


def release_hold(services: Services, command: ReleaseHold, meta: Meta) -> Written:
    """Release one legal hold."""
    expected = past_copies(services, command.document_id, command.expected_version)
    return services.app.release_hold(
        command.document_id, command.hold_id, meta, expected
    )


def extend_retention(
    services: Services, command: ExtendRetention, meta: Meta
) -> Written:
    """Extend retention to a later date (it is never shortened)."""
    expected = past_copies(services, command.document_id, command.expected_version)
    return services.app.extend_retention(
        command.document_id, command.until, meta, expected
    )


def dispose_document(
    services: Services, command: DisposeDocument, meta: Meta
) -> Disposal:
    """Dispose of the content once due and unheld; the stub and history stay.

    A hold over a matter that covers the document blocks it as its own do.
    """
    check_not_held(services, command.document_id)
    expected = past_copies(services, command.document_id, command.expected_version)
    return services.app.dispose_document(command.document_id, meta, None, expected)


def past_copies(
    services: Services, document_id: UUID, expected: int | None
) -> int | None:
    """The version a custody command expects, past copies issued since `expected`.

    A copy issued (every download records one) changes nothing a custody
    command acts on, so a version made stale only by copies still holds: the
    person's own download of the version they are about to approve would
    otherwise refuse the approval. Any other change since refuses as before.
    """
    if expected is None:
        return None
    since = list(services.app.events.get(document_id, gt=expected))
    if since and all(type(e).__name__ == COPY_ISSUED for e in since):
        return since[-1].originator_version
    return expected

"""Document use cases straight through the composition root, on each backend."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from uuid import UUID

import pytest

from service.blobs import RangeNotSatisfiableError
from service.domain.base import TransitionError
from service.domain.document import Document
from service.errors import VersionConflictError
from tests.usecases.conftest import CUSTODIAN
from usecases import content, documents
from usecases.errors import NotAvailableError, ProjectVersionError, UploadTooLargeError
from usecases.root import Services


def download(services: Services, document_id: UUID, **kwargs: object) -> bytes:
    command = content.DownloadVersion(document_id, **kwargs)  # type: ignore[arg-type]
    found = content.download_version(services, command, CUSTODIAN)
    return b"".join(found.content or [])


def copies(services: Services, document_id: UUID) -> list[dict[str, object]]:
    return content.copy_holders(services, content.VersionQuery(document_id))


def test_a_download_records_the_copy_issued_to_the_caller(
    services: Services, document_id: UUID
) -> None:
    head = services.app.head_position()
    assert download(services, document_id, number=1) == b"hello\n"
    assert services.app.head_position() == head + 1
    [copy] = copies(services, document_id)
    assert (copy["recipient"], copy["number"]) == ("carl", 1)
    assert copy["purpose"] == "use-case test"  # the caller's reason


def test_held_content_or_a_later_range_records_nothing(
    services: Services, document_id: UUID
) -> None:
    sha256 = content.download_version(
        services, content.DownloadVersion(document_id, 1), CUSTODIAN
    ).version.sha256
    head = services.app.head_position()
    held = content.DownloadVersion(document_id, 1, held=frozenset({sha256}))
    assert content.download_version(services, held, CUSTODIAN).content is None
    tail = content.ByteRange(2, None)
    assert download(services, document_id, number=1, byte_range=tail) == b"llo\n"
    assert services.app.head_position() == head
    first = content.ByteRange(0, 1)
    assert download(services, document_id, number=1, byte_range=first) == b"he"
    assert services.app.head_position() == head + 1
    with pytest.raises(RangeNotSatisfiableError):
        download(services, document_id, number=1, byte_range=content.ByteRange(9, 9))
    assert services.app.head_position() == head + 1


def test_the_authoritative_download_needs_an_approved_version(
    services: Services, document_id: UUID
) -> None:
    head = services.app.head_position()
    with pytest.raises(NotAvailableError, match="no approved version"):
        download(services, document_id)
    documents.send_version_for_review(
        services, documents.SendVersionForReview(document_id, 1), CUSTODIAN
    )
    documents.approve_version(
        services, documents.ApproveVersion(document_id, 1), CUSTODIAN
    )
    assert services.app.head_position() == head + 2
    assert download(services, document_id) == b"hello\n"


def test_refused_commands_write_nothing(
    services: Services, project_id: UUID, document_id: UUID
) -> None:
    head = services.app.head_position()
    with pytest.raises(TransitionError):
        documents.approve_version(
            services, documents.ApproveVersion(document_id, 1), CUSTODIAN
        )
    stale = documents.RegisterDocument(
        project_id, "Plan", "plan", "internal", "project-record", "carl", 99
    )
    with pytest.raises(ProjectVersionError, match="is at version 1, not 99"):
        documents.register_document(services, stale, CUSTODIAN)
    big = documents.SubmitVersion(
        document_id, io.BytesIO(b"x" * 10), "text/plain", "big.txt",
        declared_size=services.settings.upload_limit + 1,
    )  # fmt: skip
    with pytest.raises(UploadTooLargeError, match="uploads are limited"):
        documents.submit_version(services, big, CUSTODIAN)
    with pytest.raises(TransitionError, match="not yet due"):
        documents.dispose_document(
            services, documents.DisposeDocument(document_id), CUSTODIAN
        )
    assert services.app.head_position() == head


def test_authoritative_version_now_and_as_at(
    services: Services, document_id: UUID
) -> None:
    before = datetime.now(UTC)
    documents.send_version_for_review(
        services, documents.SendVersionForReview(document_id, 1), CUSTODIAN
    )
    documents.approve_version(
        services, documents.ApproveVersion(document_id, 1), CUSTODIAN
    )
    now = content.authoritative_version(services, content.VersionQuery(document_id))
    assert now is not None and (now["number"], now["status"]) == (1, "approved")
    then = content.VersionQuery(document_id, before)
    assert content.authoritative_version(services, then) is None


def test_copies_issued_since_do_not_make_a_custody_command_stale(
    services: Services, document_id: UUID
) -> None:
    opened = services.app.load(Document, document_id).version
    download(services, document_id, number=1)
    download(services, document_id, number=1)
    step = documents.SendVersionForReview(document_id, 1, expected_version=opened)
    sent = documents.send_version_for_review(services, step, CUSTODIAN)
    assert sent.version == opened + 3  # two copies, then the review
    download(services, document_id, number=1)
    head = services.app.head_position()
    approve = documents.ApproveVersion(document_id, 1, expected_version=opened)
    with pytest.raises(VersionConflictError):  # the review since is a change
        documents.approve_version(services, approve, CUSTODIAN)
    assert services.app.head_position() == head
    assert documents.past_copies(services, document_id, None) is None
    assert documents.past_copies(services, document_id, opened) == opened
    assert (
        documents.past_copies(services, document_id, sent.version) == sent.version + 1
    )

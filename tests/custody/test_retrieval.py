"""Retrieval: the authoritative version now and as at any moment, by number or hash."""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta
from uuid import UUID

import pytest

from service.app import PmoLedger
from service.domain.base import InvalidValueError, Meta
from service.domain.document import Document
from service.errors import NotFoundError
from tests.custody.conftest import CUSTODIAN, new_document, new_project, submit

HEAD = Meta(actor="hana", role="pmo-head", reason="sign-off")
TICK = timedelta(microseconds=1)


def stamp(ledger: PmoLedger, document_id: UUID) -> datetime:
    """When the document's latest event was recorded."""
    return ledger.load(Document, document_id).modified_on


def approve(ledger: PmoLedger, document_id: UUID, number: int, meta: Meta) -> datetime:
    ledger.send_version_for_review(document_id, number, CUSTODIAN)
    ledger.approve_version(document_id, number, meta)
    return stamp(ledger, document_id)


def test_authoritative_as_at_follows_a_scripted_timeline(
    event_ledger: PmoLedger,
) -> None:
    ledger = event_ledger
    document_id = new_document(ledger, new_project(ledger))
    registered = stamp(ledger, document_id)
    for body in (b"one\n", b"two\n", b"three\n"):
        submit(ledger, document_id, body)
    drafts_only = stamp(ledger, document_id)
    first = approve(ledger, document_id, 1, CUSTODIAN)
    second = approve(ledger, document_id, 2, HEAD)  # supersedes 1
    ledger.withdraw_version(document_id, 2, CUSTODIAN)
    withdrawn = stamp(ledger, document_id)  # nothing authoritative
    third = approve(ledger, document_id, 3, CUSTODIAN)

    def at(moment: datetime) -> tuple[int, str, datetime] | None:
        version = ledger.authoritative_at(document_id, moment)
        if version is None:
            return None
        assert version.approved_by is not None and version.approved_at is not None
        return version.number, version.approved_by, version.approved_at

    assert ledger.authoritative_at(document_id, registered - TICK) is None
    assert at(registered) is None
    assert at(drafts_only) is None
    assert at(first - TICK) is None
    assert at(first) == (1, "cara", first)
    assert at(second - TICK) == (1, "cara", first)
    assert at(second) == (2, "hana", second)
    assert at(withdrawn - TICK) == (2, "hana", second)
    assert at(withdrawn) is None
    assert at(third) == (3, "cara", third)
    assert at(third + timedelta(days=365)) == (3, "cara", third)
    now = ledger.authoritative_at(document_id)
    assert now is not None and now.number == 3
    as_at_second = ledger.document_at(document_id, second)
    assert as_at_second is not None
    statuses = [v.status for v in as_at_second.versions]
    assert statuses == ["superseded", "approved", "draft"]


def test_naive_moments_are_read_as_utc(event_ledger: PmoLedger) -> None:
    document_id = new_document(event_ledger, new_project(event_ledger))
    submit(event_ledger, document_id, b"x")
    approved = approve(event_ledger, document_id, 1, CUSTODIAN)
    naive = approved.replace(tzinfo=None)
    version = event_ledger.authoritative_at(document_id, naive)
    assert version is not None and version.number == 1


def test_versions_by_number_and_by_sha256(event_ledger: PmoLedger) -> None:
    ledger = event_ledger
    document_id = new_document(ledger, new_project(ledger))
    for body in (b"alpha", b"beta", b"alpha"):
        submit(ledger, document_id, body)
    document = ledger.load(Document, document_id)
    assert document.get_version(2).sha256 == hashlib.sha256(b"beta").hexdigest()
    beta = ledger.version_by_sha256(document_id, hashlib.sha256(b"beta").hexdigest())
    assert beta.number == 2
    alpha = ledger.version_by_sha256(document_id, hashlib.sha256(b"alpha").hexdigest())
    assert alpha.number == 3  # the latest version with that content
    with pytest.raises(NotFoundError):
        ledger.version_by_sha256(document_id, hashlib.sha256(b"gamma").hexdigest())
    with pytest.raises(InvalidValueError) as caught:
        ledger.version_by_sha256(document_id, "ABC")
    assert caught.value.field == "sha256"
    with pytest.raises(InvalidValueError):
        document.get_version(4)


def test_unknown_document_is_not_found(event_ledger: PmoLedger) -> None:
    project_id = new_project(event_ledger)
    with pytest.raises(NotFoundError):
        event_ledger.authoritative_at(project_id, datetime.now().astimezone())
    with pytest.raises(NotFoundError):
        event_ledger.copy_holders(project_id)


def test_every_download_is_a_copy_issued_and_holders_are_listed(
    event_ledger: PmoLedger,
) -> None:
    ledger = event_ledger
    document_id = new_document(ledger, new_project(ledger))
    submit(ledger, document_id, b"v1")
    submit(ledger, document_id, b"v2")
    reader = Meta(actor="audrey", role="auditor", reason="annual audit")
    written = ledger.record_copy_issued(document_id, 2, reader)
    ledger.record_copy_issued(document_id, 1, Meta("colin", "contributor"))
    ledger.record_copy_issued(document_id, 2, CUSTODIAN, purpose="supplier pack")
    ledger.issue_copy(document_id, 1, "Acme Ltd", "tender", CUSTODIAN)
    holders = [
        (c.recipient, c.number, c.purpose, c.issued_by)
        for c in ledger.copy_holders(document_id)
    ]
    assert holders == [
        ("audrey", 2, "annual audit", "audrey"),
        ("colin", 1, "download", "colin"),
        ("cara", 2, "supplier pack", "cara"),
        ("Acme Ltd", 1, "tender", "cara"),
    ]
    copies = ledger.copy_holders(document_id)
    assert copies[0].issued_at <= copies[-1].issued_at
    last = list(ledger.events.get(document_id))[-1]
    assert type(last).__name__ == "CopyIssued"
    assert written.position < ledger.head_position()
    head = ledger.head_position()
    with pytest.raises(InvalidValueError):
        ledger.record_copy_issued(document_id, 3, reader)
    assert ledger.head_position() == head

"""Retrieval: the authoritative version now and as at any moment, by number or hash."""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta
from uuid import UUID

import pytest

from service.app import PmoApplication
from service.domain.base import InvalidValueError, Meta
from service.domain.document import Document
from service.errors import NotFoundError
from tests.custody.conftest import CUSTODIAN, new_document, new_project, submit

HEAD = Meta(actor="hana", role="pmo-head", reason="sign-off")
TICK = timedelta(microseconds=1)


def stamp(app: PmoApplication, document_id: UUID) -> datetime:
    """When the document's latest event was recorded."""
    return app.load(Document, document_id).modified_on


def approve(
    app: PmoApplication, document_id: UUID, number: int, meta: Meta
) -> datetime:
    app.send_version_for_review(document_id, number, CUSTODIAN)
    app.approve_version(document_id, number, meta)
    return stamp(app, document_id)


def test_authoritative_as_at_follows_a_scripted_timeline(
    event_app: PmoApplication,
) -> None:
    app = event_app
    document_id = new_document(app, new_project(app))
    registered = stamp(app, document_id)
    for body in (b"one\n", b"two\n", b"three\n"):
        submit(app, document_id, body)
    drafts_only = stamp(app, document_id)
    first = approve(app, document_id, 1, CUSTODIAN)
    second = approve(app, document_id, 2, HEAD)  # supersedes 1
    app.withdraw_version(document_id, 2, CUSTODIAN)
    withdrawn = stamp(app, document_id)  # nothing authoritative
    third = approve(app, document_id, 3, CUSTODIAN)

    def at(moment: datetime) -> tuple[int, str, datetime] | None:
        version = app.authoritative_at(document_id, moment)
        if version is None:
            return None
        assert version.approved_by is not None and version.approved_at is not None
        return version.number, version.approved_by, version.approved_at

    assert app.authoritative_at(document_id, registered - TICK) is None
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
    now = app.authoritative_at(document_id)
    assert now is not None and now.number == 3
    as_at_second = app.document_at(document_id, second)
    assert as_at_second is not None
    statuses = [v.status for v in as_at_second.versions]
    assert statuses == ["superseded", "approved", "draft"]


def test_naive_moments_are_read_as_utc(event_app: PmoApplication) -> None:
    document_id = new_document(event_app, new_project(event_app))
    submit(event_app, document_id, b"x")
    approved = approve(event_app, document_id, 1, CUSTODIAN)
    naive = approved.replace(tzinfo=None)
    version = event_app.authoritative_at(document_id, naive)
    assert version is not None and version.number == 1


def test_versions_by_number_and_by_sha256(event_app: PmoApplication) -> None:
    app = event_app
    document_id = new_document(app, new_project(app))
    for body in (b"alpha", b"beta", b"alpha"):
        submit(app, document_id, body)
    document = app.load(Document, document_id)
    assert document.get_version(2).sha256 == hashlib.sha256(b"beta").hexdigest()
    beta = app.version_by_sha256(document_id, hashlib.sha256(b"beta").hexdigest())
    assert beta.number == 2
    alpha = app.version_by_sha256(document_id, hashlib.sha256(b"alpha").hexdigest())
    assert alpha.number == 3  # the latest version with that content
    with pytest.raises(NotFoundError):
        app.version_by_sha256(document_id, hashlib.sha256(b"gamma").hexdigest())
    with pytest.raises(InvalidValueError) as caught:
        app.version_by_sha256(document_id, "ABC")
    assert caught.value.field == "sha256"
    with pytest.raises(InvalidValueError):
        document.get_version(4)


def test_unknown_document_is_not_found(event_app: PmoApplication) -> None:
    project_id = new_project(event_app)
    with pytest.raises(NotFoundError):
        event_app.authoritative_at(project_id, datetime.now().astimezone())
    with pytest.raises(NotFoundError):
        event_app.copy_holders(project_id)


def test_every_download_is_a_copy_issued_and_holders_are_listed(
    event_app: PmoApplication,
) -> None:
    app = event_app
    document_id = new_document(app, new_project(app))
    submit(app, document_id, b"v1")
    submit(app, document_id, b"v2")
    reader = Meta(actor="audrey", role="auditor", reason="annual audit")
    written = app.record_copy_issued(document_id, 2, reader)
    app.record_copy_issued(document_id, 1, Meta("colin", "contributor"))
    app.record_copy_issued(document_id, 2, CUSTODIAN, purpose="supplier pack")
    app.issue_copy(document_id, 1, "Acme Ltd", "tender", CUSTODIAN)
    holders = [
        (c.recipient, c.number, c.purpose, c.issued_by)
        for c in app.copy_holders(document_id)
    ]
    assert holders == [
        ("audrey", 2, "annual audit", "audrey"),
        ("colin", 1, "download", "colin"),
        ("cara", 2, "supplier pack", "cara"),
        ("Acme Ltd", 1, "tender", "cara"),
    ]
    copies = app.copy_holders(document_id)
    assert copies[0].issued_at <= copies[-1].issued_at
    last = list(app.events.get(document_id))[-1]
    assert type(last).__name__ == "CopyIssued"
    assert written.position < app.head_position()
    head = app.head_position()
    with pytest.raises(InvalidValueError):
        app.record_copy_issued(document_id, 3, reader)
    assert app.head_position() == head

"""Retention dates, legal holds and disposal: refusals write nothing; content goes."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from uuid import UUID

import pytest

from service.app import PmoApplication
from service.blobs import BlobNotFoundError
from service.domain.base import (
    DomainError,
    InvalidValueError,
    Meta,
    RoleRequiredError,
    TransitionError,
)
from service.domain.document import Document
from service.domain.register import PORTFOLIO_ID
from service.library import Derivation
from service.retention import Period
from tests.custody.conftest import (
    CONTRIBUTOR,
    CUSTODIAN,
    new_document,
    new_project,
    submit,
)

DAY = timedelta(days=1)
NO_REASON = Meta(actor="cara", role="custodian")


def approve(app: PmoApplication, document_id: UUID, number: int) -> None:
    app.send_version_for_review(document_id, number, CUSTODIAN)
    app.approve_version(document_id, number, CUSTODIAN)


def refused(
    app: PmoApplication, error: type[DomainError], command: Callable[[], object]
) -> DomainError:
    """Run a command that must be refused, and check it wrote nothing."""
    head = app.head_position()
    with pytest.raises(error) as caught:
        command()
    assert app.head_position() == head
    return caught.value


def due_on(app: PmoApplication, document_id: UUID) -> date:
    value = app.disposal_date(document_id).disposable_from
    assert value is not None
    return value


def test_each_trigger_gives_a_due_date_once_it_happens(
    event_app: PmoApplication,
) -> None:
    app = event_app
    project_id = new_project(app)
    paper = new_document(app, project_id, "working-paper")
    registered = app.load(Document, paper).created_on.date()
    assert app.disposal_date(paper).due_on == Period(years=1).after(registered)

    deliverable = new_document(app, project_id, "deliverable")
    submit(app, deliverable, b"spec")
    assert app.disposal_date(deliverable).due_on is None
    approve(app, deliverable, 1)
    approved = app.load(Document, deliverable).get_version(1).approved_at
    assert approved is not None
    shown = app.disposal_date(deliverable)
    assert (shown.trigger, shown.action, shown.period) == (
        "approval",
        "review",
        "10 years",
    )
    assert shown.triggered_on == approved.date()
    assert shown.due_on == Period(years=10).after(approved.date())

    record = new_document(app, project_id, "project-record")
    assert app.disposal_date(record).due_on is None
    app.close_project(project_id, CUSTODIAN)
    closed_on = app.load(Document, record).modified_on.date()  # same day
    closed = app.disposal_date(record)
    assert closed.triggered_on is not None and closed.triggered_on >= closed_on
    assert closed.due_on == Period(years=7).after(closed.triggered_on)


def test_disposal_refusals_write_nothing(event_app: PmoApplication) -> None:
    app = event_app
    project_id = new_project(app)
    paper = new_document(app, project_id, "working-paper")
    due = due_on(app, paper)
    early = refused(
        app,
        TransitionError,
        lambda: app.dispose_document(paper, CUSTODIAN, due - DAY),
    )
    assert "before its disposal date" in str(early)
    refused(
        app,
        RoleRequiredError,
        lambda: app.dispose_document(paper, CONTRIBUTOR, due),
    )

    record = new_document(app, project_id, "project-record")
    never = refused(
        app,
        TransitionError,
        lambda: app.dispose_document(record, CUSTODIAN, date(2999, 1, 1)),
    )
    assert "project-close" in str(never)

    app.place_hold(paper, "H-1", "Supplier dispute", "Counsel, 2026-04", CUSTODIAN)
    app.place_hold(paper, "H-2", "Audit", "Internal audit plan", CUSTODIAN)
    for _ in range(2):
        held = refused(
            app,
            TransitionError,
            lambda: app.dispose_document(paper, CUSTODIAN, due),
        )
        assert "under legal hold" in str(held)
        app.release_hold(
            paper,
            "H-1" if "H-1" in app.load(Document, paper).holds else "H-2",
            CUSTODIAN,
        )
    disposal = app.dispose_document(paper, CUSTODIAN, due)
    assert disposal.due_on == due
    again = refused(
        app, TransitionError, lambda: app.dispose_document(paper, CUSTODIAN, due)
    )
    assert "disposed" in str(again)


def test_review_and_transfer_classes_need_a_reason(event_app: PmoApplication) -> None:
    app = event_app
    project_id = new_project(app)
    record = new_document(app, project_id, "project-record")
    app.close_project(project_id, CUSTODIAN)
    due = due_on(app, record)
    missing = refused(
        app,
        InvalidValueError,
        lambda: app.dispose_document(record, NO_REASON, due),
    )
    assert missing.field == "reason"  # type: ignore[attr-defined]
    app.dispose_document(record, CUSTODIAN, due)
    assert app.load(Document, record).status == "disposed"


def test_retention_is_extended_never_shortened(event_app: PmoApplication) -> None:
    app = event_app
    paper = new_document(app, new_project(app))
    due = due_on(app, paper)
    later = due + timedelta(days=90)
    app.extend_retention(paper, later, CUSTODIAN)
    shown = app.disposal_date(paper)
    assert (shown.due_on, shown.retention_until, shown.disposable_from) == (
        due,
        later,
        later,
    )
    for shorter in (later, later - DAY):
        refused(
            app,
            InvalidValueError,
            lambda s=shorter: app.extend_retention(paper, s, CUSTODIAN),
        )
    refused(
        app,
        RoleRequiredError,
        lambda: app.extend_retention(paper, later + DAY, CONTRIBUTOR),
    )
    refused(app, TransitionError, lambda: app.dispose_document(paper, CUSTODIAN, due))
    app.dispose_document(paper, CUSTODIAN, later)


def test_disposal_removes_content_and_keeps_the_stub_and_history(
    app: PmoApplication, owner: str
) -> None:
    project_id = new_project(app) if owner == "project" else PORTFOLIO_ID
    paper = new_document(app, project_id)
    for body in (b"draft one\n", b"draft two\n"):
        submit(app, paper, body)
    approve(app, paper, 2)
    app.record_copy_issued(paper, 2, CONTRIBUTOR)
    before = app.load(Document, paper)
    hashes = [v.sha256 for v in before.versions]
    history = [type(e).__name__ for e in app.events.get(paper)]
    disposal = app.dispose_document(
        paper, CUSTODIAN, due_on(app, paper), grace=timedelta(0)
    )
    assert sorted(disposal.removed) == sorted(hashes) and disposal.retained == ()
    for sha256 in hashes:
        assert not app.blobs.exists(sha256)
        with pytest.raises(BlobNotFoundError):
            app.blobs.open(sha256)
    stub = app.load(Document, paper)
    assert (stub.status, stub.title, stub.retention_class) == (
        "disposed",
        "Plan",
        "working-paper",
    )
    assert [v.sha256 for v in stub.versions] == hashes
    assert stub.authoritative is not None and stub.authoritative.number == 2
    assert len(stub.copies) == 1
    events = list(app.events.get(paper))
    assert [type(e).__name__ for e in events] == [*history, "Disposed"]
    disposed = events[-1]
    assert disposed.retention_class == "working-paper"  # type: ignore[attr-defined]
    assert disposed.due_on == disposal.due_on  # type: ignore[attr-defined]
    assert disposed.meta.actor == "cara"  # type: ignore[attr-defined]
    assert disposal.written.position == app.head_position()
    assert app.verify_content(app.content_inventory()).ok
    refused(app, TransitionError, lambda: submit(app, paper, b"after disposal"))
    refused(app, TransitionError, lambda: app.record_copy_issued(paper, 1, CUSTODIAN))


def test_shared_content_stays_until_its_last_document_is_disposed(
    app: PmoApplication,
) -> None:
    project_id = new_project(app)
    first, second = new_document(app, project_id), new_document(app, project_id)
    submit(app, first, b"shared annex\n")
    submit(app, first, b"only in the first\n")
    submit(app, second, b"shared annex\n")
    shared = app.load(Document, second).get_version(1).sha256
    own = app.load(Document, first).get_version(2).sha256
    disposal = app.dispose_document(
        first, CUSTODIAN, due_on(app, first), grace=timedelta(0)
    )
    assert (disposal.removed, disposal.retained) == ((own,), (shared,))
    assert app.blobs.exists(shared) and not app.blobs.exists(own)
    assert app.verify_content(app.content_inventory()).ok
    assert app.collect_blob_garbage(timedelta(0)) == []
    assert app.blobs.verify(shared) == "ok"
    later = app.dispose_document(
        second, CUSTODIAN, due_on(app, second), grace=timedelta(0)
    )
    assert later.removed == (shared,)
    assert not app.blobs.exists(shared)


def test_a_document_started_from_a_template_shares_its_content(
    app: PmoApplication,
) -> None:
    template = app.register_library_document(
        "Plan template", "template", "internal", "working-paper", "Cara", CUSTODIAN
    ).id
    submit(app, template, b"# Plan\n")
    start = Derivation(
        "template",
        template,
        1,
        new_project(app),
        "Our plan",
        "plan",
        "internal",
        "working-paper",
        "Cara",
    )
    refused(app, TransitionError, lambda: app.derive_document(start, CUSTODIAN))
    approve(app, template, 1)
    started = app.derive_document(start, CUSTODIAN).id
    sha256 = app.load(Document, template).get_version(1).sha256
    assert app.load(Document, started).get_version(1).sha256 == sha256
    disposal = app.dispose_document(
        started, CUSTODIAN, due_on(app, started), grace=timedelta(0)
    )
    assert (disposal.removed, disposal.retained) == ((), (sha256,))
    assert app.blobs.verify(sha256) == "ok"
    later = app.dispose_document(
        template, CUSTODIAN, due_on(app, template), grace=timedelta(0)
    )
    assert later.removed == (sha256,)


def test_content_stored_again_recently_is_left_for_gc(app: PmoApplication) -> None:
    paper = new_document(app, new_project(app))
    submit(app, paper, b"fresh\n")
    sha256 = app.load(Document, paper).get_version(1).sha256
    disposal = app.dispose_document(paper, CUSTODIAN, due_on(app, paper))
    assert (disposal.removed, disposal.retained) == ((), (sha256,))
    report = app.verify_content(app.content_inventory())
    assert [(f.sha256, f.problem) for f in report.findings] == [(sha256, "retained")]
    assert app.collect_blob_garbage(timedelta(hours=1)) == []
    assert app.collect_blob_garbage(timedelta(0)) == [sha256]
    assert app.verify_content(app.content_inventory()).ok

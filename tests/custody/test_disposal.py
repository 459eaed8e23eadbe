"""Retention dates, legal holds and disposal: refusals write nothing; content goes."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from uuid import UUID

import pytest

from service.app import PmoLedger
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


def approve(ledger: PmoLedger, document_id: UUID, number: int) -> None:
    ledger.send_version_for_review(document_id, number, CUSTODIAN)
    ledger.approve_version(document_id, number, CUSTODIAN)


def refused(
    ledger: PmoLedger, error: type[DomainError], command: Callable[[], object]
) -> DomainError:
    """Run a command that must be refused, and check it wrote nothing."""
    head = ledger.head_position()
    with pytest.raises(error) as caught:
        command()
    assert ledger.head_position() == head
    return caught.value


def due_on(ledger: PmoLedger, document_id: UUID) -> date:
    value = ledger.disposal_date(document_id).disposable_from
    assert value is not None
    return value


def test_each_trigger_gives_a_due_date_once_it_happens(
    event_ledger: PmoLedger,
) -> None:
    ledger = event_ledger
    project_id = new_project(ledger)
    paper = new_document(ledger, project_id, "working-paper")
    registered = ledger.load(Document, paper).created_on.date()
    assert ledger.disposal_date(paper).due_on == Period(years=1).after(registered)

    deliverable = new_document(ledger, project_id, "deliverable")
    submit(ledger, deliverable, b"spec")
    assert ledger.disposal_date(deliverable).due_on is None
    approve(ledger, deliverable, 1)
    approved = ledger.load(Document, deliverable).get_version(1).approved_at
    assert approved is not None
    shown = ledger.disposal_date(deliverable)
    assert (shown.trigger, shown.action, shown.period) == (
        "approval",
        "review",
        "10 years",
    )
    assert shown.triggered_on == approved.date()
    assert shown.due_on == Period(years=10).after(approved.date())

    record = new_document(ledger, project_id, "project-record")
    assert ledger.disposal_date(record).due_on is None
    ledger.close_project(project_id, CUSTODIAN)
    closed_on = ledger.load(Document, record).modified_on.date()  # same day
    closed = ledger.disposal_date(record)
    assert closed.triggered_on is not None and closed.triggered_on >= closed_on
    assert closed.due_on == Period(years=7).after(closed.triggered_on)


def test_disposal_refusals_write_nothing(event_ledger: PmoLedger) -> None:
    ledger = event_ledger
    project_id = new_project(ledger)
    paper = new_document(ledger, project_id, "working-paper")
    due = due_on(ledger, paper)
    early = refused(
        ledger,
        TransitionError,
        lambda: ledger.dispose_document(paper, CUSTODIAN, due - DAY),
    )
    assert "before its disposal date" in str(early)
    refused(
        ledger,
        RoleRequiredError,
        lambda: ledger.dispose_document(paper, CONTRIBUTOR, due),
    )

    record = new_document(ledger, project_id, "project-record")
    never = refused(
        ledger,
        TransitionError,
        lambda: ledger.dispose_document(record, CUSTODIAN, date(2999, 1, 1)),
    )
    assert "project-close" in str(never)

    ledger.place_hold(paper, "H-1", "Supplier dispute", "Counsel, 2026-04", CUSTODIAN)
    ledger.place_hold(paper, "H-2", "Audit", "Internal audit plan", CUSTODIAN)
    for _ in range(2):
        held = refused(
            ledger,
            TransitionError,
            lambda: ledger.dispose_document(paper, CUSTODIAN, due),
        )
        assert "under legal hold" in str(held)
        ledger.release_hold(
            paper,
            "H-1" if "H-1" in ledger.load(Document, paper).holds else "H-2",
            CUSTODIAN,
        )
    disposal = ledger.dispose_document(paper, CUSTODIAN, due)
    assert disposal.due_on == due
    again = refused(
        ledger, TransitionError, lambda: ledger.dispose_document(paper, CUSTODIAN, due)
    )
    assert "disposed" in str(again)


def test_review_and_transfer_classes_need_a_reason(event_ledger: PmoLedger) -> None:
    ledger = event_ledger
    project_id = new_project(ledger)
    record = new_document(ledger, project_id, "project-record")
    ledger.close_project(project_id, CUSTODIAN)
    due = due_on(ledger, record)
    missing = refused(
        ledger,
        InvalidValueError,
        lambda: ledger.dispose_document(record, NO_REASON, due),
    )
    assert missing.field == "reason"  # type: ignore[attr-defined]
    ledger.dispose_document(record, CUSTODIAN, due)
    assert ledger.load(Document, record).status == "disposed"


def test_retention_is_extended_never_shortened(event_ledger: PmoLedger) -> None:
    ledger = event_ledger
    paper = new_document(ledger, new_project(ledger))
    due = due_on(ledger, paper)
    later = due + timedelta(days=90)
    ledger.extend_retention(paper, later, CUSTODIAN)
    shown = ledger.disposal_date(paper)
    assert (shown.due_on, shown.retention_until, shown.disposable_from) == (
        due,
        later,
        later,
    )
    for shorter in (later, later - DAY):
        refused(
            ledger,
            InvalidValueError,
            lambda s=shorter: ledger.extend_retention(paper, s, CUSTODIAN),
        )
    refused(
        ledger,
        RoleRequiredError,
        lambda: ledger.extend_retention(paper, later + DAY, CONTRIBUTOR),
    )
    refused(
        ledger, TransitionError, lambda: ledger.dispose_document(paper, CUSTODIAN, due)
    )
    ledger.dispose_document(paper, CUSTODIAN, later)


def test_disposal_removes_content_and_keeps_the_stub_and_history(
    ledger: PmoLedger, owner: str
) -> None:
    project_id = new_project(ledger) if owner == "project" else PORTFOLIO_ID
    paper = new_document(ledger, project_id)
    for body in (b"draft one\n", b"draft two\n"):
        submit(ledger, paper, body)
    approve(ledger, paper, 2)
    ledger.record_copy_issued(paper, 2, CONTRIBUTOR)
    before = ledger.load(Document, paper)
    hashes = [v.sha256 for v in before.versions]
    history = [type(e).__name__ for e in ledger.events.get(paper)]
    disposal = ledger.dispose_document(
        paper, CUSTODIAN, due_on(ledger, paper), grace=timedelta(0)
    )
    assert sorted(disposal.removed) == sorted(hashes) and disposal.retained == ()
    for sha256 in hashes:
        assert not ledger.blobs.exists(sha256)
        with pytest.raises(BlobNotFoundError):
            ledger.blobs.open(sha256)
    stub = ledger.load(Document, paper)
    assert (stub.status, stub.title, stub.retention_class) == (
        "disposed",
        "Plan",
        "working-paper",
    )
    assert [v.sha256 for v in stub.versions] == hashes
    assert stub.authoritative is not None and stub.authoritative.number == 2
    assert len(stub.copies) == 1
    events = list(ledger.events.get(paper))
    assert [type(e).__name__ for e in events] == [*history, "Disposed"]
    disposed = events[-1]
    assert disposed.retention_class == "working-paper"  # type: ignore[attr-defined]
    assert disposed.due_on == disposal.due_on  # type: ignore[attr-defined]
    assert disposed.meta.actor == "cara"  # type: ignore[attr-defined]
    assert disposal.written.position == ledger.head_position()
    assert ledger.verify_content(ledger.content_inventory()).ok
    refused(ledger, TransitionError, lambda: submit(ledger, paper, b"after disposal"))
    refused(
        ledger, TransitionError, lambda: ledger.record_copy_issued(paper, 1, CUSTODIAN)
    )


def test_shared_content_stays_until_its_last_document_is_disposed(
    ledger: PmoLedger,
) -> None:
    project_id = new_project(ledger)
    first, second = new_document(ledger, project_id), new_document(ledger, project_id)
    submit(ledger, first, b"shared annex\n")
    submit(ledger, first, b"only in the first\n")
    submit(ledger, second, b"shared annex\n")
    shared = ledger.load(Document, second).get_version(1).sha256
    own = ledger.load(Document, first).get_version(2).sha256
    disposal = ledger.dispose_document(
        first, CUSTODIAN, due_on(ledger, first), grace=timedelta(0)
    )
    assert (disposal.removed, disposal.retained) == ((own,), (shared,))
    assert ledger.blobs.exists(shared) and not ledger.blobs.exists(own)
    assert ledger.verify_content(ledger.content_inventory()).ok
    assert ledger.collect_blob_garbage(timedelta(0)) == []
    assert ledger.blobs.verify(shared) == "ok"
    later = ledger.dispose_document(
        second, CUSTODIAN, due_on(ledger, second), grace=timedelta(0)
    )
    assert later.removed == (shared,)
    assert not ledger.blobs.exists(shared)


def test_a_document_started_from_a_template_shares_its_content(
    ledger: PmoLedger,
) -> None:
    template = ledger.register_library_document(
        "Plan template", "template", "internal", "working-paper", "Cara", CUSTODIAN
    ).id
    submit(ledger, template, b"# Plan\n")
    start = Derivation(
        "template",
        template,
        1,
        new_project(ledger),
        "Our plan",
        "plan",
        "internal",
        "working-paper",
        "Cara",
    )
    refused(ledger, TransitionError, lambda: ledger.derive_document(start, CUSTODIAN))
    approve(ledger, template, 1)
    started = ledger.derive_document(start, CUSTODIAN).id
    sha256 = ledger.load(Document, template).get_version(1).sha256
    assert ledger.load(Document, started).get_version(1).sha256 == sha256
    disposal = ledger.dispose_document(
        started, CUSTODIAN, due_on(ledger, started), grace=timedelta(0)
    )
    assert (disposal.removed, disposal.retained) == ((), (sha256,))
    assert ledger.blobs.verify(sha256) == "ok"
    later = ledger.dispose_document(
        template, CUSTODIAN, due_on(ledger, template), grace=timedelta(0)
    )
    assert later.removed == (sha256,)


def test_content_stored_again_recently_is_left_for_gc(ledger: PmoLedger) -> None:
    paper = new_document(ledger, new_project(ledger))
    submit(ledger, paper, b"fresh\n")
    sha256 = ledger.load(Document, paper).get_version(1).sha256
    disposal = ledger.dispose_document(paper, CUSTODIAN, due_on(ledger, paper))
    assert (disposal.removed, disposal.retained) == ((), (sha256,))
    report = ledger.verify_content(ledger.content_inventory())
    assert [(f.sha256, f.problem) for f in report.findings] == [(sha256, "retained")]
    assert ledger.collect_blob_garbage(timedelta(hours=1)) == []
    assert ledger.collect_blob_garbage(timedelta(0)) == [sha256]
    assert ledger.verify_content(ledger.content_inventory()).ok

"""The worklist, the review's steps (a second person approves), the certificate."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import UTC, datetime, timedelta

import pytest

from service.domain.base import InvalidValueError, Meta, TransitionError
from service.domain.disposition import DispositionReview
from service.domain.document import Document
from tests.custody.conftest import submit
from tests.records.conftest import CARA, DORA, HEAD, approved, new_project, new_record
from usecases import certificates, disposition, matters, records_reports
from usecases.root import Services, ledger_worker


def test_the_worklist_lists_what_is_due_by_class_project_and_action(
    services: Services,
) -> None:
    app = services.app
    before = datetime.now(UTC)
    alpha, beta = new_project(app, "ALPHA"), new_project(app, "BETA")
    brief = new_record(app, alpha, "Brief")
    handover = new_record(app, beta, "Handover", "handover", "handover")
    new_record(app, alpha, "Memo", "memo", "working-paper")  # due in a year
    due = disposition.worklist(services, disposition.WorklistQuery())
    assert {r["title"] for r in due} == {"Brief", "Handover"}
    year = disposition.WorklistQuery(within_days=366)
    assert {r["title"] for r in disposition.worklist(services, year)} == {
        "Brief",
        "Handover",
        "Memo",
    }
    by = {
        disposition.WorklistQuery(record_class="GOV.HAND"): {"Handover"},
        disposition.WorklistQuery(record_class="GOV"): {"Brief", "Handover"},
        disposition.WorklistQuery(project_id=alpha): {"Brief"},
        disposition.WorklistQuery(action="destroy"): {"Brief"},
        disposition.WorklistQuery(action="transfer"): {"Handover"},
        disposition.WorklistQuery(as_of=before): set(),
    }
    for query, titles in by.items():
        assert {r["title"] for r in disposition.worklist(services, query)} == titles
    matters.place_hold(
        services,
        matters.PlaceMatterHold("LIT-1", "Dispute", "Counsel", document_ids=(brief,)),
        CARA,
    )
    rows = {r["document_id"]: r for r in disposition.worklist(services, year)}
    assert rows[str(brief)]["held_by"] == ["LIT-1"]
    assert rows[str(handover)]["action"] == "transfer"
    with pytest.raises(InvalidValueError):
        disposition.worklist(services, disposition.WorklistQuery(within_days=-1))


def test_a_second_person_approves_and_the_certificate_verifies(
    services: Services,
) -> None:
    app = services.app
    project = new_project(app, "CERT")
    first, second = (
        new_record(app, project, "One"),
        new_record(app, project, "Two"),
    )
    submit(app, first, b"first record's bytes")
    submit(app, second, b"second record's bytes")
    review = disposition.propose(
        services,
        disposition.ProposeDisposition("destroy", (first, second), "due briefs"),
        CARA,
    ).id
    execute = certificates.ExecuteDisposition(review)
    with pytest.raises(TransitionError, match="proposed"):
        certificates.execute(services, execute, HEAD)
    step = disposition.ReviewStep
    with pytest.raises(TransitionError, match="proposed"):
        disposition.take_step(services, step(review, "approve"), HEAD)
    disposition.take_step(services, step(review, "review"), CARA)
    head = app.head_position()
    for same in (CARA, Meta("cara", "pmo-head", "I am the head too")):
        with pytest.raises(TransitionError, match="second person"):
            disposition.take_step(services, step(review, "approve"), same)
    assert app.head_position() == head
    before_approval = datetime.now(UTC)
    disposition.take_step(services, step(review, "approve"), HEAD)
    shown = disposition.get_review(services, review)
    assert (shown["status"], shown["approved_by"]) == ("approved", "hana")
    assert disposition.get_review(services, review, before_approval)["status"] == (
        "reviewed"
    )
    done = certificates.execute(services, execute, DORA)
    assert all(app.load(Document, d).status == "disposed" for d in (first, second))
    body = certificates.stored(services, review, "certificate")
    data = json.loads(body)
    assert data["approved"]["by"] == "hana" and data["executed"]["by"] == "dora"
    assert data["proposed"]["by"] == "cara" and data["reviewed"]["by"] == "cara"
    hashes = {e["title"]: e["versions"][0]["sha256"] for e in data["records"]}
    assert set(hashes) == {"One", "Two"}
    # Stored within the hour, so kept for an upload in flight; gc removes them.
    assert all(e["retained"] == [hashes[e["title"]]] for e in data["records"])
    app.collect_blob_garbage(timedelta(0))
    assert all(not app.blobs.exists(h) for h in hashes.values())
    assert all(e["schedule"]["retention_class"] == "scratch" for e in data["records"])
    assert (
        done.certificate_sha256
        == app.load(DispositionReview, review).certificate_sha256
    )
    assert certificates.verify_certificate(services, review)["ok"] is True
    app.blobs.delete(done.certificate_sha256)
    verdict = certificates.verify_certificate(services, review)
    assert verdict["ok"] is False and verdict["problems"] == [
        "the certificate is missing"
    ]
    disposals = records_reports.report_rows(
        services, records_reports.ReportQuery("disposals")
    )
    assert {r["title"] for r in disposals} == {"One", "Two"}
    assert all(str(review) in r["reason"] for r in disposals)
    earlier = records_reports.ReportQuery("disposals", before_approval)
    assert records_reports.report_rows(services, earlier) == []


def test_execution_refuses_every_record_if_one_may_not_go(services: Services) -> None:
    app = services.app
    project = new_project(app, "HOLD")
    free = new_record(app, project, "Free")
    held = new_record(app, project, "Held")
    memo = new_record(app, project, "Memo", "memo", "working-paper")
    app.place_hold(held, "H-1", "Audit", "Auditor", CARA)
    review = approved(services, "destroy", [free, held])
    with pytest.raises(TransitionError, match="H-1"):
        certificates.execute(services, certificates.ExecuteDisposition(review), CARA)
    assert app.load(Document, free).status == "active"
    early = approved(services, "destroy", [memo])
    with pytest.raises(TransitionError, match="not yet due"):
        certificates.execute(services, certificates.ExecuteDisposition(early), CARA)
    wrong = approved(services, "transfer", [free])
    with pytest.raises(TransitionError, match="scheduled for destroy"):
        certificates.execute(services, certificates.ExecuteDisposition(wrong), CARA)
    assert disposition.get_review(services, wrong)["status"] == "approved"


def test_a_transfer_hands_over_a_package_with_its_evidence(services: Services) -> None:
    app = services.app
    project = new_project(app, "XFER")
    record = new_record(app, project, "Handover", "handover", "handover")
    submit(app, record, b"handover contents", filename="handover.txt")
    review = approved(services, "transfer", [record])
    ledger_worker(services).sign_now()
    done = certificates.execute(services, certificates.ExecuteDisposition(review), CARA)
    assert done.package_sha256 is not None
    package = certificates.stored(services, review, "package")
    with zipfile.ZipFile(io.BytesIO(package)) as archive:
        names = archive.namelist()
        folder = f"records/{record}"
        assert archive.read(f"{folder}/v1-handover.txt") == b"handover contents"
        metadata = json.loads(archive.read(f"{folder}/metadata.json"))
        assert metadata["record_class"] == "GOV.HAND"
        history = json.loads(archive.read(f"{folder}/history.json"))
        assert [e["type"] for e in history][:2] == [
            "Document.Registered",
            "Document.VersionSubmitted",
        ]
    assert any(n.startswith("evidence/evidence-XFER-") for n in names)
    assert certificates.verify_certificate(services, review)["ok"] is True
    moment = datetime.now(UTC) + timedelta(seconds=1)
    reviews = disposition.list_reviews(services, moment)
    assert [r["status"] for r in reviews] == ["executed"]

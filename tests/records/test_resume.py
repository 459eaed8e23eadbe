"""An execution cut short is finished by executing again (decision 125).

Interruptions are a KeyboardInterrupt (what Ctrl-C raises) at a chosen call:
before a record's disposal, or after its Disposed event is committed and
before its content is removed (a crash in between).
"""

from __future__ import annotations

import io
import json
import os
import zipfile
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
from click.testing import CliRunner

from api.cli import main
from service.app import PmoApplication
from service.blobs.files import FileBlobStore
from service.domain.base import TransitionError
from service.domain.disposition import DispositionReview
from service.domain.document import Document
from tests.cli.test_cli import env_for
from tests.conftest import settings_for
from tests.custody.conftest import submit
from tests.records.conftest import (
    CARA,
    approved,
    interrupt,
    new_project,
    new_record,
    records_services,
)
from usecases import certificates, disposition, records_reports
from usecases.root import Services, ledger_worker

TITLES = ("Brief 1", "Brief 2", "Brief 3", "Brief 4")


def stored_long_ago(app: PmoApplication, sha256: str) -> None:
    """Content stored a day ago, past the hour a disposal leaves it for."""
    store = app.blobs
    assert isinstance(store, FileBlobStore)
    moment = (datetime.now(UTC) - timedelta(days=1)).timestamp()
    os.utime(store.root / sha256[:2] / sha256[2:4] / sha256, (moment, moment))


def due_briefs(services: Services) -> list[UUID]:
    """Four records due at once, each with its own content stored long ago."""
    app = services.app
    project = new_project(app, "RES")
    made = []
    for title in TITLES:
        record = new_record(app, project, title)
        submit(app, record, f"{title} content".encode())
        stored_long_ago(app, app.load(Document, record).versions[0].sha256)
        made.append(record)
    return made


def execute(
    services: Services, review: UUID, told: Callable[[int, int], None] | None = None
) -> certificates.Execution:
    command = certificates.ExecuteDisposition(review, told or (lambda d, t: None))
    return certificates.execute(services, command, CARA)


def records_of(services: Services, review: UUID) -> list[dict[str, Any]]:
    """The certificate's entries without the ids a store draws at random."""
    data = json.loads(certificates.stored(services, review, "certificate"))
    entries = [
        {k: v for k, v in e.items() if k not in ("document_id", "project_id")}
        for e in data["records"]
    ]
    return sorted(entries, key=lambda e: e["title"])


def statuses(services: Services, ids: list[UUID]) -> list[str]:
    return [services.app.load(Document, d).status for d in ids]


def test_an_interrupted_execution_ends_as_an_uninterrupted_one_would(
    services: Services,
    backend: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with (
        settings_for(backend, tmp_path / "whole") as other,
        records_services(other) as whole,
    ):
        execute(whole, approved(whole, "destroy", due_briefs(whole)))
        [uninterrupted] = disposition.list_reviews(whole)
        expected = records_of(whole, UUID(uninterrupted["id"]))
    app = services.app
    briefs = due_briefs(services)
    review = approved(services, "destroy", briefs)
    # The third record's disposal is committed; its content is not yet removed.
    interrupt(monkeypatch, app, "remove_disposed_content", 3)
    with pytest.raises(KeyboardInterrupt):
        execute(services, review)
    monkeypatch.undo()
    order = sorted(briefs, key=str)  # a review keeps its records in id order
    assert statuses(services, order) == ["disposed"] * 3 + ["active"]
    third = app.load(Document, order[2])
    assert third.disposed_by_review == review
    assert app.blobs.exists(third.versions[0].sha256)
    shown = disposition.get_review(services, review)
    assert (shown["status"], shown["started_by"]) == ("executing", "cara")
    assert shown["certificate_sha256"] is None
    with pytest.raises(TransitionError, match="executing"):
        disposition.take_step(services, disposition.ReviewStep(review, "reject"), CARA)
    told: list[tuple[int, int]] = []
    done = execute(services, review, lambda d, t: told.append((d, t)))
    assert told == [(3, 4), (4, 4)]
    assert statuses(services, briefs) == ["disposed"] * 4
    assert not app.blobs.exists(third.versions[0].sha256)
    assert records_of(services, review) == expected
    assert all(e["removed"] and not e["retained"] for e in expected)
    shown = disposition.get_review(services, review)
    assert shown["status"] == "executed"
    assert shown["certificate_sha256"] == done.certificate_sha256
    assert certificates.verify_certificate(services, review)["ok"] is True
    rows = records_reports.report_rows(
        services, records_reports.ReportQuery("disposals")
    )
    assert sorted(r["document_id"] for r in rows) == sorted(str(b) for b in briefs)
    # Finished is final: executing again is refused and records nothing.
    head = app.head_position()
    with pytest.raises(TransitionError, match="executed"):
        execute(services, review)
    assert app.head_position() == head


def test_a_record_disposed_of_outside_the_review_is_refused(
    services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = services.app
    briefs = sorted(due_briefs(services)[:3], key=str)
    other = approved(services, "destroy", briefs[:1])
    review = approved(services, "destroy", briefs)
    interrupt(monkeypatch, app, "dispose_document", 2)
    with pytest.raises(KeyboardInterrupt):
        execute(services, review)
    monkeypatch.undo()
    assert statuses(services, briefs) == ["disposed", "active", "active"]
    # The first record went by the review: the other review may not claim it.
    head = app.head_position()
    with pytest.raises(TransitionError, match="disposed of outside this review"):
        execute(services, other)
    app.dispose_document(briefs[2], CARA)
    with pytest.raises(TransitionError, match="disposed of outside this review"):
        execute(services, review)
    assert app.head_position() == head + 1  # only the direct disposal
    assert app.load(Document, briefs[1]).status == "active"
    assert disposition.get_review(services, review)["status"] == "executing"
    assert disposition.get_review(services, other)["status"] == "approved"


def test_an_interrupted_transfer_hands_over_the_package_written_first(
    services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = services.app
    project = new_project(app, "XFR")
    made = []
    for name in ("first", "second"):
        record = new_record(app, project, name, "handover", "handover")
        submit(app, record, f"{name} handover".encode(), filename=f"{name}.txt")
        stored_long_ago(app, app.load(Document, record).versions[0].sha256)
        made.append(record)
    review = approved(services, "transfer", made)
    ledger_worker(services).sign_now()
    interrupt(monkeypatch, app, "dispose_document", 2)
    with pytest.raises(KeyboardInterrupt):
        execute(services, review)
    monkeypatch.undo()
    package = app.load(DispositionReview, review).package_sha256
    assert package is not None
    app.collect_blob_garbage(timedelta(0))  # the started review keeps it
    gone = [r for r in made if app.load(Document, r).status == "disposed"]
    assert len(gone) == 1
    assert not app.blobs.exists(app.load(Document, gone[0]).versions[0].sha256)
    kept = certificates.stored(services, review, "package")
    app.blobs.delete(package)
    with pytest.raises(TransitionError, match=r"without its package \(missing\)"):
        execute(services, review)
    app.blobs.put(io.BytesIO(kept))
    done = execute(services, review)
    assert done.package_sha256 == package
    with zipfile.ZipFile(io.BytesIO(kept)) as archive:
        for record, name in zip(made, ("first", "second"), strict=True):
            content = archive.read(f"records/{record}/v1-{name}.txt")
            assert content == f"{name} handover".encode()
    data = json.loads(certificates.stored(services, review, "certificate"))
    assert data["package_sha256"] == package
    assert sorted(e["title"] for e in data["records"]) == ["first", "second"]
    assert certificates.verify_certificate(services, review)["ok"] is True


def test_the_command_line_shows_progress_and_finishes_when_run_again(
    services: Services, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    briefs = due_briefs(services)
    review = approved(services, "destroy", briefs)
    runner, env = CliRunner(), env_for(settings)
    args = ["dispositions", "execute", str(review), "--actor", "olga"]
    interrupt(monkeypatch, PmoApplication, "dispose_document", 3)
    cut = runner.invoke(main, args, env=env)
    monkeypatch.undo()
    assert cut.exit_code == 130, cut.output
    assert "Disposing of records" in cut.output
    assert "interrupted (2 of 4 disposed of): run it again to finish" in cut.output
    finished = runner.invoke(main, args, env=env)
    assert finished.exit_code == 0, finished.output
    shown = disposition.get_review(services, review)
    assert (shown["status"], shown["executed_by"]) == ("executed", "olga")
    assert f"certificate {shown['certificate_sha256']}" in finished.output
    assert "executed: 4 records disposed of (2 by an earlier run)" in finished.output
    again = runner.invoke(main, args, env=env)
    assert again.exit_code == 1
    assert "cannot execute a disposition review that is executed" in again.output
    missing = runner.invoke(main, ["dispositions", "execute", "not-a-uuid"], env=env)
    assert missing.exit_code == 2
    ledger_worker(services).sign_now()
    verified = runner.invoke(main, ["verify"], env=env)
    assert verified.exit_code == 0, verified.output

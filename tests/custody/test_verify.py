"""`documents verify` finds flipped, truncated, missing and unexpected content;
a crash between the blob write and the event commit leaves only an orphan for gc."""

from __future__ import annotations

import hashlib
import io
from datetime import timedelta

import pytest
from click.testing import CliRunner
from sqlalchemy import select, update

from api.cli import main
from service.app import PmoApplication
from service.blobs import FileBlobStore
from service.blobs.database import blob_chunks
from service.config import Settings
from service.domain.document import Document
from service.errors import StoreUnavailableError, VersionConflictError
from tests.custody.conftest import CUSTODIAN, new_document, new_project, submit
from usecases.root import Services

BODY = b"0123456789abcdef" * 4096  # 64 KiB


def env_for(settings: Settings) -> dict[str, str]:
    return {
        "PMO_LEDGER_DATA_DIR": str(settings.data_dir),
        "PMO_LEDGER_DATABASE_URL": settings.database_url,
        "PMO_LEDGER_BLOB_BACKEND": settings.blob_backend,
    }


def rewrite(services: Services, sha256: str, change: bytes | None) -> None:
    """Replace a stored blob's bytes behind the store's back (flip or truncate)."""
    store = services.app.blobs
    if isinstance(store, FileBlobStore):
        path = store.root / sha256[:2] / sha256[2:4] / sha256
        path.chmod(0o600)
        data = path.read_bytes()
        path.write_bytes(_mangle(data, change))
        return
    where = (blob_chunks.c.sha256 == sha256) & (blob_chunks.c.seq == 0)
    with services.views_engine.begin() as conn:
        data = bytes(conn.scalar(select(blob_chunks.c.data).where(where)))
        conn.execute(
            update(blob_chunks).where(where).values(data=_mangle(data, change))
        )


def _mangle(data: bytes, change: bytes | None) -> bytes:
    if change is None:
        return data[: len(data) // 2]
    return data[:100] + bytes([data[100] ^ 0x01]) + data[101:]


def test_verify_reports_flipped_truncated_missing_and_unexpected_content(
    services: Services, blob_settings: Settings
) -> None:
    app = services.app
    project_id = new_project(app)
    documents = [new_document(app, project_id) for _ in range(4)]
    for i, document_id in enumerate(documents):
        submit(app, document_id, bytes([65 + i]) + BODY)
    flipped, truncated, missing, intact = (
        app.load(Document, d).get_version(1).sha256 for d in documents
    )
    extra = app.blobs.put(io.BytesIO(b"nobody references this")).sha256
    runner = CliRunner()
    clean = runner.invoke(main, ["documents", "verify"], env=env_for(blob_settings))
    assert clean.exit_code == 0, clean.output
    assert "checked 4 blobs: all intact" in clean.stderr

    rewrite(services, flipped, b"flip")
    rewrite(services, truncated, None)
    app.blobs.delete(missing)
    report = app.verify_content(app.content_inventory())
    found = {(f.sha256, f.problem) for f in report.findings}
    assert found == {
        (flipped, "corrupt"),
        (truncated, "corrupt"),
        (missing, "missing"),
        (extra, "unexpected"),
    }
    assert report.checked == 4 and not report.ok
    assert intact not in {f.sha256 for f in report.findings}
    by_problem = {f.problem: f for f in report.findings}
    assert by_problem["missing"].refs[0].document_id == documents[2]

    result = runner.invoke(
        main, ["documents", "verify", "--grace", "0"], env=env_for(blob_settings)
    )
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert f"missing    {missing}  {documents[2]} v1" in lines
    assert any(line.startswith(f"corrupt    {truncated}") for line in lines)
    assert f"unexpected {extra}" in lines
    assert "4 problem(s)" in result.stderr


def test_a_refused_commit_after_the_blob_write_leaves_only_an_orphan(
    app: PmoApplication, monkeypatch: pytest.MonkeyPatch
) -> None:
    document_id = new_document(app, new_project(app))
    submit(app, document_id, b"committed\n")
    head = app.head_position()
    with pytest.raises(VersionConflictError):
        app.submit_version(
            document_id,
            io.BytesIO(b"conflicted\n"),
            "text/plain",
            "a.txt",
            "",
            CUSTODIAN,
            expected_version=1,
        )

    def crash(*_aggregates: object) -> int:
        raise StoreUnavailableError("the database went away")

    monkeypatch.setattr(app, "commit", crash)
    with pytest.raises(StoreUnavailableError):
        app.submit_version(
            document_id, io.BytesIO(b"crashed\n"), "text/plain", "b.txt", "", CUSTODIAN
        )
    monkeypatch.undo()
    assert app.head_position() == head
    assert len(app.load(Document, document_id).versions) == 1
    orphans = {hashlib.sha256(b).hexdigest() for b in (b"conflicted\n", b"crashed\n")}
    assert all(app.blobs.exists(sha256) for sha256 in orphans)
    inventory = app.content_inventory()
    assert orphans.isdisjoint(inventory.live) and len(inventory.live) == 1
    report = app.verify_content(inventory)
    assert {(f.sha256, f.problem) for f in report.findings} == {
        (sha256, "unexpected") for sha256 in orphans
    }
    assert app.collect_blob_garbage(timedelta(hours=1)) == []
    assert sorted(app.collect_blob_garbage(timedelta(0))) == sorted(orphans)
    after = app.verify_content(app.content_inventory())
    assert after.ok and after.checked == 1  # every event still has its content


def test_blobs_gc_command_removes_orphans_past_the_grace(
    services: Services, blob_settings: Settings
) -> None:
    app = services.app
    document_id = new_document(app, new_project(app))
    submit(app, document_id, b"kept\n")
    orphan = app.blobs.put(io.BytesIO(b"orphan\n")).sha256
    runner = CliRunner()
    env = env_for(blob_settings)
    kept = runner.invoke(main, ["blobs", "gc"], env=env)
    assert kept.exit_code == 0, kept.output
    assert app.blobs.exists(orphan) and "removed 0" in kept.stderr
    removed = runner.invoke(main, ["blobs", "gc", "--grace", "0"], env=env)
    assert removed.exit_code == 0, removed.output
    assert removed.stdout.splitlines() == [f"removed {orphan}"]
    assert not app.blobs.exists(orphan)
    assert app.verify_content(app.content_inventory()).ok

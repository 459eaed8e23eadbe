"""Garbage collection removes old unreferenced blobs and never a write in flight."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

import pytest
from blob_harness import Harness

from service.blobs import collect_garbage

GRACE = timedelta(hours=1)


def _put(harness: Harness, body: bytes) -> str:
    return harness.store.put(io.BytesIO(body)).sha256


def test_gc_removes_only_old_unreferenced_blobs(harness: Harness) -> None:
    now = datetime.now(UTC)
    orphan = _put(harness, b"written, but its event never committed")
    referenced = _put(harness, b"approved version 1")
    young = _put(harness, b"upload whose event is committing now")
    for sha256 in (orphan, referenced):
        harness.backdate(sha256, now - 2 * GRACE)

    removed = collect_garbage(harness.store, {referenced}, GRACE, now)

    assert removed == [orphan]
    assert sorted(harness.store.iter_hashes()) == sorted([referenced, young])
    assert harness.store.verify(orphan) == "missing"


def test_storing_old_content_again_restarts_its_grace(harness: Harness) -> None:
    now = datetime.now(UTC)
    sha256 = _put(harness, b"same bytes, new version")
    harness.backdate(sha256, now - 2 * GRACE)

    assert _put(harness, b"same bytes, new version") == sha256

    assert collect_garbage(harness.store, set(), GRACE, now) == []
    assert harness.store.exists(sha256)


def test_gc_discards_uploads_abandoned_by_a_crash(harness: Harness) -> None:
    now = datetime.now(UTC)
    harness.abandon_upload(now - 2 * GRACE)

    assert harness.leftovers() == 1
    assert collect_garbage(harness.store, set(), GRACE, now) == []
    assert harness.leftovers() == 0


def test_gc_keeps_a_recent_unfinished_upload(harness: Harness) -> None:
    now = datetime.now(UTC)
    harness.abandon_upload(now - GRACE / 2)

    assert harness.store.discard_incomplete(now - GRACE) == 0
    assert harness.leftovers() == 1


def test_orphans_lists_without_removing(harness: Harness) -> None:
    now = datetime.now(UTC)
    sha256 = _put(harness, b"unreferenced")
    harness.backdate(sha256, now - 2 * GRACE)

    assert harness.store.orphans(set(), now - GRACE) == [sha256]
    assert harness.store.orphans({sha256}, now - GRACE) == []
    assert harness.store.exists(sha256)


def test_delete_is_idempotent(harness: Harness) -> None:
    sha256 = _put(harness, b"disposed of under retention class R7")

    assert harness.store.delete(sha256) is True
    assert harness.store.delete(sha256) is False
    assert not harness.store.exists(sha256)


def test_delete_with_a_cutoff_spares_a_newer_blob(harness: Harness) -> None:
    now = datetime.now(UTC)
    sha256 = _put(harness, b"stored just now")

    assert harness.store.delete(sha256, stored_before=now - GRACE) is False
    assert harness.store.exists(sha256)


def test_gc_refuses_a_naive_clock(harness: Harness) -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        collect_garbage(harness.store, set(), GRACE, datetime(2026, 1, 1))

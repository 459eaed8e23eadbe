"""Reader processes: the same report as reading in one process, or a clear error."""

from __future__ import annotations

import os
from dataclasses import replace

import pytest

from integrity import verifier
from integrity.scan import Page
from integrity.verifier import VerifyReport
from tests.ledger.store import Store
from tests.ledger.test_tamper import CASES

PAGE = 4  # ids a page spans here, so a small store is many pages


@pytest.fixture
def small_pages(monkeypatch: pytest.MonkeyPatch) -> None:
    """Pages of a few events, so the readers share out the log."""
    monkeypatch.setattr(verifier, "BATCH", PAGE)


def reports(store: Store) -> tuple[VerifyReport, VerifyReport]:
    """The report read in this process, and the one read by two readers."""
    return store.verify(readers=0), store.verify(readers=2)


@pytest.mark.usefixtures("small_pages")
@pytest.mark.parametrize(
    "case",
    ["edit-state", "delete-middle", "insert-forged", "edit-node", "flip-blob-byte"],
)
def test_readers_find_tampering_as_one_process_does(store: Store, case: str) -> None:
    tamper, reason = CASES[case]
    expected = tamper(store)
    serial, parallel = reports(store)
    assert parallel == serial
    assert not serial.ok
    assert serial.position == expected
    assert reason in (serial.reason or "")


@pytest.mark.usefixtures("small_pages")
def test_readers_verify_an_untampered_store_with_the_same_progress(
    store: Store,
) -> None:
    steps: dict[int, list[int]] = {0: [], 2: []}
    for readers, seen in steps.items():
        report = store.verifier(store.heads[-1], readers).run(progress=seen.append)
        assert report.ok, report.summary()
        assert report.events == store.heads[-1].tree_size
    assert steps[0] == steps[2]
    assert len(steps[2]) > 2
    assert sum(steps[2]) == store.positions()[-1]


@pytest.mark.usefixtures("small_pages")
def test_a_stop_request_ends_the_readers_with_interrupted(store: Store) -> None:
    verifier = store.verifier(readers=2)
    report = verifier.run(progress=lambda _: verifier.stop_event.set())
    assert not report.ok
    assert report.reason == "interrupted"
    assert report.position == PAGE


@pytest.mark.usefixtures("small_pages")
def test_a_reader_that_cannot_read_is_a_clear_error(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = verifier.log_source(store.services.app.recorder)
    assert source is not None
    gone = replace(source, table="no_such_events")
    monkeypatch.setattr(verifier, "log_source", lambda _: gone)
    with pytest.raises(verifier.LogReaderError, match="could not read"):
        store.verify(readers=2)


def die(low: int, high: int) -> Page:
    """A reader that dies as if killed."""
    os._exit(3)


@pytest.mark.usefixtures("small_pages")
def test_a_reader_that_dies_is_a_clear_error_not_a_hang(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(verifier, "read_window", die)
    with pytest.raises(verifier.LogReaderError, match="stopped unexpectedly"):
        store.verify(readers=2)

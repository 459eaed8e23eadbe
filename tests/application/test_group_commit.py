"""Group commit on its own: batching, each caller's own answer, no lost wake-up."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Sequence

import pytest
from eventsourcing.persistence import IntegrityError, StoredEvent

from service.group_commit import GroupCommitter


class FakeStore:
    """Assigns ids in order; refuses a (originator, version) seen before."""

    def __init__(self, delay: float = 0.0) -> None:
        self.delay = delay
        self.rows: list[StoredEvent] = []
        self.batches: list[int] = []
        self.lock = threading.Lock()

    def insert(self, stored: Sequence[StoredEvent]) -> list[int]:
        time.sleep(self.delay)  # the fsync: other callers queue meanwhile
        with self.lock:
            keys = {(r.originator_id, r.originator_version) for r in self.rows}
            new = [(s.originator_id, s.originator_version) for s in stored]
            if len(set(new)) < len(new) or keys & set(new):
                raise IntegrityError("duplicate version")
            first = len(self.rows) + 1
            self.rows.extend(stored)
            self.batches.append(len(stored))
            return list(range(first, first + len(stored)))


def event(originator: uuid.UUID, version: int = 1) -> StoredEvent:
    return StoredEvent(originator, version, "t", b"{}")


def run_threads(count: int, target: object) -> None:
    threads = [threading.Thread(target=target, args=(n,)) for n in range(count)]  # type: ignore[arg-type]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
        assert not thread.is_alive(), "a caller was never woken"


def test_concurrent_callers_share_transactions_and_get_their_own_ids() -> None:
    store = FakeStore(delay=0.01)
    committer = GroupCommitter(store.insert)
    answers: dict[int, tuple[uuid.UUID, list[int]]] = {}

    def caller(n: int) -> None:
        for round_ in range(5):
            originator = uuid.uuid4()
            ids = committer.write([event(originator, 1), event(originator, 2)])
            answers[n * 100 + round_] = (originator, ids)

    run_threads(16, caller)
    assert len(answers) == 80 and len(store.rows) == 160
    assert len(store.batches) < 80  # callers did share transactions
    for originator, ids in answers.values():
        assert len(ids) == 2
        assert [store.rows[i - 1].originator_id for i in ids] == [originator] * 2
        assert [store.rows[i - 1].originator_version for i in ids] == [1, 2]


def test_a_conflict_fails_only_its_own_caller() -> None:
    store = FakeStore(delay=0.01)
    committer = GroupCommitter(store.insert)
    contested = uuid.uuid4()
    outcomes: dict[int, str] = {}

    def caller(n: int) -> None:
        originator = contested if n % 4 == 0 else uuid.uuid4()
        try:
            committer.write([event(originator)])
            outcomes[n] = "ok"
        except IntegrityError:
            outcomes[n] = "conflict"

    run_threads(16, caller)
    contenders = [n for n in outcomes if n % 4 == 0]
    assert sorted(outcomes[n] for n in contenders) == ["conflict"] * 3 + ["ok"]
    assert all(outcomes[n] == "ok" for n in outcomes if n % 4)
    assert len(store.rows) == 13


def test_a_store_error_reaches_every_caller_of_the_batch_and_the_next_one_leads() -> (
    None
):
    failing = threading.Event()
    store = FakeStore(delay=0.01)

    def insert(stored: Sequence[StoredEvent]) -> list[int]:
        if failing.is_set():
            time.sleep(0.01)
            raise OSError("disk full")
        return store.insert(stored)

    committer = GroupCommitter(insert)
    failing.set()
    errors: list[BaseException] = []

    def caller(n: int) -> None:
        try:
            committer.write([event(uuid.uuid4())])
        except OSError as error:
            errors.append(error)

    run_threads(8, caller)
    assert len(errors) == 8 and store.rows == []
    failing.clear()
    assert committer.write([event(uuid.uuid4())]) == [1]


def test_the_writing_scope_spans_insert_and_report() -> None:
    store = FakeStore()
    seen: list[str] = []

    class Scope:
        def __enter__(self) -> None:
            seen.append("enter")

        def __exit__(self, *exc: object) -> None:
            seen.append("exit")

    committer = GroupCommitter(
        lambda s: (seen.append("insert"), store.insert(s))[1],
        lambda batch: seen.append("report"),
        Scope,
    )
    committer.write([event(uuid.uuid4())], payload="p")
    assert seen == ["enter", "insert", "report", "exit"]


@pytest.mark.parametrize("callers", [1, 2, 32])
def test_no_caller_is_left_waiting(callers: int) -> None:
    store = FakeStore(delay=0.001)
    committer = GroupCommitter(store.insert)
    run_threads(
        callers, lambda n: [committer.write([event(uuid.uuid4())]) for _ in range(20)]
    )
    assert len(store.rows) == 20 * callers

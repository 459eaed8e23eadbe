"""One runner thread follows every read model together; misfits get a thread each."""

from __future__ import annotations

import multiprocessing
import threading
from typing import Any

import pytest
from sqlalchemy import Engine, text

from projections.models import models
from projections.processing import Processor
from projections.read_model import ReadModel
from projections.runner import Runner, lock_name, locks
from service.domain.base import Meta
from tests.projections.conftest import dump, processor, workload
from tests.projections.test_runner import PoisonedRisks, eventually, status_of
from tests.values import risk_values
from usecases.root import Services


def positions(services: Services) -> dict[str, int]:
    """Each read model's live position (not the ledger's: no worker runs here)."""
    names = {cls.name for cls in models()}
    return {
        str(r["name"]): int(r["position"])  # type: ignore[call-overload]
        for r in services.views.status()
        if r["state"] in ("live", "stopped") and r["name"] in names
    }


def runner_over(services: Services, models: list[ReadModel]) -> Runner:
    """A runner over the given models (generation 1 each)."""
    app = services.app
    return Runner(
        [Processor(m, services.views_engine, app.recorder, app.mapper) for m in models],
        retry_after=0.1,
    )


def test_a_poisoned_model_stops_alone_and_resumes_once_fixed(
    services: Services, meta: Meta
) -> None:
    app = services.app
    workload(app, 100)
    project = app.register_project("GRP", "P", "", "S", "M", meta).id
    risk = app.perform(
        "identify_risk",
        project,
        risk_values(probability=2, impact=2),
        meta,
    ).id
    closed = app.perform("close_risk", risk, {}, meta).position
    after = app.register_project("AFTER", "A", "", "S", "M", meta).position
    group = [cls(1) for cls in models() if cls.name != "risks"] + [PoisonedRisks(1)]
    runner = runner_over(services, group)
    runner.start()
    try:
        eventually(lambda: status_of(services, "risks")["state"] == "stopped")
        # Every other model went on past the poison, to the head.
        eventually(
            lambda: all(
                p == after for n, p in positions(services).items() if n != "risks"
            )
        )
        report = status_of(services, "risks")
        assert report["position"] == int(report["error_position"]) - 1  # type: ignore[call-overload]
        assert int(report["error_position"]) <= closed  # type: ignore[call-overload]
        assert services.views.get_entry("risks", risk) is None  # stopped before it
        assert len(runner.threads) == 2  # the group, and the split-off risks
        PoisonedRisks.poisoned = False
        eventually(lambda: status_of(services, "risks")["state"] == "live")
        eventually(lambda: positions(services)["risks"] == after)
        assert services.views.get_entry("risks", risk)["status"] == "closed"  # type: ignore[index]
    finally:
        PoisonedRisks.poisoned = True
        runner.stop()


def test_models_followed_together_equal_each_built_alone(
    services: Services, meta: Meta
) -> None:
    app = services.app
    workload(app, 300)
    runner = runner_over(services, [cls(1) for cls in models()])
    runner.start()
    try:
        head = app.head_position()
        eventually(lambda: set(positions(services).values()) == {head})
    finally:
        runner.stop()
    for cls in models():
        alone = processor(services, cls, generation=7)
        alone.catch_up()
        assert dump(services.views_engine, alone.model) == dump(
            services.views_engine, cls(1)
        ), cls.name


@pytest.mark.parametrize("backend", ["postgres"])
def test_a_model_locked_elsewhere_joins_the_group_once_free(
    services: Services, meta: Meta
) -> None:
    app = services.app
    workload(app, 100)
    held = threading.Event()
    release = threading.Event()

    def hold_audit() -> None:
        with locks(services.views_engine, [lock_name("audit", 1)]) as granted:
            assert granted
            held.set()
            release.wait(30)

    holder = threading.Thread(target=hold_audit)
    holder.start()
    assert held.wait(10)
    runner = runner_over(services, [cls(1) for cls in models()])
    runner.start()
    try:
        head = app.head_position()
        eventually(
            lambda: all(
                p == head for n, p in positions(services).items() if n != "audit"
            )
        )
        assert positions(services).get("audit", 0) == 0
        release.set()  # as when the instance that held it goes away
        eventually(lambda: positions(services)["audit"] == head)
        assert len(runner.threads) == 1  # it waited in the group, not apart
        more = app.register_project("MORE", "M", "", "S", "M", meta).position
        runner.wake()
        eventually(lambda: set(positions(services).values()) == {more})
    finally:
        release.set()
        holder.join()
        runner.stop()


def _child_query(engine: Engine, pipe: Any) -> None:
    with engine.connect() as conn:
        conn.execute(text("SELECT 1"))
        pipe.send(conn.connection._connection_record.info["pid"])  # type: ignore[union-attr]


def test_a_forked_child_never_uses_the_parents_pooled_connection(
    services: Services,
) -> None:
    engine = services.views_engine
    with engine.connect() as conn:
        conn.execute(text("SELECT 1"))
        parent = conn.connection._connection_record.info["pid"]  # type: ignore[union-attr]
    context = multiprocessing.get_context("fork")
    receive, send = context.Pipe(duplex=False)
    child = context.Process(target=_child_query, args=(engine, send))
    child.start()
    child_pid = receive.recv()
    child.join()
    assert child.exitcode == 0
    assert child_pid == child.pid != parent
    with engine.connect() as conn:  # the parent's connection still works
        assert conn.execute(text("SELECT 1")).scalar() == 1
        assert conn.connection._connection_record.info["pid"] == parent  # type: ignore[union-attr]

"""Background runners: poison events, one runner per read model, live switches."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import ClassVar

import pytest
from sqlalchemy import Connection

from projections.audit import AuditTrail
from projections.models import registers
from projections.processing import Processor
from projections.read_model import Item
from projections.rebuild import rebuild
from projections.runner import Runner
from service.config import Settings
from service.domain.base import Meta
from tests.projections.conftest import workload
from tests.values import risk_values
from usecases.root import Services, build_services

RiskRegister = registers()["risks"]


def eventually(check: Callable[[], bool], timeout: float = 30.0) -> None:
    """Wait until check() holds, or fail."""
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


class PoisonedRisks(RiskRegister):
    """Fails on every Risk.Closed while poisoned."""

    poisoned: ClassVar[bool] = True

    def apply(self, conn: Connection, item: Item) -> None:
        """Refuse closures while poisoned."""
        if self.poisoned and type(item.event).__name__ == "Closed":
            raise ValueError("cannot read this closure")
        super().apply(conn, item)


def status_of(services: Services, name: str) -> dict[str, object]:
    """The live generation's status row of one read model."""
    rows = [r for r in services.views.status() if r["name"] == name]
    return next(r for r in rows if r["state"] in ("live", "stopped"))


def test_poison_event_stops_the_model_then_resumes_once_fixed(
    services: Services, meta: Meta
) -> None:
    app = services.app
    project = app.register_project("POI", "P", "", "S", "M", meta).id
    risk = app.perform(
        "identify_risk",
        project,
        risk_values(probability=2, impact=2),
        meta,
    ).id
    closed = app.perform("close_risk", risk, {}, meta).position
    app.perform(
        "raise_issue",
        project,
        {
            "issue_type": "problem-concern",
            "title": "i",
            "description": "d",
            "priority": "low",
            "severity": "minor",
        },
        meta,
    )
    processor = Processor(
        PoisonedRisks(1), services.views_engine, app.recorder, app.mapper
    )
    runner = Runner([processor], retry_after=0.1)
    runner.start()
    try:
        eventually(lambda: status_of(services, "risks")["state"] == "stopped")
        report = status_of(services, "risks")
        assert report["error_position"] == closed
        assert report["position"] == closed - 1
        assert "cannot read this closure" in str(report["error"])
        assert services.views.get_entry("risks", risk)["status"] == "open"  # type: ignore[index]
        assert not services.views.wait_for(closed, 0.3)
        PoisonedRisks.poisoned = False
        eventually(lambda: status_of(services, "risks")["state"] == "live")
        assert status_of(services, "risks")["position"] == app.head_position()
        assert services.views.get_entry("risks", risk)["status"] == "closed"  # type: ignore[index]
    finally:
        PoisonedRisks.poisoned = True
        runner.stop()


def test_runner_follows_a_rebuilt_generation(services: Services, meta: Meta) -> None:
    app, views = services.app, services.views
    workload(app, 200)
    services.runner.start()
    assert views.wait_for(app.head_position(), 30)
    before = views.list_projects()
    assert rebuild(RiskRegister, services.views_engine, app.recorder, app.mapper) == 2
    project = app.register_project("AFTER", "A", "", "S", "M", meta).id
    written = app.perform(
        "identify_risk",
        project,
        risk_values(probability=2, impact=2),
        meta,
    )
    assert views.wait_for(written.position, 30)
    assert views.get_entry("risks", written.id) is not None
    assert len(views.list_projects()) == len(before) + 1
    names = {(r["name"], r["generation"]) for r in views.status()}
    assert ("risks", 2) in names and ("risks", 1) not in names


class CountedAudit(AuditTrail):
    """The audit trail, noting which runner applied each position."""

    applied: ClassVar[list[tuple[str, int]]] = []
    tag = ""

    def apply(self, conn: Connection, item: Item) -> None:
        """Note, then apply."""
        type(self).applied.append((self.tag, item.position))
        super().apply(conn, item)


def audit_reached(services: Services, position: int) -> bool:
    """Whether the audit trail has processed a position."""
    rows = services.views.status()
    return any(r["name"] == "audit" and r["position"] >= position for r in rows)


def counted_runner(services: Services, tag: str) -> Runner:
    """A runner over the audit trail only, tagged."""
    model = CountedAudit(1)
    model.tag = tag
    app = services.app
    processor = Processor(model, services.views_engine, app.recorder, app.mapper)
    return Runner([processor])


@pytest.mark.parametrize("backend", ["postgres"])
def test_two_runners_one_works_the_other_waits(settings: Settings, meta: Meta) -> None:
    first = build_services(settings)
    second = build_services(settings, create_tables=False)
    CountedAudit.applied = []
    runner_a, runner_b = counted_runner(first, "a"), counted_runner(second, "b")
    try:
        workload(first.app, 300)
        runner_a.start()
        eventually(lambda: audit_reached(first, first.app.head_position()))
        runner_b.start()
        workload(first.app, 100, seed=8)
        eventually(lambda: audit_reached(first, first.app.head_position()))
        time.sleep(0.5)
        assert {tag for tag, _ in CountedAudit.applied} == {"a"}
        runner_a.stop()
        handover = first.app.register_project("HAND", "H", "", "S", "M", meta)
        eventually(lambda: audit_reached(first, handover.position))
        positions = [p for _, p in CountedAudit.applied]
        assert len(positions) == len(set(positions)) == first.app.head_position()
        assert ("b", handover.position) in CountedAudit.applied
    finally:
        runner_a.stop()
        runner_b.stop()
        second.close()
        first.close()


def test_wait_for_wakes_the_runner(
    settings: Settings, services: Services, meta: Meta, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An idle runner that would next look in an hour is woken by a read's wait.

    The event is written by another instance (as another host would), so this
    instance's commit hook is not what wakes the runner; without a wake it would
    not look again within the bound.
    """
    monkeypatch.setattr("projections.runner.IDLE_POLL_SECONDS", 3600.0)
    services.runner.start()
    assert services.views.wait_for(services.app.head_position(), 60)
    other = build_services(settings, create_tables=False)
    try:
        written = other.app.register_project("WAKE", "W", "", "S", "M", meta)
    finally:
        other.close()
    assert services.views.wait_for(written.position, 60)
    assert services.views.get_project(written.id)["code"] == "WAKE"  # type: ignore[index]

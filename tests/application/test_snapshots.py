"""Only the newest snapshot of an aggregate is kept; loads give the same state."""

from __future__ import annotations

from uuid import UUID

from service.app import SNAPSHOT_INTERVAL, PmoLedger
from service.config import Settings
from service.domain.base import Meta
from service.domain.risk import Risk
from tests.values import risk_values
from usecases.root import build_services


def _risk_with(ledger: PmoLedger, meta: Meta, assessments: int) -> UUID:
    project = ledger.register_project("SNAP", "Snap", "", "Sam", "Max", meta).id
    risk = ledger.perform(
        "identify_risk",
        project,
        risk_values(),
        meta,
    ).id
    for i in range(assessments):
        ledger.perform(
            "assess_risk",
            risk,
            {
                "inherent_probability": 1 + i % 5,
                "inherent_impact": 2,
                "residual_probability": 1,
                "residual_impact": 1 + i % 3,
            },
            meta,
        )
    return risk


def _replayed(ledger: PmoLedger, risk: UUID, version: int | None = None) -> Risk:
    state = None
    for event in ledger.events.get(risk, lte=version):
        state = event.mutate(state)
    assert isinstance(state, Risk)
    return state


def test_older_snapshots_are_deleted_when_a_newer_one_is_stored(
    settings: Settings, ledger: PmoLedger, meta: Meta
) -> None:
    risk = _risk_with(ledger, meta, 3 * SNAPSHOT_INTERVAL + 7)
    assert ledger.snapshots is not None
    kept = [s.originator_version for s in ledger.snapshots.get(risk)]
    assert kept == [3 * SNAPSHOT_INTERVAL]
    # Another process loads the current state from that snapshot, and any past
    # version by replaying the events: both equal a replay from the start.
    other = build_services(settings)
    try:
        assert vars(other.app.repository.get(risk)) == vars(_replayed(ledger, risk))
        for version in (1, SNAPSHOT_INTERVAL, 2 * SNAPSHOT_INTERVAL + 1):
            past = other.app.repository.get(risk, version=version)
            assert vars(past) == vars(_replayed(ledger, risk, version))
    finally:
        other.close()


def test_pruning_touches_only_the_aggregate_snapshotted(
    ledger: PmoLedger, meta: Meta
) -> None:
    first = _risk_with(ledger, meta, SNAPSHOT_INTERVAL)
    project = ledger.load(Risk, first).project_id
    second = ledger.perform(
        "identify_risk",
        project,
        risk_values(title="r2"),
        meta,
    ).id
    for i in range(2 * SNAPSHOT_INTERVAL):
        ledger.perform(
            "assess_risk",
            second,
            {
                "inherent_probability": 1 + i % 5,
                "inherent_impact": 2,
                "residual_probability": 1,
                "residual_impact": 1,
            },
            meta,
        )
    assert ledger.snapshots is not None
    assert [s.originator_version for s in ledger.snapshots.get(first)] == [
        SNAPSHOT_INTERVAL
    ]
    assert [s.originator_version for s in ledger.snapshots.get(second)] == [
        2 * SNAPSHOT_INTERVAL
    ]

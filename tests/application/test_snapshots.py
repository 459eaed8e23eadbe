"""Only the newest snapshot of an aggregate is kept; loads give the same state."""

from __future__ import annotations

from uuid import UUID

from service.app import SNAPSHOT_INTERVAL, PmoApplication
from service.config import Settings
from service.domain.base import Meta
from service.domain.risk import Risk
from tests.values import risk_values
from usecases.root import build_services


def _risk_with(app: PmoApplication, meta: Meta, assessments: int) -> UUID:
    project = app.register_project("SNAP", "Snap", "", "Sam", "Max", meta).id
    risk = app.perform(
        "identify_risk",
        project,
        risk_values(),
        meta,
    ).id
    for i in range(assessments):
        app.perform(
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


def _replayed(app: PmoApplication, risk: UUID, version: int | None = None) -> Risk:
    state = None
    for event in app.events.get(risk, lte=version):
        state = event.mutate(state)
    assert isinstance(state, Risk)
    return state


def test_older_snapshots_are_deleted_when_a_newer_one_is_stored(
    settings: Settings, app: PmoApplication, meta: Meta
) -> None:
    risk = _risk_with(app, meta, 3 * SNAPSHOT_INTERVAL + 7)
    assert app.snapshots is not None
    kept = [s.originator_version for s in app.snapshots.get(risk)]
    assert kept == [3 * SNAPSHOT_INTERVAL]
    # Another process loads the current state from that snapshot, and any past
    # version by replaying the events: both equal a replay from the start.
    other = build_services(settings)
    try:
        assert vars(other.app.repository.get(risk)) == vars(_replayed(app, risk))
        for version in (1, SNAPSHOT_INTERVAL, 2 * SNAPSHOT_INTERVAL + 1):
            past = other.app.repository.get(risk, version=version)
            assert vars(past) == vars(_replayed(app, risk, version))
    finally:
        other.close()


def test_pruning_touches_only_the_aggregate_snapshotted(
    app: PmoApplication, meta: Meta
) -> None:
    first = _risk_with(app, meta, SNAPSHOT_INTERVAL)
    project = app.load(Risk, first).project_id
    second = app.perform(
        "identify_risk",
        project,
        risk_values(title="r2"),
        meta,
    ).id
    for i in range(2 * SNAPSHOT_INTERVAL):
        app.perform(
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
    assert app.snapshots is not None
    assert [s.originator_version for s in app.snapshots.get(first)] == [
        SNAPSHOT_INTERVAL
    ]
    assert [s.originator_version for s in app.snapshots.get(second)] == [
        2 * SNAPSHOT_INTERVAL
    ]

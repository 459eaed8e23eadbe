"""The aggregate cache: never a decision on old state, never a corrupted entry."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from service.app import PmoApplication
from service.config import Settings
from service.domain.base import Meta, TransitionError
from service.domain.project import Project
from service.domain.risk import Risk
from service.errors import ConcurrentWriteError, VersionConflictError
from tests.application.test_app import new_project, new_risk
from usecases.root import Services, build_services


@pytest.fixture
def other(settings: Settings, services: Services) -> Iterator[PmoApplication]:
    """A second process's application on the same store (the CLI, a worker)."""
    built = build_services(settings)
    yield built.app
    built.close()


def test_a_project_closed_elsewhere_refuses_the_next_command(
    app: PmoApplication, other: PmoApplication, meta: Meta
) -> None:
    project_id = new_project(app, meta)
    risk_id = new_risk(app, meta, project_id)
    app.perform(
        "assess_risk",
        risk_id,
        {
            "inherent_probability": 2,
            "inherent_impact": 2,
            "residual_probability": 1,
            "residual_impact": 1,
        },
        meta,
    )  # project and risk now cached
    other.close_project(project_id, meta)
    head = app.head_position()
    with pytest.raises(TransitionError, match="closed"):
        app.perform(
            "assess_risk",
            risk_id,
            {
                "inherent_probability": 3,
                "inherent_impact": 3,
                "residual_probability": 1,
                "residual_impact": 1,
            },
            meta,
        )
    with pytest.raises(TransitionError, match="closed"):
        new_risk(app, meta, project_id)
    assert app.head_position() == head


def test_a_change_made_elsewhere_is_seen_before_the_next_decision(
    app: PmoApplication, other: PmoApplication, meta: Meta
) -> None:
    risk_id = new_risk(app, meta, new_project(app, meta))
    assert app.load(Risk, risk_id).version == 1
    other.perform(
        "assess_risk",
        risk_id,
        {
            "inherent_probability": 5,
            "inherent_impact": 5,
            "residual_probability": 4,
            "residual_impact": 4,
        },
        meta,
    )
    with pytest.raises(VersionConflictError):
        app.perform(
            "assess_risk",
            risk_id,
            {
                "inherent_probability": 1,
                "inherent_impact": 1,
                "residual_probability": 1,
                "residual_impact": 1,
            },
            meta,
            1,
        )
    written = app.perform(
        "assess_risk",
        risk_id,
        {
            "inherent_probability": 1,
            "inherent_impact": 1,
            "residual_probability": 1,
            "residual_impact": 1,
        },
        meta,
        2,
    )
    assert written.version == 3
    assert app.load(Risk, risk_id).residual_impact == 1
    assert other.load(Risk, risk_id).version == 3


def test_many_writes_elsewhere_are_caught_up_in_one_go(
    app: PmoApplication, other: PmoApplication, meta: Meta
) -> None:
    from service import cache

    project_id = new_project(app, meta)
    risk_id = new_risk(app, meta, project_id)
    app.load(Risk, risk_id)
    for _ in range(3):
        other.perform(
            "assess_risk",
            risk_id,
            {
                "inherent_probability": 2,
                "inherent_impact": 2,
                "residual_probability": 1,
                "residual_impact": 1,
            },
            meta,
        )
    limit, cache.SCAN_LIMIT = cache.SCAN_LIMIT, 2  # beyond it the cache is dropped
    try:
        assert app.load(Risk, risk_id).version == 4
    finally:
        cache.SCAN_LIMIT = limit
    other.perform(
        "assess_risk",
        risk_id,
        {
            "inherent_probability": 2,
            "inherent_impact": 2,
            "residual_probability": 1,
            "residual_impact": 1,
        },
        meta,
    )
    assert app.load(Risk, risk_id).version == 5


def test_a_failed_command_leaves_the_cached_aggregate_untouched(
    app: PmoApplication, meta: Meta
) -> None:
    risk_id = new_risk(app, meta, new_project(app, meta))
    before = vars(app.load(Risk, risk_id)).copy()

    def assess_then_fail(risk: Risk) -> None:
        risk.assess(5, 5, 5, 5, meta)
        raise RuntimeError("after the change, before the commit")

    with pytest.raises(RuntimeError):
        app.change(Risk, risk_id, assess_then_fail)
    assert vars(app.load(Risk, risk_id)) == before


def test_a_lost_conflict_does_not_poison_the_cache(
    app: PmoApplication, meta: Meta
) -> None:
    risk_id = new_risk(app, meta, new_project(app, meta))
    stale = app.load(Risk, risk_id)
    app.perform(
        "assess_risk",
        risk_id,
        {
            "inherent_probability": 4,
            "inherent_impact": 4,
            "residual_probability": 3,
            "residual_impact": 3,
        },
        meta,
    )
    stale.close(meta)
    with pytest.raises(ConcurrentWriteError):
        app.commit(stale)
    risk = app.load(Risk, risk_id)
    assert (risk.version, risk.status, risk.residual_impact) == (2, "open", 3)


def test_read_only_loads_share_the_cached_project(
    app: PmoApplication, meta: Meta
) -> None:
    project_id = new_project(app, meta)
    shared = app.load(Project, project_id, read_only=True)
    assert app.load(Project, project_id, read_only=True) is shared
    assert app.load(Project, project_id) is not shared


def test_a_head_check_during_our_own_commit_waits_for_it_instead_of_evicting(
    app: PmoApplication, other: PmoApplication, meta: Meta
) -> None:
    """Concurrent commands in one process must not evict each other's writes."""
    import threading

    risk_id = new_risk(app, meta, new_project(app, meta))
    app.perform(
        "assess_risk",
        risk_id,
        {
            "inherent_probability": 2,
            "inherent_impact": 2,
            "residual_probability": 1,
            "residual_impact": 1,
        },
        meta,
    )
    cache = app.cache
    scanned: list[int] = []
    select = cache._recorder.select_notifications

    def counting(*args: object, **kwargs: object) -> object:
        scanned.append(1)
        return select(*args, **kwargs)  # type: ignore[arg-type]

    cache._recorder.select_notifications = counting  # type: ignore[method-assign]
    risk = app.load(Risk, risk_id)
    risk.assess(3, 3, 1, 1, meta)
    stored = [app.mapper.to_stored_event(e) for e in risk.collect_events()]
    checked: list[int] = []
    with cache.writing():
        ids = app.committer._insert(stored)  # committed, not yet reported
        checker = threading.Thread(target=lambda: checked.append(cache.catch_up()))
        checker.start()
        checker.join(0.3)
        assert checker.is_alive()  # waiting for the report, not scanning
        cache.committed([((risk,), list(ids or []))])
    checker.join(5)
    assert checked == [max(ids or [0])] and scanned == []
    assert app.load(Risk, risk_id).version == 3  # still cached, not evicted
    assert scanned == []
    # A write by another process is still caught up (and evicts) as before.
    other.perform(
        "assess_risk",
        risk_id,
        {
            "inherent_probability": 4,
            "inherent_impact": 4,
            "residual_probability": 1,
            "residual_impact": 1,
        },
        meta,
    )
    assert app.load(Risk, risk_id).version == 4
    assert scanned == [1]

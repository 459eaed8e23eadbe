"""Models rebuilt together, or in parallel processes, equal each rebuilt alone."""

from __future__ import annotations

import multiprocessing
import os
import signal
from functools import partial

from projections.audit import AuditTrail
from projections.models import models, registers
from projections.processing import Processor
from projections.projects import ProjectsModel
from projections.rebuild import plan, rebuild_parallel
from service.config import Settings
from tests.projections.conftest import dump, processor, workload
from usecases.rebuild import open_store
from usecases.root import Services

RiskRegister = registers()["risks"]


def test_one_pass_resumes_each_model_from_its_own_position(
    services: Services,
) -> None:
    workload(services.app, 500)
    app, engine = services.app, services.views_engine
    classes = (RiskRegister, AuditTrail, ProjectsModel)
    ahead = processor(services, RiskRegister, generation=2, batch=60)
    assert ahead.run_batch() and ahead.run_batch()  # risks already further on
    models = [cls(2) for cls in classes]
    together = Processor(models, engine, app.recorder, app.mapper, 45)
    together.ensure_tables()
    together.run_batch()
    positions = [row.position for row in together.trackings()]
    assert positions[0] > positions[1] == positions[2] > 0
    resumed = Processor(
        [cls(2) for cls in classes], engine, app.recorder, app.mapper, 1000
    )
    resumed.catch_up()
    head = app.head_position()
    assert [row.position for row in resumed.trackings()] == [head] * 3
    for cls, model in zip(classes, models, strict=True):
        alone = processor(services, cls, generation=3, batch=1000)
        alone.catch_up()
        assert dump(engine, model) == dump(engine, alone.model), cls.name


def test_parallel_rebuild_makes_every_model_live_as_rebuilt_alone(
    services: Services, settings: Settings
) -> None:
    workload(services.app, 400)
    engine = services.views_engine
    live = [processor(services, cls) for cls in models()]
    for incremental in live:
        incremental.catch_up()
    # The rebuild drops the generation it replaces: keep its rows to compare.
    before = {p.name: dump(engine, p.model) for p in live}
    outcomes = rebuild_parallel(partial(open_store, settings), models(), workers=2)
    assert sorted(n for o in outcomes for n in o.names) == sorted(
        cls.name for cls in models()
    )
    assert all(g == 2 for o in outcomes for g in o.generations)
    status = {row["name"]: row for row in services.views.status()}
    for incremental in live:
        assert status[incremental.name]["generation"] == 2
        assert status[incremental.name]["state"] == "live"
        rebuilt = type(incremental.model)(2)
        assert dump(engine, rebuilt) == before[incremental.name], incremental.name


def test_workers_leave_sigint_to_the_parent(
    services: Services, settings: Settings
) -> None:
    """A Ctrl-C reaches every process of the group; only the parent acts on it."""
    workload(services.app, 200)
    signalled: list[int] = []

    def signal_workers(_covered: int) -> None:
        if not signalled:
            signalled.extend(p.pid for p in multiprocessing.active_children() if p.pid)
            for pid in signalled:
                os.kill(pid, signal.SIGINT)

    outcomes = rebuild_parallel(
        partial(open_store, settings),
        models(),
        workers=2,
        batch_size=20,
        progress=signal_workers,
    )
    assert len(signalled) == 2
    assert sorted(n for o in outcomes for n in o.names) == sorted(
        cls.name for cls in models()
    )
    status = {row["name"]: row for row in services.views.status()}
    assert all(status[cls.name]["state"] == "live" for cls in models())


def test_plan_shares_models_out_by_weight() -> None:
    names = sorted(cls.name for cls in models())
    groups = plan(models(), 2)
    assert sorted(n for g in groups for n in g) == names
    assert "audit" in groups[0] and "documents" in groups[1]
    assert [sorted(g) for g in plan(models(), 1)] == [names]
    many = len(models()) + 3
    assert sorted(n for g in plan(models(), many) for n in g) == names
    assert len(plan(models(), many)) == len(models())


def test_a_process_rebuilding_many_models_takes_smaller_batches() -> None:
    from projections.rebuild import REBUILD_BATCH, batch_for

    assert [batch_for(n) for n in (1, 2, 3)] == [REBUILD_BATCH] * 3
    assert batch_for(4) == 17_500 and batch_for(7) == 10_000
    assert batch_for(1000) == 1000  # never below

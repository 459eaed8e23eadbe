"""`pmo-ledger projections rebuild` of every model, in worker processes."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from click.testing import CliRunner

import projections.rebuild
import usecases.rebuild
from api.cli import main
from projections import catalog
from projections.models import models
from projections.rebuild import rebuild_parallel, rebuild_together
from service.config import Settings
from tests.projections.conftest import dump, processor, workload
from usecases.root import Services, build_services


@pytest.fixture
def services(settings: Settings) -> Iterator[Services]:
    """The test's own services, closed however the test ends."""
    built = build_services(settings)
    yield built
    built.close()


def env_for(settings: Settings) -> dict[str, str]:
    return {
        "PMO_LEDGER_DATA_DIR": str(settings.data_dir),
        "PMO_LEDGER_DATABASE_URL": settings.database_url,
    }


def interrupted_after_first_batch(*args: Any, **kwargs: Any) -> Any:
    """`rebuild_parallel` interrupted as Ctrl-C would once a batch is reported."""

    def progress(_covered: int) -> None:
        raise KeyboardInterrupt

    kwargs["progress"] = progress
    return rebuild_parallel(*args, **kwargs)


def held_after_first_batch(
    classes: Any, store: Any, *, progress: Any, batch_size: Any, stop: Any
) -> Any:
    """A worker's pass that reports its first batch, then waits to be stopped.

    Without the wait a worker could finish before the interrupted parent asks
    it to stop, and there would be nothing left to resume.
    """

    def report(covered: int) -> None:
        progress(covered)
        stop.wait()

    return rebuild_together(
        classes, store, progress=report, batch_size=batch_size, stop=stop
    )


def test_rebuild_all_in_two_workers_resumes_and_equals_the_live_models(
    settings: Settings, services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    workload(services.app, 600)
    live = [processor(services, cls) for cls in models()]
    for incremental in live:
        incremental.catch_up()
    before = {p.name: dump(services.views_engine, p.model) for p in live}
    head = services.app.head_position()
    runner = CliRunner()
    command = ["projections", "rebuild", "--workers", "2", "--batch-size", "20"]

    stop: Callable[..., Any] = interrupted_after_first_batch
    monkeypatch.setattr(usecases.rebuild, "rebuild_parallel", stop)
    monkeypatch.setattr(projections.rebuild, "rebuild_together", held_after_first_batch)
    stopped = runner.invoke(main, command, env=env_for(settings))
    assert stopped.exit_code == 1, stopped.output
    assert "run rebuild again to resume" in stopped.output
    with services.views_engine.connect() as conn:
        building = [r for r in catalog.read_all(conn) if r.state == "building"]
    assert {r.name for r in building} == {cls.name for cls in models()}
    assert all(r.generation == 2 and 0 < r.position < head for r in building)

    monkeypatch.undo()
    resumed = runner.invoke(main, command, env=env_for(settings))
    assert resumed.exit_code == 0, resumed.output
    for incremental in live:
        name = incremental.name
        assert f"{name}: generation 2 is live" in resumed.output
        rebuilt = type(incremental.model)(2)
        assert dump(services.views_engine, rebuilt) == before[name], name
    status = {row["name"]: row for row in services.views.status()}
    assert all(status[cls.name]["position"] == head for cls in models())


def test_rebuild_all_in_one_pass(settings: Settings) -> None:
    services = build_services(settings)
    workload(services.app, 150)
    services.close()
    rebuilt = CliRunner().invoke(
        main, ["projections", "rebuild", "--workers", "1"], env=env_for(settings)
    )
    assert rebuilt.exit_code == 0, rebuilt.output
    for cls in models():
        assert f"{cls.name}: generation 2 is live" in rebuilt.output

"""`pmo-ledger projections run|rebuild|status`: the read models from the shell."""

from __future__ import annotations

import signal
import threading
from functools import partial
from types import FrameType

import click

from api.cli_common import opened
from projections.models import by_name, models
from projections.processing import ProcessingError
from projections.read_model import ReadModel
from projections.rebuild import (
    REBUILD_BATCH,
    RebuildError,
    Store,
    plan,
    prepare,
    rebuild_parallel,
    rebuild_together,
    switch,
)
from projections.runner import exclusive
from service.config import Settings
from usecases.operations import read_model_status
from usecases.root import Services, build_services

# A rebuild worker's services stay open while it runs (closing them on garbage
# collection would close the recorder's connections under it).
OPENED: list[Services] = []


def chosen(name: str | None) -> list[type[ReadModel]]:
    """The read model named, or all of them."""
    if name is None:
        return list(models())
    if name not in by_name():
        raise click.BadParameter(f"must be one of {', '.join(by_name())}")
    return [by_name()[name]]


@click.group()
def projections() -> None:
    """Run, rebuild and inspect the read models."""


@projections.command("run")
def run() -> None:
    """Keep every read model and the ledger caught up until interrupted."""
    with opened() as services:
        stop = threading.Event()

        def stop_on(_signum: int, _frame: FrameType | None) -> None:
            stop.set()

        signal.signal(signal.SIGTERM, stop_on)
        services.start_processors()
        click.echo("processors running; Ctrl-C to stop", err=True)
        try:
            while not stop.wait(1.0):
                pass
        except KeyboardInterrupt:
            pass
        click.echo("stopping", err=True)


@projections.command("rebuild")
@click.argument("name", required=False)
@click.option(
    "--batch-size",
    type=click.IntRange(min=1),
    help=f"events per transaction (default {REBUILD_BATCH:,}, fewer when one "
    "process rebuilds more than three read models)",
)
@click.option(
    "--workers",
    default=2,
    show_default=True,
    type=click.IntRange(min=1),
    help="Processes sharing the models when all are rebuilt (1: one pass).",
)
def rebuild(name: str | None, batch_size: int | None, workers: int) -> None:
    """Build a fresh generation beside the live one, then switch (resumable)."""
    with opened() as services:
        if name is None:
            rebuild_all(services, batch_size, workers)
            return
        for cls in chosen(name):
            rebuild_one(services, cls, batch_size)


def open_store(settings: Settings) -> Store:
    """A rebuild worker's engine, recorder and mapper (kept open in the worker)."""
    built = build_services(settings, create_tables=False)
    OPENED.append(built)
    return built.views_engine, built.app.recorder, built.app.mapper


def rebuild_all(services: Services, batch_size: int | None, workers: int) -> None:
    """Rebuild every model: one pass in this process, or shared between workers."""
    groups = plan(models(), workers) if workers > 1 else [[m.name for m in models()]]
    length = len(groups) * services.app.head_position()
    label = f"all models: {len(groups)} worker(s)"
    try:
        with click.progressbar(length=length, label=label) as bar:
            if workers == 1:
                store = (
                    services.views_engine,
                    services.app.recorder,
                    services.app.mapper,
                )
                built = rebuild_together(
                    models(), store, progress=bar.update, batch_size=batch_size
                )
                done = [(groups[0], built)]
            else:
                outcomes = rebuild_parallel(
                    partial(open_store, services.settings),
                    models(),
                    workers=workers,
                    progress=bar.update,
                    batch_size=batch_size,
                )
                done = [(list(o.names), list(o.generations)) for o in outcomes]
    except KeyboardInterrupt:
        raise click.ClickException("interrupted; run rebuild again to resume") from None
    except (RebuildError, ProcessingError) as error:
        raise click.ClickException(f"{error}; run rebuild again to resume") from None
    for names, generations in done:
        if not generations:
            raise click.ClickException(
                f"{', '.join(names)}: another rebuild is running"
            )
        for model, generation in zip(names, generations, strict=True):
            click.echo(f"{model}: generation {generation} is live")


def rebuild_one(
    services: Services, cls: type[ReadModel], batch_size: int | None
) -> None:
    """Rebuild one read model with a progress bar; Ctrl-C leaves it resumable."""
    ledger, engine = services.app, services.views_engine
    with exclusive(engine, f"{cls.name}:rebuild", threading.Event()) as granted:
        if not granted:
            return
        processor, resumed = prepare(
            cls, engine, ledger.recorder, ledger.mapper, batch_size or REBUILD_BATCH
        )
        generation = processor.model.generation
        start = processor.tracking().position
        verb = "resuming" if resumed else "building"
        label = f"{cls.name}: {verb} generation {generation}"
        try:
            with click.progressbar(
                length=max(0, ledger.head_position() - start), label=label
            ) as bar:
                processor.catch_up(bar.update)
            switch(processor)
        except KeyboardInterrupt:
            raise click.ClickException(
                f"{cls.name}: interrupted at position "
                f"{processor.tracking().position}; run rebuild again to resume"
            ) from None
        except ProcessingError as error:
            raise click.ClickException(str(error)) from None
    click.echo(f"{cls.name}: generation {generation} is live")


@projections.command("status")
def status() -> None:
    """Each read model: generation, position, head, lag, state and error."""
    with opened(create_tables=False) as services:
        rows = read_model_status(services)
    click.echo(
        f"{'name':<12} {'gen':>4} {'position':>10} {'head':>10} {'lag':>8}  state"
    )
    for row in rows:
        generation = "-" if row["generation"] is None else row["generation"]
        click.echo(
            f"{row['name']:<12} {generation:>4} {row['position']:>10} "
            f"{row['head']:>10} {row['lag']:>8}  {row['state']}"
        )
        if row["error"]:
            click.echo(f"    error at position {row['error_position']}: {row['error']}")

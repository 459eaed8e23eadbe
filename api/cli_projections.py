"""`pmo-ledger projections run|rebuild|status`: the read models from the shell."""

from __future__ import annotations

import signal
import threading
from types import FrameType

import click

from api.bootstrap import Services
from api.cli_common import opened
from projections.models import BY_NAME, MODELS
from projections.processing import ProcessingError, ReadModel
from projections.rebuild import REBUILD_BATCH, prepare, switch
from projections.runner import exclusive


def chosen(name: str | None) -> list[type[ReadModel]]:
    """The read model named, or all of them."""
    if name is None:
        return list(MODELS)
    if name not in BY_NAME:
        raise click.BadParameter(f"must be one of {', '.join(BY_NAME)}")
    return [BY_NAME[name]]


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
@click.option("--batch-size", default=REBUILD_BATCH, show_default=True)
def rebuild(name: str | None, batch_size: int) -> None:
    """Build a fresh generation beside the live one, then switch (resumable)."""
    with opened() as services:
        for cls in chosen(name):
            rebuild_one(services, cls, batch_size)


def rebuild_one(services: Services, cls: type[ReadModel], batch_size: int) -> None:
    """Rebuild one read model with a progress bar; Ctrl-C leaves it resumable."""
    ledger, engine = services.ledger, services.views_engine
    with exclusive(engine, f"{cls.name}:rebuild", threading.Event()) as granted:
        if not granted:
            return
        processor, resumed = prepare(
            cls, engine, ledger.recorder, ledger.mapper, batch_size
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
        rows = services.views.status()
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

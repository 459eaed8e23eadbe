"""`pmo-ledger projections run|rebuild|status`: the read models from the shell."""

from __future__ import annotations

import signal
import threading
from types import FrameType
from typing import Any

import click

from api.cli_common import opened
from projections.rebuild import REBUILD_BATCH
from usecases import rebuild as rebuild_read_models
from usecases.operations import read_model_status


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


class Bar:
    """A rebuild's progress as click progress bars."""

    def __init__(self) -> None:
        self.bar: Any = None

    def begin(self, label: str, length: int) -> None:
        """Show a bar for the next stretch of work."""
        self.bar = click.progressbar(length=length, label=label)
        self.bar.__enter__()

    def advance(self, count: int) -> None:
        """Move the bar on."""
        self.bar.update(count)

    def end(self) -> None:
        """Finish the bar's line."""
        self.bar.__exit__(None, None, None)


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
    try:
        rebuild_read_models.chosen(name)
    except KeyError as error:
        raise click.BadParameter(error.args[0]) from None
    command = rebuild_read_models.RebuildReadModels(name, batch_size, workers)
    with opened() as services:
        try:
            done = rebuild_read_models.rebuild_read_models(services, command, Bar())
        except rebuild_read_models.RebuildStoppedError as error:
            raise click.ClickException(str(error)) from None
    for rebuilt in done:
        if rebuilt.generation is not None:
            click.echo(f"{rebuilt.name}: generation {rebuilt.generation} is live")


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

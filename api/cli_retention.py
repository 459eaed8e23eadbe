"""`pmo-ledger retention show|apply`: the retention schedule as recorded events."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import click

from api.cli_common import opened
from service.config import ConfigError
from service.domain.base import Meta
from usecases import retention
from usecases.reads import plain


@click.group("retention")
def retention_group() -> None:
    """Show the retention schedule, or record a change to it from a TOML file."""


@retention_group.command("show")
@click.option("--as-of", type=click.DateTime(), help="the schedule in force then (UTC)")
def retention_show(as_of: datetime | None) -> None:
    """Print the schedule in force (now, or as at a moment) as JSON."""
    moment = None if as_of is None else as_of.replace(tzinfo=as_of.tzinfo or UTC)
    with opened() as services:
        found = retention.schedule(services, retention.ScheduleQuery(moment))
    click.echo(json.dumps(plain(found), indent=1, sort_keys=True))


@retention_group.command("apply")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--reason", required=True, help="why the schedule changes (recorded)")
@click.option(
    "--retroactive",
    "retroactive",
    multiple=True,
    metavar="CLASS",
    help="this class's change applies to documents triggered before it (repeatable)",
)
@click.option("--actor", default="cli", show_default=True, help="who decided it")
@click.option("--yes", is_flag=True, help="record without asking")
def retention_apply(
    file: Path, reason: str, retroactive: tuple[str, ...], actor: str, yes: bool
) -> None:
    """Show how FILE differs from the schedule in force, then record it."""
    with opened() as services:
        try:
            proposal = retention.propose(services, file)
        except ConfigError as error:
            raise click.ClickException(str(error)) from None
        if not proposal.changes:
            click.echo("no change: the schedule in force is the same", err=True)
            return
        click.echo(f"changes to schedule version {proposal.current_version}:")
        for line in proposal.changes:
            click.echo(f"  {line}")
        for name in retroactive:
            click.echo(f"  {name} applies to past documents too (retroactive)")
        if not yes and not click.confirm("Record this change?", default=False):
            raise click.ClickException("not recorded")
        written = retention.apply_schedule(
            services,
            retention.ApplySchedule(proposal.classes, retroactive),
            Meta(actor, "pmo-head", reason),
        )
    click.echo(
        f"recorded schedule version {written.version} at position {written.position}"
    )

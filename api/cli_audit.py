"""`pmo-ledger export audit`: the audit trail to a file, resumable, recorded."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from api.cli_common import cli_meta, opened
from usecases import exports

PROGRESS_EVERY = 10_000


@click.command("audit")
@click.option("-o", "--output", type=click.Path(path_type=Path), required=True)
@click.option("--format", "fmt", type=click.Choice(["ndjson", "csv"]), default="ndjson")
@click.option("--project", default=None, help="Only this project (its code).")
@click.option("--actor", default=None, help="Only events recorded by this actor.")
@click.option(
    "--after-position",
    type=click.IntRange(min=0),
    default=None,
    help="Resume: only events after this position, appended to the file.",
)
def export_audit(
    output: Path,
    fmt: str,
    project: str | None,
    actor: str | None,
    after_position: int | None,
) -> None:
    """Write the audit trail as NDJSON or CSV; Ctrl-C says how to resume."""
    command = exports.ExportAudit(
        fmt,
        project_code=project,
        actor=actor,
        after_position=after_position,
        catch_up=True,
    )
    with opened() as services:
        found = exports.export_audit(
            services, command, cli_meta(f"exported to {output.name}")
        )
        last, count = after_position or 0, 0
        try:
            with output.open("a" if after_position else "w", encoding="utf-8") as out:
                out.write(found.header)
                for position, line in found.lines:
                    out.write(line)
                    last, count = position, count + 1
                    if count % PROGRESS_EVERY == 0:
                        click.echo(f"  {count} events, position {last}", err=True)
        except KeyboardInterrupt:
            click.echo(
                f"interrupted after position {last}; resume with "
                f"--after-position {last}",
                err=True,
            )
            sys.exit(130)
    click.echo(f"wrote {count} events (up to position {last}) to {output}")

"""`pmo-ledger export audit`: the audit trail to a file, resumable, recorded."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from api import exports
from api.cli_common import cli_meta, opened
from api.resources.audit import COLUMNS
from projections.runner import follow_live

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
    with opened() as services:
        project_id = None
        if project is not None:
            project_id = services.ledger.project_id_for_code(project)
            if project_id is None:
                raise click.ClickException(f"no project with code {project!r}")
        for processor in services.runner.processors:
            if processor.name == "audit":
                follow_live(processor).catch_up()
        filters = {"project_id": project_id, "actor": actor}
        shown = {k: str(v) for k, v in filters.items() if v is not None}
        reason = f"exported to {output.name}"
        services.ledger.record_export("audit", fmt, shown, cli_meta(reason))
        rows = services.views.iter_audit(**filters, after_position=after_position)
        last, count = after_position or 0, 0
        try:
            with output.open("a" if after_position else "w", encoding="utf-8") as out:
                if fmt == "csv" and not after_position:
                    out.write(next(exports.csv_lines(COLUMNS, [])))
                for row in rows:
                    out.write(_line(fmt, row))
                    last, count = int(row["position"]), count + 1
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


def _line(fmt: str, row: dict[str, object]) -> str:
    if fmt == "ndjson":
        return next(exports.ndjson_lines([row]))
    header = next(exports.csv_lines(COLUMNS, []))
    return next(exports.csv_lines(COLUMNS, [row]))[len(header) :]

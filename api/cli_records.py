"""`pmo-ledger dispositions execute`: carry out an approved disposition review."""

from __future__ import annotations

import sys
from uuid import UUID

import click

from api.cli_common import opened, progress_bar
from service.domain.base import Meta
from usecases import certificates


@click.group("dispositions")
def dispositions_group() -> None:
    """Disposition reviews: execute an approved one (or finish an interrupted one)."""


@dispositions_group.command("execute")
@click.argument("review_id", type=click.UUID)
@click.option("--reason", help="why, recorded on the review's events")
@click.option("--actor", default="cli", show_default=True, help="who executes it")
def execute(review_id: UUID, reason: str | None, actor: str) -> None:
    """Dispose of every record of REVIEW_ID and write its certificate.

    Interrupted (Ctrl-C, a crash), it is finished by running it again: the
    records already disposed of are skipped and one certificate covers all.
    """
    meta = Meta(actor, "pmo-head", reason)
    counts: list[int] = []

    def told(done: int, total: int) -> None:
        counts[:] = [counts[0] if counts else done, done, total]
        shown(done, total)

    with opened() as services, progress_bar("Disposing of records") as shown:
        try:
            command = certificates.ExecuteDisposition(review_id, told)
            done = certificates.execute(services, command, meta)
        except KeyboardInterrupt:
            left = f"{counts[1]} of {counts[2]} disposed of" if counts else "nothing"
            click.echo(f"\ninterrupted ({left}): run it again to finish", err=True)
            sys.exit(130)
    click.echo(f"certificate {done.certificate_sha256}")
    if done.package_sha256 is not None:
        click.echo(f"package {done.package_sha256}")
    earlier, _, total = counts
    resumed = f" ({earlier} by an earlier run)" if earlier else ""
    click.echo(f"executed: {total} records disposed of{resumed}", err=True)

"""`pmo-ledger documents verify` and `pmo-ledger blobs gc`: stored-content custody."""

from __future__ import annotations

from datetime import timedelta

import click

from api.cli_common import opened, progress_bar
from usecases import storage


@click.group()
def documents() -> None:
    """Audit the content of document versions."""


@documents.command("verify")
@click.option(
    "--grace",
    default=60,
    show_default=True,
    type=click.IntRange(min=0),
    help="Seconds within which unreferenced content may be an upload in flight.",
)
def documents_verify(grace: int) -> None:
    """Re-hash every stored version against its event; exit 1 if anything is wrong."""
    with opened() as services, progress_bar("Re-hashing content") as advance:
        command = storage.VerifyContent(timedelta(seconds=grace), advance)
        report = storage.verify_content(services, command)
    for finding in report.findings:
        where = ", ".join(f"{r.document_id} v{r.number}" for r in finding.refs)
        click.echo(f"{finding.problem:<10} {finding.sha256}  {where}".rstrip())
    problems = len(report.findings)
    click.echo(
        f"checked {report.checked} blobs: "
        + ("all intact" if report.ok else f"{problems} problem(s)"),
        err=True,
    )
    if not report.ok:
        raise SystemExit(1)


@click.group()
def blobs() -> None:
    """Maintain the content store."""


@blobs.command("gc")
@click.option(
    "--grace",
    default=3600,
    show_default=True,
    type=click.IntRange(min=0),
    help="Keep unreferenced content stored this many seconds ago or less.",
)
def blobs_gc(grace: int) -> None:
    """Remove content no live document version references."""
    with opened() as services:
        command = storage.CollectGarbage(timedelta(seconds=grace))
        removed = storage.collect_garbage(services, command)
    for sha256 in removed:
        click.echo(f"removed {sha256}")
    click.echo(f"removed {len(removed)} unreferenced blob(s)", err=True)

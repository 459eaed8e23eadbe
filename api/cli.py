"""The pmo-ledger command line (also reachable as `flask --app api ...`)."""

from __future__ import annotations

import sys
from uuid import UUID

import click

from api.cli_access import access_group
from api.cli_audit import export_audit
from api.cli_backup import backup, restore
from api.cli_common import cli_meta, opened
from api.cli_custody import blobs, documents
from api.cli_import import import_group
from api.cli_ledger import export_group
from api.cli_ledger import register as register_ledger_commands
from api.cli_privacy import privacy_group
from api.cli_projections import projections
from api.cli_records import dispositions_group
from api.cli_retention import retention_group
from api.cli_subscriptions import subscriptions
from service.domain.base import ROLES
from usecases import access, imports, retention
from usecases.root import ensure_bootstrap_token


@click.group()
def main() -> None:
    """pmo-ledger: the PMO's tamper-evident system of record."""


@main.command()
def serve() -> None:
    """Start the HTTP server (gunicorn) on PMO_LEDGER_HOST:PMO_LEDGER_PORT."""
    from api.instance import instance_dir
    from api.server import GunicornServer, server_options

    with opened() as services:
        secret = ensure_bootstrap_token(services)
        retention.record_initial_schedule(services)
        settings = services.settings
    if secret is not None and settings.bootstrap_token is None:
        # Logs are collected and kept; the secret stays in the data dir (0600).
        click.echo(
            "Bootstrap pmo-head token written to "
            f"{settings.data_dir / 'bootstrap-token'} (mode 0600)",
            err=True,
        )
    click.echo(f"Serving on http://{settings.host}:{settings.port}", err=True)
    with instance_dir() as run_dir:
        click.echo(f"Control socket and metrics files under {run_dir}", err=True)
        GunicornServer(settings, server_options(settings, run_dir)).run()


@main.group()
def tokens() -> None:
    """Issue, list and revoke access tokens."""


@tokens.command("issue")
@click.argument("name")
@click.option("--role", type=click.Choice(ROLES), required=True)
@click.option("--reason", default=None)
def tokens_issue(name: str, role: str, reason: str | None) -> None:
    """Issue a token; the secret is printed once."""
    with opened() as services:
        issued = access.issue_token(
            services, access.IssueToken(name, role), cli_meta(reason)
        )
    click.echo(f"token id: {issued.token_id}", err=True)
    click.echo(issued.secret)


@tokens.command("list")
def tokens_list() -> None:
    """List every token with its role and status (never the secret)."""
    with opened() as services:
        for token in access.list_tokens(services):
            click.echo(
                f"{token.token_id}  {token.role:<16} {token.status:<8} "
                f"{token.issued_at:%Y-%m-%d %H:%M}  {token.name}"
            )


@tokens.command("revoke")
@click.argument("token_id", type=click.UUID)
@click.option("--reason", default=None)
def tokens_revoke(token_id: UUID, reason: str | None) -> None:
    """Revoke a token; it stops working at once."""
    with opened() as services:
        access.revoke_token(services, access.RevokeToken(token_id), cli_meta(reason))
    click.echo(f"revoked {token_id}")


@main.command()
@click.option("--seed", default=7, show_default=True, help="Random seed of the sample.")
@click.option(
    "--reports/--no-reports",
    default=True,
    show_default=True,
    help="Issue a month of weekly highlight reports and an end-stage report.",
)
def demo(seed: int, reports: bool) -> None:
    """Load a realistic sample PMO (skips projects whose code already exists)."""
    with opened() as services:
        summary = imports.load_demo(services, imports.LoadDemo(seed, reports))
    click.echo(
        f"loaded {summary.projects} projects, {summary.risks} risks, "
        f"{summary.issues} issues, {summary.changes} change requests, "
        f"{summary.decisions} decisions, {summary.documents} documents, "
        f"{summary.milestones} milestones, {summary.baselines} plan baselines, "
        f"{summary.dependencies} dependencies, "
        f"{summary.value} budget lines, benefits and resource demands, "
        f"{summary.courses} training courses, "
        f"{summary.library} library documents, {summary.reports} reports issued "
        f"({summary.events} events)"
    )


register_ledger_commands(main)
export_group.add_command(export_audit)
main.add_command(projections)
main.add_command(subscriptions)
main.add_command(documents)
main.add_command(blobs)
main.add_command(import_group)
main.add_command(retention_group)
main.add_command(dispositions_group)
main.add_command(access_group)
main.add_command(privacy_group)
main.add_command(backup)
main.add_command(restore)

if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())

"""`pmo-ledger access`: project memberships and clearances from the command line."""

from __future__ import annotations

import click

from api.cli_common import cli_meta, opened
from service.domain.membership import CLEARANCES, PORTFOLIO, PROJECT_ROLES
from usecases import membership
from usecases.projects import find_project

SUBJECT = "SUBJECT is token:<token id> or oidc:<subject at the identity provider>."
PROJECT = "PROJECT is a project's code or id, or * for every project."


@click.group("access")
def access_group() -> None:
    """Who belongs to which project in which role, and who may read what."""


@access_group.command("grant", epilog=f"{SUBJECT} {PROJECT}")
@click.argument("subject")
@click.argument("project")
@click.option("--role", type=click.Choice(PROJECT_ROLES), required=True)
@click.option("--reason", default=None)
def grant(subject: str, project: str, role: str, reason: str | None) -> None:
    """Make SUBJECT a member of PROJECT in a role."""
    with opened() as services:
        command = membership.GrantMembership(
            subject,
            None if project == PORTFOLIO else find_project(services, project),
            role,
        )
        membership.grant_membership(services, command, cli_meta(reason))
    click.echo(f"{subject} is {role} in {project}")


@access_group.command("revoke", epilog=f"{SUBJECT} {PROJECT}")
@click.argument("subject")
@click.argument("project")
@click.option("--reason", default=None)
def revoke(subject: str, project: str, reason: str | None) -> None:
    """End SUBJECT's membership of PROJECT (their sessions end at once)."""
    with opened() as services:
        command = membership.RevokeMembership(
            subject, None if project == PORTFOLIO else find_project(services, project)
        )
        membership.revoke_membership(services, command, cli_meta(reason))
    click.echo(f"{subject} is no longer a member of {project}")


@access_group.command("clear", epilog=SUBJECT)
@click.argument("subject")
@click.argument("clearance", type=click.Choice(CLEARANCES))
@click.option("--reason", default=None)
def clear(subject: str, clearance: str, reason: str | None) -> None:
    """Set the highest classification SUBJECT may read."""
    with opened() as services:
        command = membership.SetClearance(subject, clearance)
        membership.set_clearance(services, command, cli_meta(reason))
    click.echo(f"{subject} is cleared for {clearance}")


@access_group.command("list")
def list_people() -> None:
    """Every token and person with role, memberships and clearance."""
    with opened() as services:
        for person in membership.people(services):
            scope = (
                "every project (role)"
                if person["portfolio_wide"]
                else ", ".join(f"{p}={r}" for p, r in person["memberships"].items())
                or "no project"
            )
            click.echo(
                f"{person['subject']}  {person['role'] or '-':<16} "
                f"{person['status']:<8} {person['clearance']:<12} "
                f"{person['name']}: {scope}"
            )


@access_group.command("grant-existing")
@click.option("--reason", default="kept the access tokens had before memberships")
def grant_existing(reason: str) -> None:
    """Upgrade step: every active project-role token with no access record keeps
    what it could read before memberships (every project, every document)."""
    with opened() as services:
        count = membership.grant_existing_tokens(services, cli_meta(reason))
    click.echo(f"granted {count} tokens a portfolio-wide membership")

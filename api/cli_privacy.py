"""`pmo-ledger privacy`: erase a data subject, export what is held about one."""

from __future__ import annotations

import json
from typing import TextIO

import click

from api.cli_common import cli_meta, opened
from service.domain.erasure import LEGAL_BASES
from usecases import privacy

PERSON = "Name the person by --name, --email or both."


@click.group("privacy")
def privacy_group() -> None:
    """Personal data: erasure (crypto-shredding) and subject access."""


@privacy_group.command("erase", epilog=PERSON)
@click.option("--name", default="")
@click.option("--email", default="")
@click.option("--legal-basis", type=click.Choice(LEGAL_BASES), required=True)
@click.option("--reason", required=True)
def erase(name: str, email: str, legal_basis: str, reason: str) -> None:
    """Erase a person: destroy their keys, record it, redact every derived copy.

    Also the migration for events recorded before personal data was sealed:
    their plaintext stays in the events, and every read model, snapshot and
    kept response is redacted (docs/privacy.md).
    """
    with opened() as services:
        command = privacy.EraseSubject(privacy.Person(name, email), legal_basis, reason)
        done = privacy.erase_subject(services, command, cli_meta(reason))
    report(done)


@privacy_group.command("erase-account")
@click.option("--name", required=True, help="The account's name as recorded.")
@click.option("--legal-basis", type=click.Choice(LEGAL_BASES), required=True)
@click.option("--reason", required=True)
def erase_account(name: str, legal_basis: str, reason: str) -> None:
    """Erase an account: revoke its tokens, destroy its key, redact every copy.

    Every event it recorded then names its actor as erased; for events recorded
    before actors were sealed the name is redacted from every derived copy.
    """
    with opened() as services:
        command = privacy.EraseAccount(name, legal_basis, reason)
        done = privacy.erase_account(services, command, cli_meta(reason))
    report(done)


def report(done: privacy.ErasureDone) -> None:
    """What an erasure did, one line (and what is left, on stderr)."""
    click.echo(
        f"erasure {done.erasure_id} recorded at position {done.position}: "
        f"{len(done.subjects)} subject key(s) destroyed, "
        f"{len(done.rebuilt)} read models rebuilt"
    )
    if done.pending:
        click.echo(f"still to rebuild: {', '.join(done.pending)}", err=True)
    if not done.compacted:
        click.echo("files not compacted (busy): see the log", err=True)


@privacy_group.command("access", epilog=PERSON)
@click.option("--name", default="")
@click.option("--email", default="")
@click.option("--output", type=click.File("w"), default="-")
@click.option("--reason", default=None)
def access(name: str, email: str, output: TextIO, reason: str | None) -> None:
    """Export everything held about a person as JSON (the export is recorded)."""
    with opened() as services:
        found = privacy.subject_access(
            services, privacy.Person(name, email), cli_meta(reason)
        )
    json.dump(found.as_json(), output, indent=2)
    output.write("\n")


@privacy_group.command("erasures")
def erasures() -> None:
    """Every erasure recorded: when, who, the legal basis, why."""
    with opened() as services:
        for e in privacy.list_erasures(services):
            click.echo(
                f"{e.recorded_at.isoformat()}  {e.actor}  {e.legal_basis}  "
                f"{e.subjects} subject(s)  {e.reason}"
            )

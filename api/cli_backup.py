"""`pmo-ledger backup DEST` and `pmo-ledger restore SRC`."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from api.cli_common import opened
from api.cli_projections import Bar
from service.config import ConfigError, Settings
from service.errors import ApplicationError
from usecases import backup as backups


@click.command("backup")
@click.argument("destination", type=click.Path(path_type=Path))
@click.option(
    "--with-signing-key",
    is_flag=True,
    help="also copy the signing key file (never an HSM key): guard the backup then",
)
def backup(destination: Path, with_signing_key: bool) -> None:
    """Back up the store online into a new directory, with a signed checkpoint."""
    with opened() as services:
        try:
            manifest = backups.back_up(
                services, backups.BackUp(destination, with_signing_key), Bar()
            )
        except KeyboardInterrupt:
            click.echo("interrupted: no backup was written", err=True)
            sys.exit(130)
    click.echo(
        f"backed up {manifest['position']} events to {destination} "
        f"(checkpoint tree size {manifest['checkpoint_size']})"
    )
    if manifest["backend"] == "postgres":
        click.echo(f"now dump the database: see {destination / backups.PG_GUIDE}")


@click.command("restore")
@click.argument("source", type=click.Path(exists=True, path_type=Path))
@click.option(
    "--public-key",
    "key_files",
    multiple=True,
    type=click.Path(exists=True, path_type=Path),
    help="a trusted public key (PEM); default: the keys the backup names",
)
def restore(source: Path, key_files: tuple[Path, ...]) -> None:
    """Restore a backup into the empty data dir, verified against its checkpoint."""
    try:
        settings = Settings.from_env()
        pems = tuple(path.read_bytes() for path in key_files)
        restored = backups.restore(settings, backups.Restore(source, pems), Bar())
    except (ConfigError, ApplicationError) as error:
        raise click.ClickException(str(error)) from None
    except KeyboardInterrupt:
        click.echo("interrupted: nothing was restored", err=True)
        sys.exit(130)
    click.echo(
        f"restored {restored.position} events; verified against the checkpoint "
        f"of tree size {restored.checkpoint_size}: {restored.report.summary()}"
    )

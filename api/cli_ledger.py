"""Ledger commands: verify, ledger head, export evidence, verify-evidence."""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

import click

from api.cli_common import cli_meta, opened
from api.cli_witness import witness_group, witness_policy_options
from integrity.tree import LedgerError
from service.config import ConfigError, Settings
from usecases import exports, integrity, verification

_HEAD_HELP = "a signed head (JSON) you kept: catches a truncated tail or a fork"
_KEY_HELP = (
    "a trusted Ed25519 public key (PEM); repeatable; replaces the data "
    "directory's key as the trusted set"
)
_GRACE_HELP = "seconds an event may wait for a signed checkpoint before verify fails"
_READERS_HELP = "processes reading and hashing the log beside the verifier (0: none)"


def _read_head(path: Path | None) -> integrity.SignedTreeHead | None:
    if path is None:
        return None
    try:
        return integrity.signed_head(json.loads(path.read_text("utf-8")))
    except (OSError, ValueError) as error:
        raise click.ClickException(f"{path}: {error}") from None


@click.command()
@click.option("--head", "head_file", type=click.Path(path_type=Path), help=_HEAD_HELP)
@click.option(
    "--public-key",
    "key_files",
    multiple=True,
    type=click.Path(path_type=Path),
    help=_KEY_HELP,
)
@click.option(
    "--readers",
    type=click.IntRange(0, 16),
    default=verification.default_readers,
    show_default="2 on a multi-core machine",
    help=_READERS_HELP,
)
@click.option(
    "--grace",
    type=click.FloatRange(0),
    default=verification.DEFAULT_GRACE_SECONDS,
    show_default=True,
    help=_GRACE_HELP,
)
@click.option(
    "--checkpoint",
    "checkpoint_files",
    multiple=True,
    type=click.Path(exists=True, path_type=Path),
    help="a C2SP checkpoint you (or your witness) kept; repeatable",
)
@witness_policy_options
def verify(
    head_file: Path | None,
    key_files: tuple[Path, ...],
    readers: int,
    grace: float,
    checkpoint_files: tuple[Path, ...],
    witnesses: tuple[str, ...],
    quorum: int | None,
) -> None:
    """Recompute every leaf, head and blob; fail on events no checkpoint covers."""
    trusted_head = _read_head(head_file)
    kept = tuple(path.read_text("utf-8") for path in checkpoint_files)
    pems = tuple(path.read_bytes() for path in key_files)
    with opened() as services:
        try:
            with click.progressbar(
                length=services.app.head_position(),
                label="verifying",
                file=sys.stderr,
            ) as bar:
                command = verification.VerifyStore(
                    trusted_head,
                    pems,
                    readers,
                    bar.update,
                    grace,
                    kept,
                    witnesses,
                    quorum,
                )
                report = verification.verify_store(services, command)
        except KeyboardInterrupt:
            click.echo("interrupted: nothing was concluded", err=True)
            sys.exit(130)
    click.echo(report.summary())
    if not report.ok:
        sys.exit(1)


@click.group("ledger")
def ledger_group() -> None:
    """The integrity ledger: signed tree heads and the public key."""


@ledger_group.command("head")
def ledger_head() -> None:
    """Print the latest signed tree head as JSON (keep it to verify later)."""
    with opened() as services:
        head = integrity.latest_head(services)
    click.echo(json.dumps(head.to_json_dict(), indent=1, sort_keys=True))


@ledger_group.command("public-key")
def ledger_public_key() -> None:
    """Print the public keys that signed heads here (PEM)."""
    with opened() as services:
        for key in integrity.signing_keys(services):
            click.echo(f"# key_id {key['key_id']}")
            click.echo(key["public_key_pem"], nl=False)


@ledger_group.command("adopt-key")
def ledger_adopt_key() -> None:
    """Sign from now on with this host's key (after a lost key; tell auditors)."""
    with opened() as services:
        adopted = integrity.adopt_ledger_key(services)
    click.echo(f"the ledger's key is now {adopted}: publish its key id to auditors")


@ledger_group.command("create-hsm-key")
def ledger_create_hsm_key() -> None:
    """Generate the ledger key inside the configured PKCS#11 token (once)."""
    try:
        created = integrity.create_ledger_hsm_key(Settings.from_env())
    except (ConfigError, LedgerError) as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"# key_id {created.key_id} ({created.where})")
    click.echo(created.public_key_pem, nl=False)


@click.group("export")
def export_group() -> None:
    """Export records for people outside the system."""


@export_group.command("evidence")
@click.argument("project")
@click.option("-o", "--output", type=click.Path(path_type=Path), required=True)
def export_evidence(project: str, output: Path) -> None:
    """Write the evidence pack of a project (id or code) against the latest head."""
    command = exports.ExportEvidence(project, destination=str(output))
    with opened() as services:
        pack = exports.export_evidence(services, command, cli_meta(None))
        with pack.content, output.open("wb") as out:
            shutil.copyfileobj(pack.content, out)
    click.echo(f"wrote {pack.events} events of project {pack.project_code} to {output}")


@click.command("verify-evidence")
@click.argument("pack", type=click.Path(exists=True, path_type=Path))
@click.option("--head", "head_file", type=click.Path(path_type=Path), help=_HEAD_HELP)
@click.option(
    "--consistency-proof",
    type=click.Path(path_type=Path),
    help="JSON from /ledger/proofs/consistency linking --head and the pack's head",
)
@click.option(
    "--public-key",
    "key_file",
    type=click.Path(path_type=Path),
    help="pin this public key (PEM)",
)
@click.option(
    "--checkpoint",
    "checkpoint_file",
    type=click.Path(exists=True, path_type=Path),
    help="a C2SP checkpoint (cosigned) the pack's head must be or extend",
)
@witness_policy_options
def verify_evidence(
    pack: Path,
    head_file: Path | None,
    consistency_proof: Path | None,
    key_file: Path | None,
    checkpoint_file: Path | None,
    witnesses: tuple[str, ...],
    quorum: int | None,
) -> None:
    """Verify an evidence pack offline (no database, no server)."""
    proof = None
    if consistency_proof is not None:
        try:
            data = json.loads(consistency_proof.read_text("utf-8"))
            proof = tuple(bytes.fromhex(node) for node in data["path"])
        except (OSError, ValueError, KeyError, TypeError) as error:
            raise click.ClickException(f"{consistency_proof}: {error}") from None
    report = verification.verify_evidence(
        verification.VerifyEvidence(
            pack,
            _read_head(head_file),
            proof,
            key_file.read_bytes() if key_file else None,
            checkpoint_file.read_text("utf-8") if checkpoint_file else None,
            witnesses,
            quorum,
        )
    )
    click.echo(report.summary())
    if not report.ok:
        sys.exit(1)


def register(main: click.Group) -> None:
    """Add the ledger commands to the main group (sharing an `export` group)."""
    main.add_command(verify)
    main.add_command(witness_group)
    main.add_command(ledger_group)
    main.add_command(verify_evidence)
    existing = main.commands.get("export")
    if isinstance(existing, click.Group):
        existing.add_command(export_evidence)
    else:
        main.add_command(export_group)

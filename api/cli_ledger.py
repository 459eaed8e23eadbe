"""Ledger commands: verify, ledger head, export evidence, verify-evidence."""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime
from pathlib import Path
from uuid import UUID

import click

from api.cli_common import cli_meta, opened
from integrity.evidence import verify_evidence_pack
from integrity.proofs import LedgerReader, NoHeadError
from integrity.signing import (
    SignedTreeHead,
    load_or_create_private_key,
    load_public_key_pem,
)
from integrity.tables import metadata as ledger_metadata
from integrity.tree import LedgerError
from integrity.verifier import LogReaderError, Verifier, default_readers
from service.domain.project import Project

_HEAD_HELP = "a signed head (JSON) you kept: catches a truncated tail or a fork"
_KEY_HELP = "a trusted Ed25519 public key (PEM); repeatable"
_READERS_HELP = "processes reading and hashing the log beside the verifier (0: none)"


def _read_head(path: Path | None) -> SignedTreeHead | None:
    if path is None:
        return None
    try:
        return SignedTreeHead.from_json_dict(json.loads(path.read_text("utf-8")))
    except (OSError, ValueError, LedgerError) as error:
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
    default=default_readers,
    show_default="2 on a multi-core machine",
    help=_READERS_HELP,
)
def verify(head_file: Path | None, key_files: tuple[Path, ...], readers: int) -> None:
    """Recompute every leaf, head and blob from the stored events."""
    trusted_head = _read_head(head_file)
    with opened() as services:
        settings = services.settings
        keys = [load_public_key_pem(path.read_bytes()) for path in key_files]
        if settings.key_path.exists():
            keys.append(load_or_create_private_key(settings.key_path).public_key())
        if not keys:
            raise click.ClickException(
                f"no trusted key: {settings.key_path} is absent; pass --public-key"
            )
        ledger_metadata.create_all(services.views_engine)
        store = services.ledger
        verifier = Verifier(
            services.views_engine,
            store.recorder,
            store.blobs,
            keys,
            trusted_head,
            readers,
        )
        length = store.head_position()
        try:
            with click.progressbar(
                length=length, label="verifying", file=sys.stderr
            ) as bar:
                report = verifier.run(progress=bar.update)
        except KeyboardInterrupt:
            click.echo("interrupted: nothing was concluded", err=True)
            sys.exit(130)
        except LogReaderError as error:
            raise click.ClickException(str(error)) from error
        LedgerReader(services.views_engine).record_verification(
            report, datetime.now(UTC)
        )
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
        ledger_metadata.create_all(services.views_engine)
        try:
            head = LedgerReader(services.views_engine).latest_head()
        except NoHeadError as error:
            raise click.ClickException(str(error)) from None
    click.echo(json.dumps(head.to_json_dict(), indent=1, sort_keys=True))


@ledger_group.command("public-key")
def ledger_public_key() -> None:
    """Print the public keys that signed heads here (PEM)."""
    with opened() as services:
        ledger_metadata.create_all(services.views_engine)
        for key in LedgerReader(services.views_engine).public_keys():
            click.echo(f"# key_id {key['key_id']}")
            click.echo(key["public_key_pem"], nl=False)


@click.group("export")
def export_group() -> None:
    """Export records for people outside the system."""


@export_group.command("evidence")
@click.argument("project")
@click.option("-o", "--output", type=click.Path(path_type=Path), required=True)
def export_evidence(project: str, output: Path) -> None:
    """Write the evidence pack of a project (id or code) against the latest head."""
    with opened() as services:
        app = services.ledger
        project_id = _project_id(project) or app.project_id_for_code(project)
        if project_id is None:
            raise click.ClickException(f"no project {project!r}")
        code = app.load(Project, project_id).code
        ledger_metadata.create_all(services.views_engine)
        reader = LedgerReader(services.views_engine)
        try:
            with output.open("wb") as out:
                key = load_or_create_private_key(services.settings.key_path)
                count = reader.write_evidence(out, app.recorder, project_id, code, key)
        except (NoHeadError, LedgerError) as error:
            output.unlink(missing_ok=True)
            raise click.ClickException(str(error)) from None
        filters = {"project_id": str(project_id), "file": str(output)}
        app.record_export("evidence", "zip", filters, cli_meta(None))
    click.echo(f"wrote {count} events of project {code} to {output}")


def _project_id(value: str) -> UUID | None:
    try:
        return UUID(value)
    except ValueError:
        return None


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
def verify_evidence(
    pack: Path,
    head_file: Path | None,
    consistency_proof: Path | None,
    key_file: Path | None,
) -> None:
    """Verify an evidence pack offline (no database, no server)."""
    proof = None
    if consistency_proof is not None:
        try:
            data = json.loads(consistency_proof.read_text("utf-8"))
            proof = [bytes.fromhex(node) for node in data["path"]]
        except (OSError, ValueError, KeyError, TypeError) as error:
            raise click.ClickException(f"{consistency_proof}: {error}") from None
    report = verify_evidence_pack(
        pack,
        _read_head(head_file),
        consistency_proof=proof,
        trusted_key_pem=key_file.read_bytes() if key_file else None,
    )
    click.echo(report.summary())
    if not report.ok:
        sys.exit(1)


def register(main: click.Group) -> None:
    """Add the ledger commands to the main group (sharing an `export` group)."""
    main.add_command(verify)
    main.add_command(ledger_group)
    main.add_command(verify_evidence)
    existing = main.commands.get("export")
    if isinstance(existing, click.Group):
        existing.add_command(export_evidence)
    else:
        main.add_command(export_group)

"""`pmo-ledger witness`: an auditor's witness, and the witness policy options."""

from __future__ import annotations

import json
import os
import sys
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from integrity.witness import WitnessRefusedError
from usecases import witness

F = TypeVar("F", bound=Callable[..., Any])
_DIR = click.argument("directory", type=click.Path(file_okay=False, path_type=Path))


def witness_policy_options(func: F) -> F:
    """Add --witness VKEY (repeatable) and --quorum N to a verify command."""
    func = click.option(
        "--quorum",
        type=click.IntRange(1),
        default=None,
        help="how many of the --witness keys must have cosigned (default: all)",
    )(func)
    return click.option(
        "--witness",
        "witnesses",
        multiple=True,
        help="a witness's C2SP verifier key (cosignature type); repeatable",
    )(func)


@click.group("witness")
def witness_group() -> None:
    """A witness an auditor runs with its own key (C2SP tlog-witness rules)."""


@witness_group.command("init")
@_DIR
@click.option(
    "--name", required=True, help="the witness's key name, e.g. audit.example/w1"
)
def init(directory: Path, name: str) -> None:
    """Create a witness: a new key in DIRECTORY; prints its verifier key."""
    click.echo(witness.init_witness(directory, name))


@witness_group.command("trust")
@_DIR
@click.argument("log_vkey")
def trust(directory: Path, log_vkey: str) -> None:
    """Follow a log: trust the checkpoint verifier key it publishes out of band."""
    click.echo(f"following {witness.trust_log(directory, log_vkey)}")


@witness_group.command("key")
@_DIR
def key(directory: Path) -> None:
    """Print the witness's verifier key (give it to whoever checks a policy)."""
    click.echo(witness.witness_key(directory))


@witness_group.command("checkpoint")
@_DIR
def checkpoint(directory: Path) -> None:
    """Print the latest checkpoint cosigned for each log (keep it; verify with it)."""
    for note in witness.kept_checkpoints(directory).values():
        click.echo(note, nl=False)


@witness_group.command("run")
@_DIR
@click.option("--url", required=True, help="the service, e.g. https://pmo.example")
@click.option(
    "--token-file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="an auditor token (default: $PMO_LEDGER_WITNESS_TOKEN)",
)
@click.option("--push/--no-push", default=True, help="push the cosignature back")
def run(directory: Path, url: str, token_file: Path | None, push: bool) -> None:
    """Cosign the log's latest checkpoint if it extends the last one cosigned."""
    token = (
        token_file.read_text("utf-8").strip()
        if token_file
        else os.environ.get("PMO_LEDGER_WITNESS_TOKEN", "")
    )
    client = _Http(url.rstrip("/") + "/api/v1", token)
    command = witness.WitnessRound(directory, client.get, client.post if push else None)
    try:
        done = witness.witness_round(command)
    except WitnessRefusedError as refused:
        click.echo(f"REFUSED ({refused.status}): {refused.reason}", err=True)
        if refused.evidence is not None:
            click.echo(f"evidence kept in {refused.evidence}", err=True)
        sys.exit(1)
    click.echo(
        f"cosigned {done.origin} at tree size {done.tree_size} "
        f"(from {done.old_size}){'; pushed' if done.pushed else ''}"
    )
    click.echo(done.line, nl=False)


class _Http:
    """GET and POST under the API root with the token; errors end the command."""

    def __init__(self, root: str, token: str) -> None:
        if not root.startswith(("http://", "https://")):
            raise click.BadParameter("--url must be http:// or https://")
        self.root, self.token = root, token

    def get(self, path: str) -> bytes:
        return self._send(urllib.request.Request(self.root + path))  # noqa: S310 - http(s) checked

    def post(self, path: str, body: dict[str, Any]) -> None:
        request = urllib.request.Request(  # noqa: S310 - http(s) checked
            self.root + path,
            data=json.dumps(body).encode(),
            headers={"Content-Type": "application/json"},
            method="POST",
        )
        self._send(request)

    def _send(self, request: urllib.request.Request) -> bytes:
        request.add_header("Authorization", f"Bearer {self.token}")
        try:
            with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
                return bytes(response.read())
        except urllib.error.HTTPError as error:
            detail = error.read().decode("utf-8", "replace")[:500]
            message = f"{request.full_url}: {error.code} {detail}"
            raise click.ClickException(message) from None
        except urllib.error.URLError as error:
            raise click.ClickException(f"{request.full_url}: {error.reason}") from None

"""The witness an auditor runs: fetch the log's checkpoint, cosign it, push it back.

The transport (HTTP to the service) is the adapter's; the decisions are the
witness's own (integrity.witness).
"""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from integrity.checkpoint import Checkpoint
from integrity.note import NoteError, parse_note
from integrity.witness import Witness, WitnessRefusedError

Fetch = Callable[[str], bytes]
Push = Callable[[str, dict[str, Any]], None]


@dataclass(frozen=True)
class WitnessRound:
    """One round: the witness directory and how to reach the log (paths under v1)."""

    directory: Path
    fetch: Fetch
    push: Push | None = None
    now: Callable[[], float] = field(default=time.time)


@dataclass(frozen=True)
class Cosignature:
    """What a round cosigned, from which size, and the line itself."""

    origin: str
    old_size: int
    tree_size: int
    line: str
    pushed: bool


def init_witness(directory: Path, name: str) -> str:
    """Create a witness (a new key); return its verifier key for auditors."""
    return Witness.init(directory, name).note_key.vkey


def trust_log(directory: Path, log_vkey: str) -> str:
    """Follow a log whose checkpoints its vkey verifies; return its origin."""
    return Witness(directory).trust(log_vkey)


def witness_key(directory: Path) -> str:
    """The witness's verifier key (cosignature type)."""
    return Witness(directory).note_key.vkey


def kept_checkpoints(directory: Path) -> dict[str, str]:
    """The latest checkpoint cosigned per origin, with the cosignature."""
    return {
        origin: state.checkpoint
        for origin, state in Witness(directory).logs().items()
        if state.checkpoint
    }


def witness_round(command: WitnessRound) -> Cosignature:
    """Cosign the log's latest checkpoint if it extends the last one cosigned.

    Raises WitnessRefusedError (fork and rollback evidence kept on disk).
    """
    witness = Witness(command.directory)
    raw = command.fetch("/ledger/checkpoint").decode("utf-8")
    try:
        note = parse_note(raw)
        checkpoint = Checkpoint.from_text(note.text)
    except NoteError as error:
        raise WitnessRefusedError(400, str(error)) from None
    state = witness.logs().get(checkpoint.origin)
    old = state.size if state else 0
    proof: list[bytes] = []
    if 0 < old < checkpoint.tree_size:
        link = json.loads(
            command.fetch(
                f"/ledger/proofs/consistency?first={old}&second={checkpoint.tree_size}"
            )
        )
        proof = [base64.b64decode(node) for node in link["path_b64"]]
    line = witness.add_checkpoint(old, proof, raw, int(command.now()))
    if command.push is not None:
        command.push(
            "/ledger/cosignatures",
            {
                "checkpoint": note.with_signatures([line]).render(),
                "witness_key": witness.note_key.vkey,
            },
        )
    return Cosignature(
        checkpoint.origin,
        old,
        checkpoint.tree_size,
        line.line(),
        command.push is not None,
    )

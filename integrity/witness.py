"""A witness: cosigns a log's checkpoints only while the log stays append-only.

It follows c2sp.org/tlog-witness's add-checkpoint rules (the status numbers
are that protocol's): the checkpoint must be signed by a log key it trusts for
the origin, come with the size it last cosigned and a consistency proof from
there; then it is cosigned (c2sp.org/tlog-cosignature) and the new size is
kept, durably, before the cosignature is returned. A checkpoint that
contradicts the kept one (same size, other root; a proof that fails) is a
fork, a smaller one a rollback: refused, and both checkpoints are written to
`evidence/` for people to act on.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from integrity.checkpoint import Checkpoint, cosign
from integrity.note import (
    COSIGNATURE,
    ED25519,
    Note,
    NoteError,
    NoteKey,
    Signature,
    check_name,
    check_plain,
    parse_note,
    verified_by,
)
from integrity.signing import load_or_create_private_key
from integrity.tree import LedgerError, verify_consistency

EMPTY_ROOT = hashlib.sha256(b"").digest()
MAX_PROOF = 63


class WitnessRefusedError(LedgerError):
    """The witness will not cosign; status is tlog-witness's HTTP status."""

    def __init__(self, status: int, reason: str, evidence: Path | None = None) -> None:
        super().__init__(reason)
        self.status, self.reason, self.evidence = status, reason, evidence


@dataclass(frozen=True)
class LogState:
    """What the witness keeps per log: its keys and the latest cosigned checkpoint."""

    vkeys: tuple[str, ...]
    size: int = 0
    checkpoint: str | None = None  # the note as cosigned

    def keys(self) -> list[NoteKey]:
        """The trusted log keys."""
        return [NoteKey.from_vkey(v) for v in self.vkeys]


class Witness:
    """A witness's key, name and kept state in one directory."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.state_path = directory / "state.json"
        name_path = directory / "name"
        if not name_path.exists():
            raise LedgerError(f"{directory} is not a witness (run `witness init`)")
        self.name = check_name(name_path.read_text("utf-8").strip())
        self.key = load_or_create_private_key(directory / "witness-key.pem")
        self.note_key = NoteKey(self.name, COSIGNATURE, self.key.public_key())

    @classmethod
    def init(cls, directory: Path, name: str) -> Witness:
        """Create a witness directory with a new key (refuses to overwrite one)."""
        directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        name_path = directory / "name"
        if name_path.exists():
            raise LedgerError(f"{directory} already holds a witness")
        _write_durably(name_path, check_name(name) + "\n")
        return cls(directory)

    def logs(self) -> dict[str, LogState]:
        """Every log followed, by origin."""
        if not self.state_path.exists():
            return {}
        data = json.loads(self.state_path.read_text("utf-8"))
        return {
            origin: LogState(tuple(s["vkeys"]), s["size"], s["checkpoint"])
            for origin, s in data["logs"].items()
        }

    def trust(self, log_vkey: str) -> str:
        """Follow a log: trust its checkpoint key (named by the origin)."""
        key = NoteKey.from_vkey(log_vkey)
        if key.kind != ED25519:
            raise NoteError("a log key is an Ed25519 (0x01) vkey")
        with self._locked():
            logs = self.logs()
            old = logs.get(key.name, LogState(()))
            if key.vkey not in old.vkeys:
                logs[key.name] = LogState(
                    (*old.vkeys, key.vkey), old.size, old.checkpoint
                )
                self._save(logs)
        return key.name

    def add_checkpoint(
        self, old_size: int, proof: Sequence[bytes], raw: str, now: int
    ) -> Signature:
        """Cosign a checkpoint consistent with the last one cosigned, or refuse."""
        try:
            note = parse_note(raw)
            checkpoint = Checkpoint.from_text(note.text)
        except NoteError as error:
            raise WitnessRefusedError(400, str(error)) from None
        with self._locked():
            logs = self.logs()
            state = logs.get(checkpoint.origin)
            if state is None:
                raise WitnessRefusedError(404, f"unknown log {checkpoint.origin}")
            self._check_signature(note, state)
            self._check_consistency(old_size, proof, checkpoint, note, state)
            line = cosign(note.text, self.name, self.key, now)
            kept = note.with_signatures([line]).render()
            logs[checkpoint.origin] = LogState(state.vkeys, checkpoint.tree_size, kept)
            self._save(logs)
        return line

    def _check_signature(self, note: Note, state: LogState) -> None:
        try:
            good = verified_by(note, state.keys(), check_plain)
        except NoteError as error:
            raise WitnessRefusedError(403, str(error)) from None
        if not good:
            raise WitnessRefusedError(
                403, "the checkpoint carries no signature by a trusted log key"
            )

    def _check_consistency(
        self,
        old_size: int,
        proof: Sequence[bytes],
        checkpoint: Checkpoint,
        note: Note,
        state: LogState,
    ) -> None:
        size, root = checkpoint.tree_size, checkpoint.root_hash
        if size < state.size:
            raise self._evidence(
                409,
                "rollback",
                f"a checkpoint of size {size}, smaller than the {state.size} "
                "already cosigned",
                state,
                note,
            )
        if old_size > size:
            raise WitnessRefusedError(400, "the old size is beyond the checkpoint")
        if old_size != state.size:
            raise WitnessRefusedError(409, f"the last size cosigned is {state.size}")
        if size == 0 and root != EMPTY_ROOT:
            raise WitnessRefusedError(422, "an empty tree has the empty root")
        if len(proof) > MAX_PROOF or (old_size == 0 and proof):
            raise WitnessRefusedError(422, "a malformed consistency proof")
        if old_size == 0:
            return
        kept = Checkpoint.from_text(parse_note(state.checkpoint or "").text)
        if size == old_size and root != kept.root_hash:
            raise self._evidence(
                422, "fork", f"two checkpoints for size {size}", state, note
            )
        if not verify_consistency(old_size, size, kept.root_hash, root, list(proof)):
            raise self._evidence(
                422,
                "fork",
                f"no consistency between sizes {old_size} and {size}: the log forked "
                "or the proof is wrong",
                state,
                note,
            )

    def _evidence(
        self, status: int, kind: str, reason: str, state: LogState, seen: Note
    ) -> WitnessRefusedError:
        """Keep both checkpoints as evidence; the refusal to raise."""
        folder = self.directory / "evidence"
        folder.mkdir(mode=0o700, exist_ok=True)
        body = seen.render()
        digest = hashlib.sha256(body.encode()).hexdigest()[:16]
        path = folder / f"{kind}-{digest}.txt"
        _write_durably(
            path,
            f"{kind}: {reason}\n\n"
            f"cosigned before:\n{state.checkpoint}\nshown now:\n{body}",
        )
        return WitnessRefusedError(status, f"{kind}: {reason}", path)

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        """Check and update the state atomically across processes."""
        with (self.directory / ".lock").open("a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    def _save(self, logs: dict[str, LogState]) -> None:
        data: dict[str, Any] = {
            "logs": {
                origin: {
                    "vkeys": list(s.vkeys),
                    "size": s.size,
                    "checkpoint": s.checkpoint,
                }
                for origin, s in sorted(logs.items())
            }
        }
        _write_durably(self.state_path, json.dumps(data, indent=1) + "\n")


def _write_durably(path: Path, text: str) -> None:
    """Replace a file atomically and durably (temp file, fsync, rename, fsync dir)."""
    temp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with temp.open("w", encoding="utf-8") as file:
        file.write(text)
        file.flush()
        os.fsync(file.fileno())
    os.replace(temp, path)
    directory = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)

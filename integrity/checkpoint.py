"""C2SP checkpoints (c2sp.org/tlog-checkpoint) and Ed25519 cosignatures.

A checkpoint is a signed note whose text is three lines: the log's origin, the
tree size in decimal and the root hash in base64. The ledger signs it with its
Ed25519 key under the origin as key name (type 0x01). A witness adds a
cosignature (c2sp.org/tlog-cosignature, type 0x04): Ed25519 over
"cosignature/v1", "time T" and the checkpoint text, prefixed by T as 8 bytes.
"""

from __future__ import annotations

import base64
import binascii
import re
import struct
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from integrity.note import (
    COSIGNATURE,
    ED25519,
    Note,
    NoteError,
    NoteKey,
    Signature,
    check_name,
    check_plain,
    ed25519_valid,
    parse_note,
    sign_note,
    verified_by,
)
from integrity.signing import SigningKey
from integrity.tree import HASH_SIZE

COSIGNATURE_HEADER: Final = "cosignature/v1\n"
_SIZE = re.compile(r"0|[1-9][0-9]{0,19}")
_MAX_TIME: Final = 2**63 - 1


@dataclass(frozen=True)
class Checkpoint:
    """A log's origin, tree size and root hash."""

    origin: str
    tree_size: int
    root_hash: bytes

    def text(self) -> str:
        """The note text: origin, size, base64 root, each ending in a newline."""
        root = base64.b64encode(self.root_hash).decode("ascii")
        return f"{self.origin}\n{self.tree_size}\n{root}\n"

    @classmethod
    def from_text(cls, text: str) -> Checkpoint:
        """Parse a checkpoint's note text (extension lines are allowed, unused)."""
        lines = text.split("\n")
        if len(lines) < 4 or lines[-1] != "" or any(not x for x in lines[:-1]):
            raise NoteError("a checkpoint is origin, size and root hash lines")
        origin, size, root = lines[0], lines[1], lines[2]
        if not _SIZE.fullmatch(size) or int(size) >= 2**64:
            raise NoteError(f"checkpoint tree size {size[:30]!r} is not a decimal")
        try:
            digest = base64.b64decode(root, validate=True)
        except binascii.Error:
            raise NoteError("checkpoint root hash is not base64") from None
        if len(digest) != HASH_SIZE:
            raise NoteError("checkpoint root hash is not 32 bytes")
        return cls(origin, int(size), digest)


def log_key(origin: str, key: SigningKey) -> NoteKey:
    """The note key a log signs its checkpoints with: named by its origin."""
    return NoteKey(check_name(origin), ED25519, key.public_key())


def sign_checkpoint(checkpoint: Checkpoint, key: SigningKey) -> Note:
    """The checkpoint signed by the log key (key name = origin)."""
    return sign_note(checkpoint.text(), check_name(checkpoint.origin), key)


def open_checkpoint(
    raw: str | bytes, log_keys: Sequence[NoteKey]
) -> tuple[Checkpoint, Note]:
    """Parse a checkpoint and require a valid signature by one of the log keys."""
    note = parse_note(raw)
    checkpoint = Checkpoint.from_text(note.text)
    keys = [k for k in log_keys if k.kind == ED25519 and k.name == checkpoint.origin]
    if not verified_by(note, keys, check_plain):
        raise NoteError(
            f"the checkpoint for {checkpoint.origin} carries no signature "
            "by a trusted log key"
        )
    return checkpoint, note


def cosigned_message(text: str, timestamp: int) -> bytes:
    """What an Ed25519 cosignature signs: header, time line, checkpoint text."""
    return f"{COSIGNATURE_HEADER}time {timestamp}\n{text}".encode()


def cosign(text: str, name: str, key: Ed25519PrivateKey, timestamp: int) -> Signature:
    """A witness's cosignature line over a checkpoint text at a POSIX time."""
    if not 0 < timestamp <= _MAX_TIME:
        raise NoteError("a cosignature needs a positive timestamp")
    signer = NoteKey(check_name(name), COSIGNATURE, key.public_key())
    signed = key.sign(cosigned_message(text, timestamp))
    return Signature(name, signer.key_id, struct.pack(">Q", timestamp) + signed)


def cosignature_time(signature: Signature) -> int:
    """The POSIX time a cosignature states (its first 8 bytes)."""
    if len(signature.signature) != 8 + 64:
        raise NoteError("an Ed25519 cosignature is 8 + 64 bytes")
    (timestamp,) = struct.unpack(">Q", signature.signature[:8])
    return int(timestamp)


def check_cosignature(key: NoteKey, signature: Signature, text: str) -> bool:
    """Check a type 0x04 cosignature line over a checkpoint text."""
    if key.kind != COSIGNATURE or len(signature.signature) != 72:
        return False
    timestamp = cosignature_time(signature)
    return timestamp <= _MAX_TIME and ed25519_valid(
        key.public_key, signature.signature[8:], cosigned_message(text, timestamp)
    )


@dataclass(frozen=True)
class WitnessPolicy:
    """At least `quorum` of these witness keys must have cosigned."""

    witnesses: tuple[NoteKey, ...]
    quorum: int

    @classmethod
    def parse(cls, vkeys: Sequence[str], quorum: int | None = None) -> WitnessPolicy:
        """From witness vkeys (type 0x04); the quorum defaults to all of them."""
        keys = tuple(NoteKey.from_vkey(v) for v in vkeys)
        if any(k.kind != COSIGNATURE for k in keys):
            raise NoteError("a witness key must be a cosignature (0x04) vkey")
        needed = len(keys) if quorum is None else quorum
        if not keys or not 1 <= needed <= len(keys):
            raise NoteError(f"a quorum of {needed} of {len(keys)} witnesses")
        return cls(keys, needed)

    def cosigners(self, note: Note) -> list[NoteKey]:
        """The policy's witnesses whose cosignature on note verifies."""
        return verified_by(note, self.witnesses, check_cosignature)

    def satisfied(self, note: Note) -> bool:
        """Whether enough of the witnesses cosigned (a bad cosignature raises)."""
        return len(self.cosigners(note)) >= self.quorum

    def describe(self) -> str:
        """For people: 'N of these witnesses: a, b'."""
        names = ", ".join(k.name for k in self.witnesses)
        return f"{self.quorum} of the witnesses {names}"

"""C2SP signed notes (c2sp.org/signed-note): Ed25519 signatures and verifier keys.

A note is text ending in a newline, a blank line, then signature lines
`— <key name> base64(4-byte key id || signature)`. A key is named, and its id
is the first four bytes of SHA-256(name || 0x0A || type || public key). Type
0x01 signs the text itself; type 0x04 (c2sp.org/tlog-cosignature) signs a
timestamped statement over a checkpoint and is handled in integrity.checkpoint.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
import struct
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Final

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from integrity.signing import SigningKey, public_key_raw
from integrity.tree import LedgerError

ED25519: Final = 0x01
COSIGNATURE: Final = 0x04
DASH: Final = "\u2014"
MAX_SIGNATURES: Final = 32
_NAME = re.compile(r"[^\s+]+")


class NoteError(LedgerError):
    """A note, signature line or verifier key that is not well formed."""


def note_key_id(name: str, kind: int, public_key: bytes) -> int:
    """The 32-bit key id: SHA-256(name, newline, type byte, public key)[:4]."""
    digest = hashlib.sha256(name.encode() + b"\n" + bytes([kind]) + public_key)
    return int.from_bytes(digest.digest()[:4], "big")


def check_name(name: str) -> str:
    """Return name if it is a valid key name (non-empty, no spaces, no plus)."""
    if not _NAME.fullmatch(name):
        raise NoteError(f"invalid key name {name!r}: empty, or has a space or '+'")
    return name


@dataclass(frozen=True)
class NoteKey:
    """A named public key of one signature type, as its vkey describes it."""

    name: str
    kind: int
    public_key: Ed25519PublicKey

    @property
    def raw(self) -> bytes:
        """The 32 raw bytes of the public key."""
        return public_key_raw(self.public_key)

    @property
    def key_id(self) -> int:
        """The 32-bit key id of this name, type and key."""
        return note_key_id(self.name, self.kind, self.raw)

    @property
    def vkey(self) -> str:
        """The verifier key text: name+hex(key id)+base64(type || public key)."""
        material = base64.b64encode(bytes([self.kind]) + self.raw).decode("ascii")
        return f"{self.name}+{self.key_id:08x}+{material}"

    @classmethod
    def from_vkey(cls, text: str) -> NoteKey:
        """Parse a verifier key; only Ed25519 (0x01) and cosignature (0x04) keys."""
        parts = text.strip().split("+", 2)
        if len(parts) != 3 or not re.fullmatch(r"[0-9a-f]{8}", parts[1]):
            raise NoteError("a verifier key is name+8 hex digits+base64")
        try:
            material = base64.b64decode(parts[2], validate=True)
        except binascii.Error as error:
            raise NoteError(f"verifier key: bad base64 ({error})") from None
        if len(material) != 33 or material[0] not in (ED25519, COSIGNATURE):
            raise NoteError("verifier key: not an Ed25519 (0x01 or 0x04) key")
        key = cls(
            check_name(parts[0]),
            material[0],
            Ed25519PublicKey.from_public_bytes(material[1:]),
        )
        if key.key_id != int(parts[1], 16):
            raise NoteError("verifier key: the key id does not match the key")
        return key


@dataclass(frozen=True)
class Signature:
    """One signature line: key name, key id, and the bytes after the id."""

    name: str
    key_id: int
    signature: bytes

    def line(self) -> str:
        """The line, newline included."""
        blob = struct.pack(">I", self.key_id) + self.signature
        return f"{DASH} {self.name} {base64.b64encode(blob).decode('ascii')}\n"

    def made_by(self, key: NoteKey) -> bool:
        """Whether the line names this key (name and id both match)."""
        return self.name == key.name and self.key_id == key.key_id


@dataclass(frozen=True)
class Note:
    """A note's text (ending in a newline) and its signatures, in order."""

    text: str
    signatures: tuple[Signature, ...]

    def render(self) -> str:
        """The note as published: text, blank line, signature lines."""
        return self.text + "\n" + "".join(s.line() for s in self.signatures)

    def with_signatures(self, extra: Iterable[Signature]) -> Note:
        """The same text with more signature lines (duplicates dropped)."""
        lines = list(self.signatures)
        for signature in extra:
            if signature not in lines:
                lines.append(signature)
        return Note(self.text, tuple(lines))


def sign_note(text: str, name: str, key: SigningKey) -> Note:
    """Sign text (ending in a newline) with an Ed25519 note key."""
    check_text(text)
    public = NoteKey(check_name(name), ED25519, key.public_key())
    return Note(text, (Signature(name, public.key_id, key.sign(text.encode())),))


def check_text(text: str) -> None:
    """Refuse note text that the format forbids."""
    if not text.endswith("\n"):
        raise NoteError("note text must end with a newline")
    if any(ord(c) < 0x20 and c != "\n" for c in text):
        raise NoteError("note text must not contain control characters")


def parse_note(raw: str | bytes) -> Note:
    """Split a signed note into its text and signature lines (nothing verified)."""
    try:
        message = raw.decode("utf-8") if isinstance(raw, bytes) else raw
    except UnicodeDecodeError:
        raise NoteError("a note must be UTF-8") from None
    check_text(message)
    split = message.rfind("\n\n")
    if split < 0:
        raise NoteError("a note needs a blank line before its signatures")
    text, lines = message[: split + 1], message[split + 2 :].splitlines()
    if not lines or len(lines) > MAX_SIGNATURES:
        raise NoteError(f"a note needs 1 to {MAX_SIGNATURES} signature lines")
    return Note(text, tuple(parse_signature(line) for line in lines))


def parse_signature(line: str) -> Signature:
    """Parse one `— name base64` line (without its newline)."""
    parts = line.split(" ")
    if len(parts) != 3 or parts[0] != DASH:
        raise NoteError(f"not a signature line: {line[:80]!r}")
    try:
        blob = base64.b64decode(parts[2], validate=True)
    except binascii.Error:
        raise NoteError(f"signature line with bad base64: {line[:80]!r}") from None
    if len(blob) < 5:
        raise NoteError("signature line too short")
    (key_id,) = struct.unpack(">I", blob[:4])
    return Signature(check_name(parts[1]), key_id, blob[4:])


def ed25519_valid(key: Ed25519PublicKey, signature: bytes, message: bytes) -> bool:
    """Whether an Ed25519 signature over message verifies."""
    try:
        key.verify(signature, message)
    except InvalidSignature:
        return False
    return True


def verified_by(
    note: Note,
    keys: Sequence[NoteKey],
    check: Callable[[NoteKey, Signature, str], bool],
) -> list[NoteKey]:
    """The keys whose signature on note verifies; unknown lines are ignored.

    A line naming a known key (name and id) whose signature fails raises, as
    the format says such a note should be rejected as a whole.
    """
    good: list[NoteKey] = []
    for signature in note.signatures:
        for key in keys:
            if not signature.made_by(key):
                continue
            if not check(key, signature, note.text):
                raise NoteError(
                    f"the signature of {key.name} ({key.key_id:08x}) does not verify"
                )
            if key not in good:
                good.append(key)
    return good


def check_plain(key: NoteKey, signature: Signature, text: str) -> bool:
    """Check a type 0x01 signature: Ed25519 over the note text."""
    return key.kind == ED25519 and ed25519_valid(
        key.public_key, signature.signature, text.encode()
    )

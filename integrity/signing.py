"""Ed25519 signed tree heads and the signing key file.

Signed bytes of a tree head, format PMOL-STH1 (integers unsigned big-endian):

    b"PMOL-STH1"    9 bytes  format tag and version
    tree_size       8 bytes
    root_hash      32 bytes
    timestamp_ms    8 bytes  milliseconds since the Unix epoch, UTC
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import hashlib
import os
import struct
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final, Protocol

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)

from integrity.tree import HASH_SIZE, LedgerError

STH_FORMAT: Final = b"PMOL-STH1"
_U64_MAX: Final = 2**64 - 1


class KeyUnavailableError(LedgerError):
    """The signing key cannot be used now (its HSM is unreachable or refuses)."""


class SigningKey(Protocol):
    """What signs: an Ed25519 private key in memory, or one held by an HSM."""

    def sign(self, data: bytes) -> bytes:
        """The 64-byte Ed25519 signature of data."""
        ...

    def public_key(self) -> Ed25519PublicKey:
        """The matching public key."""
        ...


def load_or_create_private_key(path: Path) -> Ed25519PrivateKey:
    """Load the PEM key at path, creating it (mode 0600) on first use."""
    if not path.exists():
        _create_key_file(path)
    key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise LedgerError(f"{path} does not hold an Ed25519 private key")
    return key


def _create_key_file(path: Path) -> None:
    """Write a new key to a private temp file, then link it into place.

    os.link refuses to overwrite, so two processes starting together end up
    sharing whichever key landed first instead of signing with different keys.
    """
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    pem = Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    temp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as file:
            file.write(pem)
            file.flush()
            os.fsync(file.fileno())
        with contextlib.suppress(FileExistsError):
            os.link(temp, path)
    finally:
        temp.unlink(missing_ok=True)


def public_key_pem(key: SigningKey | Ed25519PublicKey) -> bytes:
    """Return the public key as SubjectPublicKeyInfo PEM."""
    public = key if isinstance(key, Ed25519PublicKey) else key.public_key()
    return public.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def public_key_raw(key: SigningKey | Ed25519PublicKey) -> bytes:
    """Return the 32 raw bytes of the public key."""
    public = key if isinstance(key, Ed25519PublicKey) else key.public_key()
    return public.public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw
    )


def public_key_b64(key: SigningKey | Ed25519PublicKey) -> str:
    """Return the raw public key in standard base64."""
    return base64.b64encode(public_key_raw(key)).decode("ascii")


def key_id(key: SigningKey | Ed25519PublicKey) -> str:
    """Return the first 16 hex digits of SHA-256 of the raw public key."""
    return hashlib.sha256(public_key_raw(key)).hexdigest()[:16]


def load_public_key_pem(pem: bytes) -> Ed25519PublicKey:
    """Parse a PEM public key, refusing anything but Ed25519."""
    try:
        key = serialization.load_pem_public_key(pem)
    except (ValueError, TypeError) as error:
        raise LedgerError(f"unreadable public key: {error}") from error
    if not isinstance(key, Ed25519PublicKey):
        raise LedgerError("the public key is not an Ed25519 key")
    return key


@dataclass(frozen=True)
class SignedTreeHead:
    """A tree size and root hash at a moment, signed by the ledger key."""

    tree_size: int
    root_hash: bytes
    timestamp_ms: int
    key_id: str
    signature: bytes

    def signed_bytes(self) -> bytes:
        """Return the PMOL-STH1 bytes that the signature covers."""
        return tree_head_bytes(self.tree_size, self.root_hash, self.timestamp_ms)

    @property
    def timestamp(self) -> str:
        """Return the timestamp as ISO-8601 UTC with milliseconds."""
        moment = datetime.fromtimestamp(self.timestamp_ms / 1000, tz=UTC)
        return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")

    def to_json_dict(self) -> dict[str, Any]:
        """Return the JSON form: hashes in hex, signature in base64."""
        return {
            "tree_size": self.tree_size,
            "root_hash": self.root_hash.hex(),
            "timestamp_ms": self.timestamp_ms,
            "timestamp": self.timestamp,
            "key_id": self.key_id,
            "signature": base64.b64encode(self.signature).decode("ascii"),
        }

    @classmethod
    def from_json_dict(cls, data: dict[str, Any]) -> SignedTreeHead:
        """Parse the JSON form; the readable timestamp must match timestamp_ms."""
        try:
            head = cls(
                tree_size=_json_u64(data["tree_size"]),
                root_hash=bytes.fromhex(data["root_hash"]),
                timestamp_ms=_json_u64(data["timestamp_ms"]),
                key_id=str(data["key_id"]),
                signature=base64.b64decode(data["signature"], validate=True),
            )
        except (KeyError, TypeError, ValueError, binascii.Error) as error:
            raise LedgerError(f"malformed signed tree head: {error}") from error
        if len(head.root_hash) != HASH_SIZE:
            raise LedgerError("malformed signed tree head: root_hash is not 32 bytes")
        try:
            readable = head.timestamp
        except (OverflowError, OSError, ValueError) as error:
            raise LedgerError(f"malformed signed tree head: {error}") from error
        if data.get("timestamp", readable) != readable:
            raise LedgerError("the readable timestamp differs from timestamp_ms")
        return head


def tree_head_bytes(tree_size: int, root_hash: bytes, timestamp_ms: int) -> bytes:
    """Encode what a tree head signature covers (format PMOL-STH1)."""
    if len(root_hash) != HASH_SIZE:
        raise LedgerError("root hash must be 32 bytes")
    if not (0 <= tree_size <= _U64_MAX and 0 <= timestamp_ms <= _U64_MAX):
        raise LedgerError("tree size and timestamp must fit in 64 bits")
    return (
        STH_FORMAT
        + struct.pack(">Q", tree_size)
        + root_hash
        + struct.pack(">Q", timestamp_ms)
    )


def sign_tree_head(
    key: SigningKey, tree_size: int, root_hash: bytes, timestamp_ms: int
) -> SignedTreeHead:
    """Sign (tree size, root, timestamp); the caller supplies the clock reading."""
    message = tree_head_bytes(tree_size, root_hash, timestamp_ms)
    return SignedTreeHead(
        tree_size, root_hash, timestamp_ms, key_id(key), key.sign(message)
    )


def verify_tree_head(public_key: Ed25519PublicKey, head: SignedTreeHead) -> bool:
    """Return whether head was signed by public_key and names that key."""
    if head.key_id != key_id(public_key):
        return False
    try:
        public_key.verify(head.signature, head.signed_bytes())
    except (InvalidSignature, LedgerError):
        return False
    return True


def _json_u64(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError("expected an integer")
    if not 0 <= value <= _U64_MAX:
        raise ValueError("integer out of range")
    return value

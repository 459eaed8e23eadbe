"""The ledger's signing key behind one small interface: a file, or a PKCS#11 HSM.

`configured_key(settings)` picks the one the settings name. The signer, the
evidence packs and `verify` see only `LedgerKey`: sign bytes, the public key,
its key id. An HSM that cannot be reached raises `KeyUnavailableError`, which
pauses signing rather than failing the process (integrity.signer).
"""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)

from integrity.hsm import HsmKey
from integrity.signing import key_id, load_or_create_private_key
from service.config import Settings


class LedgerKey(Protocol):
    """An Ed25519 key that signs heads, checkpoints and evidence manifests."""

    def sign(self, data: bytes) -> bytes:
        """The 64-byte Ed25519 signature of data (KeyUnavailableError if it can't)."""
        ...

    def public_key(self) -> Ed25519PublicKey:
        """The public key (KeyUnavailableError if it cannot be read now)."""
        ...

    @property
    def key_id(self) -> str:
        """The first 16 hex digits of SHA-256 of the raw public key."""
        ...

    @property
    def where(self) -> str:
        """Where the key is kept, for messages (never the key itself)."""
        ...


class FileKey:
    """The development key: a PKCS#8 PEM file, by default in the data directory."""

    def __init__(self, path: Path, private: Ed25519PrivateKey) -> None:
        self.path = path
        self._private = private

    @classmethod
    def load_or_create(cls, path: Path) -> FileKey:
        """Load the key file, creating it (mode 0600) on first use."""
        return cls(path, load_or_create_private_key(path))

    def sign(self, data: bytes) -> bytes:
        """Sign in this process's memory."""
        return self._private.sign(data)

    def public_key(self) -> Ed25519PublicKey:
        """The public half of the file's key."""
        return self._private.public_key()

    @property
    def key_id(self) -> str:
        """The key id of the file's key."""
        return key_id(self._private)

    @property
    def where(self) -> str:
        """The key file's path."""
        return str(self.path)


def configured_key(settings: Settings) -> LedgerKey:
    """The HSM key when PKCS#11 is configured, else the key file (made if absent).

    Building an HSM key does not contact the HSM: an unreachable one pauses
    signing instead of stopping the process from starting.
    """
    if settings.pkcs11 is not None:
        return HsmKey.shared(settings.pkcs11)
    return FileKey.load_or_create(settings.key_path)


def trusted_public_key(settings: Settings) -> Ed25519PublicKey | None:
    """The configured key's public half, without creating a key file; None if absent."""
    if settings.pkcs11 is not None:
        return configured_key(settings).public_key()
    if not settings.key_path.exists():
        return None
    return load_or_create_private_key(settings.key_path).public_key()

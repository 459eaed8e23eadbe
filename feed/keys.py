"""Webhook signing secrets, derived on demand and never stored.

secret = HMAC-SHA256(key, subscription id || salt): the salt is in the
subscription's event, the key in a file outside the database (mode 0600, like
the ledger's signing key). Without the key the events reveal nothing.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import secrets
from pathlib import Path
from uuid import UUID

PREFIX = "whsec_"
KEY_BYTES = 32


def new_salt() -> str:
    """A fresh random salt for one subscription's secret."""
    return secrets.token_hex(16)


def load_or_create_key(path: Path) -> bytes:
    """The derivation key, created (mode 0600) on first use."""
    try:
        key = path.read_bytes()
    except FileNotFoundError:
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another process made it first
            return load_or_create_key(path)
        with os.fdopen(fd, "wb") as handle:
            handle.write(secrets.token_bytes(KEY_BYTES))
            handle.flush()
            os.fsync(handle.fileno())
        key = path.read_bytes()
    if len(key) != KEY_BYTES:
        raise ValueError(f"{path} is not a {KEY_BYTES}-byte webhook key")
    return key


def derive_secret(key: bytes, subscription_id: UUID, salt: str) -> str:
    """The subscription's Standard Webhooks secret (`whsec_` + base64)."""
    mac = hmac.new(key, subscription_id.bytes + bytes.fromhex(salt), hashlib.sha256)
    return PREFIX + base64.b64encode(mac.digest()).decode("ascii")


def secret_bytes(secret: str) -> bytes:
    """The raw HMAC key of a `whsec_` secret."""
    return base64.b64decode(secret.removeprefix(PREFIX))

"""Standard Webhooks headers: id, timestamp and a v1 (HMAC-SHA256) signature."""

from __future__ import annotations

import base64
import hashlib
import hmac

from feed.keys import secret_bytes


def signature(secret: str, message_id: str, timestamp: int, body: bytes) -> str:
    """`v1,` + base64 HMAC-SHA256 of `id.timestamp.body` under the secret."""
    signed = f"{message_id}.{timestamp}.".encode() + body
    mac = hmac.new(secret_bytes(secret), signed, hashlib.sha256).digest()
    return "v1," + base64.b64encode(mac).decode("ascii")


def headers(
    secret: str, message_id: str, timestamp: int, body: bytes
) -> dict[str, str]:
    """The request headers of one delivery attempt."""
    return {
        "content-type": "application/json",
        "webhook-id": message_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": signature(secret, message_id, timestamp, body),
        "user-agent": "pmo-ledger-webhooks",
    }

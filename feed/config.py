"""The feed's settings, read from PMO_LEDGER_WEBHOOK_*, _STREAM_* and _AMQP_*."""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from service.config import ConfigError

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@dataclass(frozen=True)
class FeedSettings:
    """Webhook delivery, live stream and AMQP publisher settings."""

    key_path: Path
    allowed_networks: tuple[Network, ...] = ()
    """Private or loopback ranges a webhook may target anyway (default: none)."""
    timeout: float = 10.0
    retry_base: float = 1.0
    retry_max: float = 300.0
    pause_after: float = 24 * 60 * 60.0
    """A subscription failing this long (seconds) is paused."""
    batch_size: int = 100
    public_url: str = ""
    """Prefix of the proof links in payloads (empty: paths on this server)."""
    stream_keepalive: float = 15.0
    stream_max_seconds: float = 300.0
    stream_limit: int = 2
    """Concurrent streams per server process (each holds a request thread)."""
    amqp_url: str | None = None
    amqp_exchange: str = "pmo-ledger"
    amqp_event_types: tuple[str, ...] = field(default=())

    @classmethod
    def from_env(cls, env: Mapping[str, str], data_dir: Path) -> FeedSettings:
        """Read the variables, applying the documented defaults."""
        key = env.get("PMO_LEDGER_WEBHOOK_KEY")
        return cls(
            key_path=Path(key) if key else data_dir / "webhook-key",
            allowed_networks=_networks(env.get("PMO_LEDGER_WEBHOOK_ALLOW", "")),
            timeout=_number(env, "PMO_LEDGER_WEBHOOK_TIMEOUT", 10.0),
            retry_base=_number(env, "PMO_LEDGER_WEBHOOK_RETRY_BASE", 1.0),
            retry_max=_number(env, "PMO_LEDGER_WEBHOOK_RETRY_MAX", 300.0),
            pause_after=_number(env, "PMO_LEDGER_WEBHOOK_PAUSE_AFTER", 86400.0),
            public_url=env.get("PMO_LEDGER_PUBLIC_URL", "").rstrip("/"),
            stream_keepalive=_number(env, "PMO_LEDGER_STREAM_KEEPALIVE", 15.0),
            stream_max_seconds=_number(env, "PMO_LEDGER_STREAM_MAX_SECONDS", 300.0),
            stream_limit=int(_number(env, "PMO_LEDGER_STREAM_LIMIT", 2)),
            amqp_url=env.get("PMO_LEDGER_AMQP_URL") or None,
            amqp_exchange=env.get("PMO_LEDGER_AMQP_EXCHANGE", "pmo-ledger"),
            amqp_event_types=tuple(
                t for t in env.get("PMO_LEDGER_AMQP_EVENT_TYPES", "").split(",") if t
            ),
        )


def _networks(raw: str) -> tuple[Network, ...]:
    try:
        return tuple(
            ipaddress.ip_network(part.strip(), strict=False)
            for part in raw.split(",")
            if part.strip()
        )
    except ValueError as error:
        raise ConfigError(f"PMO_LEDGER_WEBHOOK_ALLOW: {error}") from None


def _number(env: Mapping[str, str], name: str, default: float) -> float:
    raw = env.get(name)
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a number, not {raw!r}") from None
    if value <= 0:
        raise ConfigError(f"{name} must be more than 0")
    return value

"""Settings read from the environment (PMO_LEDGER_*)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

DEFAULT_UPLOAD_LIMIT = 1024 * 1024 * 1024


class ConfigError(ValueError):
    """The configuration cannot be used."""


@dataclass(frozen=True)
class Pkcs11Settings:
    """Where the ledger key lives in a PKCS#11 token, and how to log in to it."""

    module: str
    token_label: str
    key_label: str
    pin: str | None = field(default=None, repr=False)
    pin_file: Path | None = None

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> Pkcs11Settings | None:
        """PMO_LEDGER_PKCS11_*; None when no module is named (the key file is used)."""
        module = env.get("PMO_LEDGER_PKCS11_MODULE")
        if not module:
            return None
        pin_file = env.get("PMO_LEDGER_PKCS11_PIN_FILE")
        return cls(
            module=module,
            token_label=env.get("PMO_LEDGER_PKCS11_TOKEN", ""),
            key_label=env.get("PMO_LEDGER_PKCS11_KEY", ""),
            pin=env.get("PMO_LEDGER_PKCS11_PIN") or None,
            pin_file=Path(pin_file) if pin_file else None,
        )

    def check(self) -> None:
        """Refuse an incomplete HSM configuration, naming the variable."""
        if not self.token_label:
            raise ConfigError("PMO_LEDGER_PKCS11_TOKEN (the token label) is required")
        if not self.key_label:
            raise ConfigError("PMO_LEDGER_PKCS11_KEY (the key label) is required")
        if (self.pin is None) == (self.pin_file is None):
            raise ConfigError(
                "give exactly one of PMO_LEDGER_PKCS11_PIN and "
                "PMO_LEDGER_PKCS11_PIN_FILE"
            )

    def read_pin(self) -> str:
        """The user PIN (a PIN file is read each time, so it can be rotated)."""
        if self.pin is not None:
            return self.pin
        assert self.pin_file is not None
        try:
            return self.pin_file.read_text(encoding="utf-8").strip()
        except OSError as error:
            raise ConfigError(f"PMO_LEDGER_PKCS11_PIN_FILE: {error}") from None


@dataclass(frozen=True)
class Settings:
    """Everything the service needs to start, resolved from the environment."""

    data_dir: Path
    database_url: str
    host: str = "127.0.0.1"
    port: int = 8000
    bootstrap_token: str | None = None
    upload_limit: int = DEFAULT_UPLOAD_LIMIT
    blob_backend: str = "file"
    signing_key_path: Path | None = None
    pkcs11: Pkcs11Settings | None = None
    run_processors: bool = True
    auth_failures_per_address: str = "30/minute"
    auth_failures_per_prefix: str = "10/minute"
    session_idle_seconds: int = 30 * 60
    session_lifetime_seconds: int = 12 * 60 * 60
    oidc_config: Path | None = None
    workers: int | None = None
    extra: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """Read PMO_LEDGER_* variables, applying the documented defaults."""
        env = os.environ if environ is None else environ
        data_dir = Path(env.get("PMO_LEDGER_DATA_DIR", "./var")).resolve()
        url = env.get("PMO_LEDGER_DATABASE_URL") or f"sqlite:///{data_dir}/events.db"
        key_path = env.get("PMO_LEDGER_SIGNING_KEY")
        settings = cls(
            data_dir=data_dir,
            database_url=url,
            host=env.get("PMO_LEDGER_HOST", "127.0.0.1"),
            port=_int(env, "PMO_LEDGER_PORT", 8000),
            bootstrap_token=env.get("PMO_LEDGER_BOOTSTRAP_TOKEN") or None,
            upload_limit=_int(env, "PMO_LEDGER_UPLOAD_LIMIT", DEFAULT_UPLOAD_LIMIT),
            blob_backend=env.get("PMO_LEDGER_BLOB_BACKEND", "file"),
            signing_key_path=Path(key_path) if key_path else None,
            pkcs11=Pkcs11Settings.from_env(env),
            run_processors=env.get("PMO_LEDGER_RUN_PROCESSORS", "1") != "0",
            auth_failures_per_address=env.get(
                "PMO_LEDGER_AUTH_FAILURES_PER_ADDRESS", "30/minute"
            ),
            auth_failures_per_prefix=env.get(
                "PMO_LEDGER_AUTH_FAILURES_PER_PREFIX", "10/minute"
            ),
            session_idle_seconds=_int(env, "PMO_LEDGER_SESSION_IDLE", 30 * 60),
            session_lifetime_seconds=_int(
                env, "PMO_LEDGER_SESSION_LIFETIME", 12 * 60 * 60
            ),
            oidc_config=Path(env["PMO_LEDGER_OIDC_CONFIG"])
            if env.get("PMO_LEDGER_OIDC_CONFIG")
            else None,
            workers=_int(env, "PMO_LEDGER_WORKERS", 0) or None,
        )
        settings.check()
        return settings

    def check(self) -> None:
        """Refuse settings that cannot work, with a message naming the variable."""
        if self.backend not in ("sqlite", "postgres"):
            raise ConfigError(
                "PMO_LEDGER_DATABASE_URL must start with sqlite:/// or postgresql://"
            )
        if self.blob_backend not in ("file", "database"):
            raise ConfigError("PMO_LEDGER_BLOB_BACKEND must be 'file' or 'database'")
        if not 0 < self.port < 65536:
            raise ConfigError("PMO_LEDGER_PORT must be a TCP port number")
        if self.workers is not None and not 0 < self.workers <= 64:
            raise ConfigError("PMO_LEDGER_WORKERS must be from 1 to 64")
        if self.pkcs11 is not None:
            if self.signing_key_path is not None:
                raise ConfigError(
                    "PMO_LEDGER_SIGNING_KEY and PMO_LEDGER_PKCS11_MODULE exclude "
                    "each other: the ledger key is either a file or in an HSM"
                )
            self.pkcs11.check()

    @property
    def backend(self) -> str:
        """Which event store persistence module the URL selects."""
        scheme = urlsplit(self.database_url).scheme
        if scheme == "sqlite":
            return "sqlite"
        if scheme in ("postgresql", "postgres", "postgresql+psycopg"):
            return "postgres"
        return scheme

    @property
    def sqlite_path(self) -> Path:
        """The event store file for the SQLite backend."""
        return Path(urlsplit(self.database_url).path)

    @property
    def views_url(self) -> str:
        """SQLAlchemy URL of the read models (beside the event store)."""
        if self.backend == "sqlite":
            return f"sqlite:///{self.sqlite_path.with_name('views.db')}"
        parts = urlsplit(self.database_url)
        return f"postgresql+psycopg://{parts.netloc}{parts.path}"

    @property
    def postgres_schema(self) -> str:
        """The PostgreSQL schema (``?schema=`` in the URL), default public."""
        query = parse_qs(urlsplit(self.database_url).query)
        return query.get("schema", ["public"])[0]

    @property
    def key_path(self) -> Path:
        """Where the Ed25519 signing key file lives (unused in PKCS#11 mode)."""
        return self.signing_key_path or self.data_dir / "signing-key.pem"

    def eventsourcing_env(self) -> dict[str, str]:
        """The environment for eventsourcing's own persistence modules."""
        if self.backend == "sqlite":
            return {
                "PERSISTENCE_MODULE": "eventsourcing.sqlite",
                "SQLITE_DBNAME": str(self.sqlite_path),
                "SQLITE_LOCK_TIMEOUT": "10",
            }
        parts = urlsplit(self.database_url)
        return {
            "PERSISTENCE_MODULE": "eventsourcing.postgres",
            "POSTGRES_DBNAME": parts.path.lstrip("/") or "postgres",
            "POSTGRES_HOST": parts.hostname or "127.0.0.1",
            "POSTGRES_PORT": str(parts.port or 5432),
            "POSTGRES_USER": parts.username or "postgres",
            "POSTGRES_PASSWORD": parts.password or "",
            "POSTGRES_SCHEMA": self.postgres_schema,
            "POSTGRES_CONNECT_TIMEOUT": "5",
            "POSTGRES_POOL_SIZE": "2",
            "POSTGRES_MAX_OVERFLOW": "14",
            # No SELECT 1 per pool checkout: a connection broken by a server
            # restart fails its statement, and the recorder retries that
            # (OperationalError) on a fresh connection.
            "POSTGRES_PRE_PING": "n",
            "POSTGRES_LOCK_TIMEOUT": "5",
        }


def _int(env: Mapping[str, str], name: str, default: int) -> int:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ConfigError(f"{name} must be an integer, not {raw!r}") from None

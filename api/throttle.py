"""Throttling of failed authentication, per client address and per token prefix.

The `limits` library counts (fixed windows); its counters live in a table of
the read-model database, so every gunicorn worker and host shares them on
either backend (docs/decisions.md 42). Only presented credentials that fail
are counted; while a counter is spent, every attempt it covers is answered 429
with Retry-After, a valid token included, so guessing learns nothing.
"""

from __future__ import annotations

import hashlib
import math
import time
from typing import Any

from limits import RateLimitItem, parse
from limits.storage import Storage
from limits.strategies import FixedWindowRateLimiter
from sqlalchemy import (
    Column,
    Engine,
    Float,
    Integer,
    MetaData,
    String,
    Table,
    delete,
    select,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import SQLAlchemyError

from api.tables import ensure_table

PREFIX_LENGTH = 12
CLEAN_SECONDS = 1.0
"""How long a key the table held no counter for is taken as clean unread."""
CLEAN_KEYS = 10_000
"""Clean keys remembered at most (past that, all are forgotten and read again)."""
"""Characters of a presented token that name its family ("pmo_" and 8 more)."""

metadata = MetaData()
counters = Table(
    "api_auth_failures",
    metadata,
    Column("key", String(200), primary_key=True),
    Column("count", Integer, nullable=False),
    Column("expires_at", Float, nullable=False),
)


class ThrottledError(Exception):
    """Too many failed authentications; retry after `retry_after` seconds."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(
            f"too many failed sign-ins from here; retry in {retry_after} s"
        )
        self.retry_after = retry_after


class DatabaseStorage(Storage):
    """A `limits` storage on a SQLAlchemy engine (SQLite or PostgreSQL)."""

    STORAGE_SCHEME = None

    def __init__(self, engine: Engine) -> None:
        super().__init__()
        self.engine = engine
        ensure_table(engine, counters)

    @property
    def base_exceptions(self) -> type[Exception]:
        """What the database driver raises."""
        return SQLAlchemyError

    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        """Add to a counter (a fresh window once the last one expired)."""
        now = time.time()
        dialect = sqlite if self.engine.dialect.name == "sqlite" else postgresql
        upsert = dialect.insert(counters).values(
            key=key, count=amount, expires_at=now + expiry
        )
        upsert = upsert.on_conflict_do_update(
            index_elements=["key"],
            set_={"count": counters.c.count + amount},
        )
        with self.engine.begin() as conn:
            # Every ended window goes, so the table holds only live counters.
            conn.execute(delete(counters).where(counters.c.expires_at <= now))
            conn.execute(upsert)
            count = conn.execute(
                select(counters.c.count).where(counters.c.key == key)
            ).scalar_one()
        return int(count)

    def get(self, key: str) -> int:
        """A counter's value in its current window (0 when none)."""
        row = self._row(key)
        return 0 if row is None else int(row.count)

    def get_expiry(self, key: str) -> float:
        """When the counter's window ends (now, when there is none)."""
        row = self._row(key)
        return time.time() if row is None else float(row.expires_at)

    def check(self) -> bool:
        """The table answers."""
        with self.engine.connect() as conn:
            conn.execute(select(counters.c.key).limit(1))
        return True

    def reset(self) -> int | None:
        """Forget every counter."""
        with self.engine.begin() as conn:
            return int(conn.execute(delete(counters)).rowcount)

    def clear(self, key: str) -> None:
        """Forget one counter."""
        with self.engine.begin() as conn:
            conn.execute(delete(counters).where(counters.c.key == key))

    def _row(self, key: str) -> Any:
        return self.live(key).get(key)

    def live(self, *keys: str) -> dict[str, Any]:
        """The counters of these keys in their current windows, in one query."""
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(counters).where(
                    counters.c.key.in_(keys), counters.c.expires_at > time.time()
                )
            )
            return {row.key: row for row in rows}


class Throttle:
    """Failed authentications counted per client address and per token prefix."""

    def __init__(self, engine: Engine, per_address: str, per_token: str) -> None:
        self.storage = DatabaseStorage(engine)
        self.limiter = FixedWindowRateLimiter(self.storage)
        self.per_address = parse(per_address)
        self.per_token = parse(per_token)
        # Counter keys the table held no live row for, until when (monotonic).
        self._clean: dict[str, float] = {}

    def _counters(
        self, address: str | None, secret: str
    ) -> list[tuple[RateLimitItem, str]]:
        # Only a hash of the prefix is kept: a real token's first characters
        # are part of its secret.
        family = hashlib.sha256(secret[:PREFIX_LENGTH].encode()).hexdigest()[:32]
        return [
            (self.per_address, f"address:{address or 'unknown'}"),
            (self.per_token, f"token:{family}"),
        ]

    def check(self, address: str | None, secret: str) -> None:
        """ThrottledError while either counter of this attempt is spent.

        Every authenticated request passes here, so both counters are read in
        one query (the limiter's own test would take two, and two more to say
        when a spent one resets), and a key the table held no counter for is
        taken as clean for CLEAN_SECONDS without reading it again. A failure
        here forgets that at once, so a worker lets at most one attempt per
        key through on a counter spent elsewhere (docs/decisions.md).
        """
        keyed = [
            (item, item.key_for(key)) for item, key in self._counters(address, secret)
        ]
        now = time.monotonic()
        if all(self._clean.get(key, 0.0) > now for _, key in keyed):
            return
        rows = self.storage.live(*(key for _, key in keyed))
        if len(self._clean) > CLEAN_KEYS:
            self._clean.clear()
        for _, key in keyed:
            if key in rows:
                self._clean.pop(key, None)
            else:
                self._clean[key] = now + CLEAN_SECONDS
        waits = [
            rows[key].expires_at - time.time()
            for item, key in keyed
            if key in rows and rows[key].count >= item.amount
        ]
        if waits:
            raise ThrottledError(max(1, math.ceil(max(waits))))

    def failed(self, address: str | None, secret: str) -> None:
        """Count a failed attempt against both counters."""
        for item, key in self._counters(address, secret):
            self._clean.pop(item.key_for(key), None)
            self.limiter.hit(item, key)

"""Server-side UI sessions: a row per signed-in browser, ended by sign-out or time.

The cookie carries a random session id (signed, with the CSRF token); the
database keeps only its SHA-256, the token it signed in with and when it
started and was last used. Sign-out deletes the row, so a copied cookie opens
nothing afterwards; a session idle longer than the idle timeout, or older than
the absolute lifetime, is ended on its next use.
"""

from __future__ import annotations

import hashlib
import secrets
import time

from sqlalchemy import Column, Engine, Float, MetaData, String, Table, delete, select
from sqlalchemy import update as update_rows

from api.tables import ensure_table

TOUCH_AFTER = 15.0
"""Seconds between writes of a session's last use (one write per page is waste)."""

metadata = MetaData()
sessions = Table(
    "ui_sessions",
    metadata,
    Column("id_hash", String(64), primary_key=True),
    Column("token_id", String(36), nullable=False),
    Column("started_at", Float, nullable=False),
    Column("seen_at", Float, nullable=False),
)


def _hash(session_id: str) -> str:
    return hashlib.sha256(session_id.encode()).hexdigest()


class Sessions:
    """The session table on the read-model database."""

    def __init__(self, engine: Engine, idle: float, lifetime: float) -> None:
        self.engine = engine
        self.idle = idle
        self.lifetime = lifetime
        ensure_table(engine, sessions)

    def start(self, token_id: str) -> str:
        """A new session for a token; its id (for the cookie only)."""
        session_id = secrets.token_urlsafe(32)
        now = time.time()
        with self.engine.begin() as conn:
            # Ended sessions go when a new one starts: the table stays small.
            conn.execute(
                delete(sessions).where(
                    (sessions.c.seen_at < now - self.idle)
                    | (sessions.c.started_at < now - self.lifetime)
                )
            )
            conn.execute(
                sessions.insert().values(
                    id_hash=_hash(session_id),
                    token_id=token_id,
                    started_at=now,
                    seen_at=now,
                )
            )
        return session_id

    def token_of(self, session_id: str) -> str | None:
        """The token of a live session (and mark it used); None once ended."""
        now = time.time()
        key = sessions.c.id_hash == _hash(session_id)
        with self.engine.connect() as conn:
            row = conn.execute(select(sessions).where(key)).one_or_none()
        if row is None:
            return None
        if row.seen_at < now - self.idle or row.started_at < now - self.lifetime:
            self.end(session_id)
            return None
        if now - row.seen_at > TOUCH_AFTER:
            with self.engine.begin() as conn:
                conn.execute(update_rows(sessions).where(key).values(seen_at=now))
        return str(row.token_id)

    def end(self, session_id: str) -> None:
        """End a session at once."""
        with self.engine.begin() as conn:
            conn.execute(
                delete(sessions).where(sessions.c.id_hash == _hash(session_id))
            )

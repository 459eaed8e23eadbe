"""The key store: one AES-256 key per data subject, outside the event store.

On SQLite the keys live in `keys.db` beside the event store, with
`secure_delete` on, so a destroyed key is overwritten in the file, and an
erasure ends with `VACUUM` and a checkpoint that truncates the WAL, so no old
page of it is left in either file. On PostgreSQL they live in `privacy_*` tables of
the same database, and an erasure ends with `VACUUM FULL` of those tables, which
rewrites them into new files without the dead tuples.

Beside the keys: which subject a name or an e-mail address belongs to, kept as
keyed hashes (HMAC-SHA256 under a secret of this store), which entity's free
text a subject's key seals, and the hashes of plaintext values erased from
events recorded before sealing (docs/privacy.md, "Events recorded before").
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import os
import secrets
import threading
import time
from collections.abc import Iterable, Sequence
from typing import Any
from uuid import UUID, uuid4

from sqlalchemy import (
    BigInteger,
    Column,
    Connection,
    Engine,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Uuid,
    create_engine,
    delete,
    event,
    select,
    text,
)
from sqlalchemy.dialects import postgresql, sqlite

from service.config import Settings
from service.privacy.reads import Lookups, connector

log = logging.getLogger("pmo_ledger.privacy")
metadata = MetaData()
secret_table = Table(
    "privacy_secret",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("secret", LargeBinary, nullable=False),
)
subjects = Table(
    "privacy_subjects",
    metadata,
    Column("subject_id", Uuid, primary_key=True),
    Column("key", LargeBinary, nullable=False),
)
lookups = Table(
    "privacy_lookups",
    metadata,
    Column("digest", String(64), primary_key=True),
    Column("subject_id", Uuid, nullable=False, index=True),
)
links = Table(
    "privacy_links",
    metadata,
    Column("originator_id", Uuid, primary_key=True),
    Column("subject_id", Uuid, primary_key=True, index=True),
    Column("named_at", BigInteger, nullable=False),
)
redacted = Table(
    "privacy_redacted",
    metadata,
    Column("digest", String(64), primary_key=True),
)


def normalised(value: str) -> str:
    """A name or an address as compared: case-folded, inner spaces collapsed."""
    return " ".join(value.split()).casefold()


class KeyStore:
    """Subjects, their keys, and how a value finds its subject."""

    def __init__(self, engine: Engine, lookups: Lookups) -> None:
        self.engine = engine
        self.lookups = lookups
        self._uuid = (lambda u: u.hex) if engine.dialect.name == "sqlite" else str
        self._secret: bytes | None = None
        self._lock = threading.Lock()

    @classmethod
    def from_settings(cls, settings: Settings, *, create_tables: bool) -> KeyStore:
        """The store of these settings (keys.db on SQLite, tables on PostgreSQL)."""
        if settings.backend == "sqlite":
            path = settings.sqlite_path.with_name("keys.db")
            engine = create_engine(
                f"sqlite:///{path}",
                connect_args={"timeout": 30, "check_same_thread": False},
            )
            event.listen(engine, "connect", _sqlite_pragmas)
        else:
            engine = create_engine(
                settings.views_url,
                connect_args={
                    "options": f"-csearch_path={settings.postgres_schema}",
                    "connect_timeout": 5,
                },
                pool_size=2,
                max_overflow=8,
                pool_pre_ping=True,
            )
        store = cls(engine, Lookups(*connector(settings)))
        if create_tables:
            metadata.create_all(engine)
            if settings.backend == "sqlite":
                os.chmod(path, 0o600)
        return store

    def close(self) -> None:
        """Release the store's connections."""
        self.lookups.close()
        self.engine.dispose()

    def secret(self) -> bytes:
        """The secret the lookup hashes are keyed with (made on first use)."""
        if self._secret is None:
            with self._lock, self.engine.begin() as conn:
                found = conn.scalar(select(secret_table.c.secret))
                if found is None:
                    made = {"id": 1, "secret": secrets.token_bytes(32)}
                    _insert_ignore(conn, secret_table, [made])
                    found = conn.scalar(select(secret_table.c.secret))
                if not isinstance(found, bytes):
                    raise RuntimeError("the privacy secret could not be stored")
                self._secret = found
        return self._secret

    def digest(self, kind: str, value: str) -> str:
        """The keyed hash a name or an address is looked up by."""
        message = f"{kind}:{normalised(value)}".encode()
        return hmac.new(self.secret(), message, hashlib.sha256).hexdigest()

    def key(self, subject_id: UUID) -> bytes | None:
        """A subject's key, or None once it is destroyed."""
        found = self.lookups.one(
            "SELECT key FROM privacy_subjects WHERE subject_id = ?",
            (self._uuid(subject_id),),
        )
        return None if found is None else bytes(found)

    def subject_for(
        self, digests: Sequence[str], originator_id: UUID
    ) -> tuple[UUID, bytes]:
        """The subject these identifying hashes (or, with none, this entity) name.

        A new subject (and key) when none is known; every hash and the entity
        are then linked to it.
        """
        known = self._known(digests, originator_id)
        if known is not None:
            return known
        with self.engine.begin() as conn:
            if digests:
                subject_id = conn.scalar(
                    select(lookups.c.subject_id)
                    .where(lookups.c.digest.in_(digests))
                    .order_by(lookups.c.digest)
                    .limit(1)
                )
            else:
                subject_id = conn.scalar(
                    select(links.c.subject_id)
                    .where(links.c.originator_id == originator_id)
                    .order_by(links.c.named_at.desc())
                    .limit(1)
                )
            key = (
                None
                if subject_id is None
                else conn.scalar(
                    select(subjects.c.key).where(subjects.c.subject_id == subject_id)
                )
            )
            if subject_id is None or key is None:
                subject_id, key = uuid4(), secrets.token_bytes(32)
                conn.execute(subjects.insert(), {"subject_id": subject_id, "key": key})
            _insert_ignore(
                conn,
                lookups,
                [{"digest": d, "subject_id": subject_id} for d in digests],
            )
            link = (links.c.originator_id == originator_id) & (
                links.c.subject_id == subject_id
            )
            conn.execute(delete(links).where(link))
            conn.execute(
                links.insert(),
                {
                    "originator_id": originator_id,
                    "subject_id": subject_id,
                    "named_at": time.time_ns(),
                },
            )
        return subject_id, key

    def actor_subject(self, digest: str) -> tuple[UUID, bytes]:
        """The subject (and key) of the account this hash names, made on first use.

        An account is its own subject, found by its name's hash alone: no entity
        is linked to it. Two processes naming a new account at once agree on the
        subject the lookup kept.
        """
        found = self.lookups.one(
            "SELECT subject_id FROM privacy_lookups WHERE digest = ?", (digest,)
        )
        if found is not None:
            subject_id = UUID(str(found))
            key = self.key(subject_id)
            if key is not None:
                return subject_id, key
        with self.engine.begin() as conn:
            made, key = uuid4(), secrets.token_bytes(32)
            conn.execute(subjects.insert(), {"subject_id": made, "key": key})
            _insert_ignore(conn, lookups, [{"digest": digest, "subject_id": made}])
            kept = conn.scalar(
                select(lookups.c.subject_id).where(lookups.c.digest == digest)
            )
            if kept != made:
                conn.execute(delete(subjects).where(subjects.c.subject_id == made))
                key = conn.scalar(
                    select(subjects.c.key).where(subjects.c.subject_id == kept)
                )
            if kept is None or not isinstance(key, bytes):
                raise RuntimeError("an account's key could not be stored")
            return kept, key

    def _known(
        self, digests: Sequence[str], originator_id: UUID
    ) -> tuple[UUID, bytes] | None:
        """The subject if every hash and the entity already name it (no write)."""
        found = {
            self.lookups.one(
                "SELECT subject_id FROM privacy_lookups WHERE digest = ?", (d,)
            )
            for d in digests
        }
        if len(found) != 1 or None in found:
            return None
        subject_id = UUID(str(found.pop()))
        key = self.key(subject_id)
        linked = self.lookups.one(
            "SELECT 1 FROM privacy_links WHERE originator_id = ? AND subject_id = ?",
            (self._uuid(originator_id), self._uuid(subject_id)),
        )
        return None if key is None or linked is None else (subject_id, key)

    def subjects_of(self, digests: Iterable[str]) -> list[UUID]:
        """The subjects these hashes name."""
        with self.engine.connect() as conn:
            rows = conn.scalars(
                select(lookups.c.subject_id)
                .where(lookups.c.digest.in_(list(digests)))
                .distinct()
            )
            return sorted(rows, key=str)

    def originators_of(self, subject_ids: Sequence[UUID]) -> list[UUID]:
        """The entities whose free text these subjects' keys seal."""
        with self.engine.connect() as conn:
            rows = conn.scalars(
                select(links.c.originator_id).where(
                    links.c.subject_id.in_(list(subject_ids))
                )
            )
            return sorted(set(rows), key=str)

    def is_redacted(self, digest: str) -> bool:
        """Whether a plaintext value of an old event is erased."""
        found = self.lookups.one(
            "SELECT 1 FROM privacy_redacted WHERE digest = ?", (digest,)
        )
        return found is not None

    def destroy(self, subject_ids: Sequence[UUID], digests: Sequence[str]) -> None:
        """Destroy these subjects' keys and links; redact these plaintext hashes."""
        ids = list(subject_ids)
        with self.engine.begin() as conn:
            for table in (subjects, lookups, links):
                conn.execute(delete(table).where(table.c.subject_id.in_(ids)))
            _insert_ignore(conn, redacted, [{"digest": d} for d in digests])
        self.compact()

    def compact(self) -> None:
        """Leave no copy of a destroyed key in the database files."""
        if self.engine.dialect.name == "sqlite":
            raw = self.engine.raw_connection()
            try:
                raw.execute("VACUUM")
                busy = raw.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()[0]
            finally:
                raw.close()
            if busy:
                # The destroyed keys' old pages may stay in the WAL until the
                # next checkpoint: say so loudly, the erasure itself is done.
                log.error("keys.db WAL not truncated: a reader held it")
            return
        with self.engine.connect().execution_options(
            isolation_level="AUTOCOMMIT"
        ) as conn:
            for table in (subjects, lookups, links):
                conn.execute(text(f"VACUUM FULL {table.name}"))


def _insert_ignore(conn: Connection, table: Table, rows: list[dict[str, Any]]) -> None:
    if not rows:
        return
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    conn.execute(dialect.insert(table).on_conflict_do_nothing(), rows)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    # A key is durable before the event it sealed commits (one fsync in WAL
    # mode); a destroyed key's cells are zeroed, and `compact` truncates the WAL.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.execute("PRAGMA secure_delete=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()

"""A populated store with a running ledger, and raw access for tampering."""

# ruff: noqa: S608 - SQL names come from the recorder, never from input

from __future__ import annotations

import io
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

import psycopg
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from integrity.grace import Grace
from integrity.signer import LedgerWorker
from integrity.signing import SignedTreeHead, load_or_create_private_key
from integrity.verifier import Verifier, VerifyReport
from service.config import Settings
from service.domain.base import Meta
from service.domain.risk import CATEGORIES
from tests.conftest import PG_DSN
from usecases.root import Services, build_services, ledger_worker

META = Meta(actor="pat", role="pmo-head", reason="ledger test", request_id="r1")


@dataclass
class Store:
    """Services, the ledger worker and what was written."""

    settings: Settings
    services: Services
    worker: LedgerWorker
    project_id: UUID
    heads: list[SignedTreeHead] = field(default_factory=list)
    blobs: list[tuple[str, int]] = field(default_factory=list)  # (sha, position)

    @property
    def public_key(self) -> Ed25519PublicKey:
        """The public half of the signing key."""
        return load_or_create_private_key(self.settings.key_path).public_key()

    def verify(
        self, trusted_head: SignedTreeHead | None = None, readers: int | None = None
    ) -> VerifyReport:
        """Run the full verification (readers: reader processes, None: default)."""
        return self.verifier(trusted_head, readers).run()

    def verifier(
        self,
        trusted_head: SignedTreeHead | None = None,
        readers: int | None = None,
        grace: Grace | None = None,
    ) -> Verifier:
        """A verifier of this store."""
        app = self.services.app
        return Verifier(
            self.services.views_engine,
            app.recorder,
            app.blobs,
            [self.public_key],
            trusted_head,
            readers,
            grace,
        )

    @property
    def table(self) -> str:
        """The events table of the recorder."""
        return events_table(self.services)

    def positions(self) -> list[int]:
        """Every stored notification id, in order."""
        column, table = pos(self.settings), self.table
        rows = raw(self.settings, f"SELECT {column} FROM {table} ORDER BY {column}")
        return [int(r[0]) for r in rows]


def events_table(services: Services) -> str:
    """The recorder's events table (its name differs per backend)."""
    return str(services.app.recorder.events_table_name)


def pos(settings: Settings) -> str:
    """The column holding the notification id on this backend."""
    return "rowid" if settings.backend == "sqlite" else "notification_id"


def raw(settings: Settings, sql: str, params: tuple[Any, ...] = ()) -> list[Any]:
    """Run SQL directly on the event store (as an attacker with DB access would)."""
    with raw_connection(settings) as conn:
        cursor = conn.execute(sql, params)
        rows = cursor.fetchall() if cursor.description else []
        conn.commit()
        return list(rows)


@contextmanager
def raw_connection(settings: Settings) -> Iterator[Any]:
    """A DB-API connection to the event store (SQLite ? / PostgreSQL %s)."""
    if settings.backend == "sqlite":
        conn = sqlite3.connect(settings.sqlite_path)
        try:
            yield conn
        finally:
            conn.close()
        return
    with psycopg.connect(PG_DSN) as pg:
        pg.execute(f"SET search_path TO {settings.postgres_schema}")
        yield pg


def mark(settings: Settings, sql: str) -> str:
    """Placeholders for this backend."""
    return sql if settings.backend == "sqlite" else sql.replace("?", "%s")


def write(app: Any, project_id: UUID, risks: int) -> None:
    """Record some risks and issues."""
    for n in range(risks):
        app.perform(
            "identify_risk",
            project_id,
            {
                "title": f"risk {n}",
                "cause": "cause",
                "event": "event",
                "effect": "effect",
                "category": CATEGORIES[0],
                "kind": "threat",
                "owner": "owner",
                "proximity": "imminent",
                "probability": 1 + n % 5,
                "impact": 1 + n % 4,
            },
            META,
        )
        if n % 3 == 0:
            app.perform(
                "raise_issue",
                project_id,
                {
                    "issue_type": "problem-concern",
                    "title": f"issue {n}",
                    "description": "d",
                    "priority": "high",
                    "severity": "major",
                },
                META,
            )


def populate(settings: Settings, risks: int = 8) -> Store:
    """Two heads over a store with projects, risks, issues and two documents."""
    services = build_services(settings)
    app = services.app
    project = app.register_project("LED-1", "Ledger", "d", "sponsor", "pm", META)
    other = app.register_project("LED-2", "Other", "d", "sponsor", "pm", META)
    worker = ledger_worker(services)
    store = Store(settings, services, worker, project.id)
    write(app, project.id, risks)
    write(app, other.id, 2)
    head = worker.sign_now()
    assert head is not None
    store.heads.append(head)
    for n, content in enumerate((b"first content", b"second content")):
        doc = app.register_document(
            project.id, f"doc {n}", "plan", "internal", "working-paper", "owner", META
        )
        written, ref = app.submit_version(
            doc.id, io.BytesIO(content), "text/plain", f"d{n}.txt", "v1", META
        )
        store.blobs.append((ref.sha256, written.position))
    write(app, project.id, risks // 2)
    head = worker.sign_now()
    assert head is not None
    store.heads.append(head)
    return store

"""Signed tree heads, and the worker that keeps the ledger caught up and signed.

The server's processor process and `pmo-ledger projections run` each run one
worker; on PostgreSQL an advisory lock lets only one process append and sign
at a time.
"""

from __future__ import annotations

import logging
import threading
import time
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from eventsourcing.persistence import ApplicationRecorder, Mapper
from sqlalchemy import Connection, Engine, insert, select

from integrity.checkpoint import Checkpoint, sign_checkpoint
from integrity.processor import LedgerProcessor, ledger_processor
from integrity.signing import (
    SignedTreeHead,
    key_id,
    load_or_create_private_key,
    public_key_pem,
    sign_tree_head,
)
from integrity.tables import (
    GENERATION,
    NAME,
    SqlNodeStore,
    checkpoints,
    default_origin,
    heads,
    keys,
    ledger_origin,
    tree_size,
)
from integrity.tree import MerkleTree
from projections import catalog
from projections.processing import ProcessingError
from projections.runner import exclusive
from service.durability import durable

log = logging.getLogger(__name__)

SIGN_INTERVAL_SECONDS = 2.0
IDLE_POLL_SECONDS = 0.2
RETRY_AFTER_FAILURE_SECONDS = 10.0


def now_ms() -> int:
    """Milliseconds since the Unix epoch (the signer's clock)."""
    return time.time_ns() // 1_000_000


class LedgerSigner:
    """Signs (size, root, timestamp) whenever the tree has grown since the last head."""

    def __init__(self, engine: Engine, key: Ed25519PrivateKey) -> None:
        self.engine = engine
        self.key = key
        self.key_id = key_id(key)
        with durable(engine) as conn:
            known = conn.execute(
                select(keys.c.key_id).where(keys.c.key_id == self.key_id)
            ).first()
            if known is None:
                conn.execute(
                    insert(keys).values(
                        key_id=self.key_id,
                        public_key_pem=public_key_pem(key).decode("ascii"),
                        first_used_ms=now_ms(),
                    )
                )

    def sign_now(self) -> SignedTreeHead | None:
        """Sign and store a head if the tree grew; return it (None if unchanged)."""
        with durable(self.engine) as conn:
            # Locking the ledger's tracking row serialises signers and appends.
            catalog.lock_and_read(conn, NAME, GENERATION)
            size = tree_size(conn)
            latest = latest_row(conn)
            if size == 0 or (latest is not None and latest.tree_size >= size):
                return None
            root = MerkleTree(SqlNodeStore(conn), size).root()
            # Heads never go back in time, even if this host's clock is behind.
            stamp = max(now_ms(), latest.timestamp_ms if latest else 0)
            head = sign_tree_head(self.key, size, root, stamp)
            conn.execute(
                insert(heads).values(
                    tree_size=head.tree_size,
                    root_hash=head.root_hash,
                    timestamp_ms=head.timestamp_ms,
                    key_id=head.key_id,
                    signature=head.signature,
                )
            )
            self._publish_checkpoint(conn, size, root)
            return head

    def _publish_checkpoint(self, conn: Connection, size: int, root: bytes) -> None:
        """The same size and root as a C2SP checkpoint, in the head's transaction."""
        if conn.execute(
            select(checkpoints.c.tree_size).where(checkpoints.c.tree_size == size)
        ).first():
            return
        origin = ledger_origin(conn) or default_origin(self.key_id)
        note = sign_checkpoint(Checkpoint(origin, size, root), self.key)
        conn.execute(
            insert(checkpoints).values(
                tree_size=size, origin=origin, note=note.render()
            )
        )


def latest_row(conn: Connection) -> Any:
    """The newest stored head row, or None."""
    return conn.execute(select(heads).order_by(heads.c.head_id.desc()).limit(1)).first()


class LedgerWorker:
    """Appends leaves and signs heads, in a background thread or on demand."""

    def __init__(
        self,
        processor: LedgerProcessor,
        signer: LedgerSigner,
        interval: float = SIGN_INTERVAL_SECONDS,
    ) -> None:
        self.processor = processor
        self.signer = signer
        self.interval = interval
        self.stop_event = threading.Event()
        self.wake_event = threading.Event()
        self.thread: threading.Thread | None = None
        self.error: str | None = None

    def catch_up(self) -> int:
        """Append every event stored so far; return the positions covered."""
        return self.processor.catch_up()

    def sign_now(self) -> SignedTreeHead | None:
        """Catch up, then sign a head if the tree grew (synchronous, for tests)."""
        self.catch_up()
        return self.signer.sign_now()

    def start(self) -> LedgerWorker:
        """Start the daemon thread; returns self."""
        self.thread = threading.Thread(target=self._loop, name="ledger", daemon=True)
        self.thread.start()
        return self

    def wake(self) -> None:
        """Ask the worker to poll now (after a local write)."""
        self.wake_event.set()

    def stop(self, timeout: float = 10.0) -> None:
        """Stop after the current batch and wait for the thread."""
        self.stop_event.set()
        self.wake_event.set()
        if self.thread is not None:
            self.thread.join(timeout)

    def _loop(self) -> None:
        while not self.stop_event.is_set():
            try:
                self._follow()
            except Exception as error:  # the database may be restarting
                # A lost connection also lost the advisory lock: take it again.
                log.warning("ledger paused: %r", error)
                self.error = repr(error)
                self.stop_event.wait(1.0)

    def _follow(self) -> None:
        engine = self.processor.engine
        with exclusive(engine, NAME, self.stop_event) as granted:
            if not granted:
                return
            last_signed = 0.0
            while not self.stop_event.is_set():
                try:
                    covered = self.processor.run_batch()
                    if time.monotonic() - last_signed >= self.interval:
                        self.signer.sign_now()
                        last_signed = time.monotonic()
                except ProcessingError as error:
                    self.error = str(error)
                    self.stop_event.wait(RETRY_AFTER_FAILURE_SECONDS)
                    continue
                self.error = None
                if not covered or not self.processor.backlog:
                    self.wake_event.wait(IDLE_POLL_SECONDS)
                    self.wake_event.clear()


def build_ledger_worker(
    engine: Engine,
    recorder: ApplicationRecorder,
    mapper: Mapper[Any],
    key_path: Path,
    interval: float = SIGN_INTERVAL_SECONDS,
) -> LedgerWorker:
    """A worker with its tables, tracking row and signing key (created if absent)."""
    processor = ledger_processor(engine, recorder, mapper)
    signer = LedgerSigner(engine, load_or_create_private_key(key_path))
    return LedgerWorker(processor, signer, interval)

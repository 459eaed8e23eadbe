"""Signed tree heads, and the worker that keeps the ledger caught up and signed.

The server's processor process and `pmo-ledger projections run` each run one
worker; on PostgreSQL an advisory lock lets only one process append and sign
at a time.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from typing import Any

from eventsourcing.persistence import ApplicationRecorder, Mapper
from sqlalchemy import Connection, Engine, delete, insert, select

from integrity.checkpoint import Checkpoint, sign_checkpoint
from integrity.keys import LedgerKey
from integrity.processor import LedgerProcessor, ledger_processor
from integrity.signing import (
    KeyUnavailableError,
    SignedTreeHead,
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
    signing,
    tree_size,
)
from integrity.tree import MerkleTree
from projections import catalog
from projections.processing import ProcessingError
from projections.runner import exclusive
from service.background import BackgroundThread
from service.durability import durable

log = logging.getLogger(__name__)

SIGN_INTERVAL_SECONDS = 2.0
IDLE_POLL_SECONDS = 0.2
RETRY_AFTER_FAILURE_SECONDS = 10.0


def now_ms() -> int:
    """Milliseconds since the Unix epoch (the signer's clock)."""
    return time.time_ns() // 1_000_000


class LedgerSigner:
    """Signs (size, root, timestamp) whenever the tree has grown since the last head.

    The key may be out of reach (an HSM): signing then raises
    KeyUnavailableError and nothing is stored; the leaves go on being appended.
    """

    def __init__(self, engine: Engine, key: LedgerKey) -> None:
        self.engine = engine
        self.key = key

    def sign_now(self) -> SignedTreeHead | None:
        """Sign and store a head if the tree grew; return it (None if unchanged).

        Raises KeyUnavailableError when the key cannot sign now.
        """
        with durable(self.engine) as conn:
            # Locking the ledger's tracking row serialises signers and appends.
            catalog.lock_and_read(conn, NAME, GENERATION)
            size = tree_size(conn)
            latest = latest_row(conn)
            if size == 0 or (latest is not None and latest.tree_size >= size):
                return None
            expected = ledger_key_id(conn)
            if expected not in (None, self.key.key_id):
                raise KeyMismatchError(
                    f"this instance's key {self.key.key_id} ({self.key.where}) is "
                    f"not the ledger's key {expected}: give it the ledger's key "
                    "(docs/scaling.md), or make this key the ledger's with "
                    "`pmo-ledger ledger adopt-key`"
                )
            root = MerkleTree(SqlNodeStore(conn), size).root()
            # Heads never go back in time, even if this host's clock is behind.
            stamp = max(now_ms(), latest.timestamp_ms if latest else 0)
            head = sign_tree_head(self.key, size, root, stamp)
            self._remember_key(conn, head.key_id)
            conn.execute(
                insert(heads).values(
                    tree_size=head.tree_size,
                    root_hash=head.root_hash,
                    timestamp_ms=head.timestamp_ms,
                    key_id=head.key_id,
                    signature=head.signature,
                )
            )
            self._publish_checkpoint(conn, size, root, head.key_id)
            return head

    def _remember_key(self, conn: Connection, signed_by: str) -> None:
        """Record the public key the first time it signs (public keys only)."""
        known = select(keys.c.key_id).where(keys.c.key_id == signed_by)
        if conn.execute(known).first() is None:
            conn.execute(
                insert(keys).values(
                    key_id=signed_by,
                    public_key_pem=public_key_pem(self.key).decode("ascii"),
                    first_used_ms=now_ms(),
                )
            )

    def _publish_checkpoint(
        self, conn: Connection, size: int, root: bytes, signed_by: str
    ) -> None:
        """The same size and root as a C2SP checkpoint, in the head's transaction."""
        if conn.execute(
            select(checkpoints.c.tree_size).where(checkpoints.c.tree_size == size)
        ).first():
            return
        origin = ledger_origin(conn) or default_origin(signed_by)
        note = sign_checkpoint(Checkpoint(origin, size, root), self.key)
        conn.execute(
            insert(checkpoints).values(
                tree_size=size, origin=origin, note=note.render()
            )
        )


class KeyMismatchError(KeyUnavailableError):
    """This process's key is not the one the ledger is signed with."""


ADOPTED = "adopted"


def ledger_key_id(conn: Connection) -> str | None:
    """The key the ledger is signed with (None before the first head).

    The key of the newest head, unless another was adopted after it.
    """
    latest = latest_row(conn)
    adopted = conn.execute(select(signing).where(signing.c.name == ADOPTED)).first()
    if adopted is not None and (
        latest is None or adopted.updated_ms >= latest.timestamp_ms
    ):
        return str(adopted.key)
    return None if latest is None else str(latest.key_id)


def adopt_key(engine: Engine, key: LedgerKey) -> str:
    """Make `key` the ledger's from the next head on (an operator's act); its id."""
    with durable(engine) as conn:
        catalog.lock_and_read(conn, NAME, GENERATION)  # no head is signed meanwhile
        latest = latest_row(conn)
        stamp = max(now_ms(), latest.timestamp_ms if latest else 0)
        conn.execute(delete(signing).where(signing.c.name == ADOPTED))
        conn.execute(
            insert(signing).values(name=ADOPTED, key=key.key_id, updated_ms=stamp)
        )
    return key.key_id


@dataclass(frozen=True)
class SigningState:
    """Whether heads are being signed, and if not since when and why."""

    key: str
    paused_since_ms: int | None
    reason: str | None

    @property
    def paused(self) -> bool:
        """True while the key cannot sign."""
        return self.paused_since_ms is not None


def record_signing_state(engine: Engine, state: SigningState) -> None:
    """Replace the one state row (the signing process writes it on each change)."""
    with durable(engine) as conn:
        conn.execute(delete(signing).where(signing.c.name == "signer"))
        conn.execute(
            insert(signing).values(
                name="signer",
                key=state.key,
                paused_since_ms=state.paused_since_ms,
                reason=state.reason,
                updated_ms=now_ms(),
            )
        )


def read_signing_state(conn: Connection) -> SigningState | None:
    """The state the signing process last recorded (None before it first signed)."""
    row = conn.execute(select(signing).where(signing.c.name == "signer")).first()
    if row is None:
        return None
    return SigningState(row.key, row.paused_since_ms, row.reason)


def latest_row(conn: Connection) -> Any:
    """The newest stored head row, or None."""
    return conn.execute(select(heads).order_by(heads.c.head_id.desc()).limit(1)).first()


class LedgerWorker(BackgroundThread):
    """Appends leaves and signs heads, in a background thread or on demand."""

    thread_name = "ledger"

    def __init__(
        self,
        processor: LedgerProcessor,
        signer: LedgerSigner,
        interval: float = SIGN_INTERVAL_SECONDS,
    ) -> None:
        super().__init__()
        self.processor = processor
        self.signer = signer
        self.interval = interval
        self.signing: SigningState | None = None

    def catch_up(self) -> int:
        """Append every event stored so far; return the positions covered."""
        return self.processor.catch_up()

    def sign_now(self) -> SignedTreeHead | None:
        """Catch up, then sign a head if the tree grew (synchronous, for tests)."""
        self.catch_up()
        return self.signer.sign_now()

    def _loop(self) -> None:
        while not self.stop_event.is_set():
            try:
                self._follow()
            except Exception as error:  # the database may be restarting
                # A lost connection also lost the advisory lock: take it again.
                log.warning("ledger paused: %r", error)
                self.error = repr(error)
                self.stop_event.wait(1.0)

    def sign_or_pause(self) -> SignedTreeHead | None:
        """Sign if the tree grew; an unreachable key pauses signing, not appending.

        A change between signing and paused is recorded for /readyz; while
        paused, every later round tries again, so signing resumes by itself.
        """
        key = self.signer.key.where
        try:
            head = self.signer.sign_now()
        except KeyUnavailableError as error:
            if self.signing is None or not self.signing.paused:
                log.warning("signing paused: %s", error)
                since = now_ms()
            else:
                since = self.signing.paused_since_ms or now_ms()
            self._record(SigningState(key, since, str(error)))
            return None
        if self.signing is None or self.signing.paused:
            if self.signing is not None:
                log.warning("signing resumed with %s", key)
            self._record(SigningState(key, None, None))
        return head

    def _record(self, state: SigningState) -> None:
        if state != self.signing:
            record_signing_state(self.processor.engine, state)
            self.signing = state

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
                        self.sign_or_pause()
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
    key: LedgerKey,
    interval: float = SIGN_INTERVAL_SECONDS,
) -> LedgerWorker:
    """A worker with its tables, tracking row and signing key."""
    processor = ledger_processor(engine, recorder, mapper)
    return LedgerWorker(processor, LedgerSigner(engine, key), interval)

"""Blobs as ~1 MiB chunk rows in the SQL database, for hosts without a shared disk."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator, Set
from datetime import UTC, datetime
from itertools import count
from typing import BinaryIO, Final

from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    Engine,
    ForeignKeyConstraint,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    delete,
    exists,
    func,
    insert,
    literal,
    select,
    update,
)
from sqlalchemy.exc import IntegrityError

from service.blobs.base import (
    CHUNK_SIZE,
    BlobNotFoundError,
    BlobReader,
    BlobRef,
    CorruptBlobError,
    Intake,
    Verdict,
    check_aware,
    check_digest,
    check_range,
    verify_blob,
)
from service.durability import durable

metadata = MetaData()

blobs = Table(
    "blobs",
    metadata,
    Column("sha256", String(64), primary_key=True),
    Column("size", BigInteger, nullable=False),
    # When the content was last stored: a re-put refreshes it, restarting gc's grace.
    Column("created_at", DateTime(timezone=True), nullable=False),
)

blob_chunks = Table(
    "blob_chunks",
    metadata,
    Column("sha256", String(64), primary_key=True),
    Column("seq", Integer, primary_key=True),
    Column("data", LargeBinary, nullable=False),
    # Deferred so gc can delete the blobs row first, which locks out a concurrent put.
    ForeignKeyConstraint(
        ["sha256"], ["blobs.sha256"], deferrable=True, initially="DEFERRED"
    ),
)

blob_staging = Table(
    "blob_staging",
    metadata,
    Column("staging_id", String(32), primary_key=True),
    Column("seq", Integer, primary_key=True),
    Column("data", LargeBinary, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

_PUT_ATTEMPTS: Final = 3


def _utc_now() -> datetime:
    return datetime.now(UTC)


class DatabaseBlobStore:
    """Content-addressed chunk rows; a blob becomes visible in one transaction."""

    def __init__(
        self, engine: Engine, *, clock: Callable[[], datetime] = _utc_now
    ) -> None:
        self._engine = engine
        self._clock = clock

    def create_tables(self) -> None:
        """Create the blob tables if they do not exist yet."""
        metadata.create_all(self._engine)

    def put(
        self,
        stream: BinaryIO,
        *,
        expected_sha256: str | None = None,
        max_size: int | None = None,
    ) -> BlobRef:
        """Stage chunks one short transaction each, then publish them in one."""
        if expected_sha256 is not None:
            check_digest(expected_sha256)
        intake = Intake(stream, max_size)
        staging_id = uuid.uuid4().hex
        try:
            for seq, chunk in enumerate(intake.chunks()):
                with self._engine.begin() as conn:
                    conn.execute(
                        insert(blob_staging).values(
                            staging_id=staging_id,
                            seq=seq,
                            data=chunk,
                            created_at=self._now(),
                        )
                    )
            ref = intake.ref(expected_sha256)
            self._publish(staging_id, ref)
        finally:
            with self._engine.begin() as conn:
                conn.execute(
                    delete(blob_staging).where(blob_staging.c.staging_id == staging_id)
                )
        return ref

    def exists(self, sha256: str) -> bool:
        """Whether a blobs row exists for this digest."""
        check_digest(sha256)
        with self._engine.connect() as conn:
            return bool(conn.scalar(select(exists().where(blobs.c.sha256 == sha256))))

    def size(self, sha256: str) -> int:
        """The size recorded when the blob was stored."""
        check_digest(sha256)
        with self._engine.connect() as conn:
            size = conn.scalar(select(blobs.c.size).where(blobs.c.sha256 == sha256))
        if size is None:
            raise BlobNotFoundError(sha256)
        return int(size)

    def open(self, sha256: str) -> BlobReader:
        """A verifying reader fetching one chunk per query (no connection held)."""
        size = self.size(sha256)
        return BlobReader(sha256, self._chunks(sha256, 0), size=size)

    def read_range(self, sha256: str, start: int, end: int) -> Iterator[bytes]:
        """Bytes start..end-1, unverified (a slice cannot be checked against a hash)."""
        check_range(start, end, self.size(sha256))
        return self._slice(sha256, start, end)

    def verify(self, sha256: str) -> Verdict:
        """Re-hash every chunk of the blob."""
        return verify_blob(self, sha256)

    def delete(self, sha256: str, *, stored_before: datetime | None = None) -> bool:
        """Remove the blob (only if last stored before the cutoff, when given)."""
        check_digest(sha256)
        condition = blobs.c.sha256 == sha256
        if stored_before is not None:
            condition &= blobs.c.created_at < check_aware(stored_before)
        with durable(self._engine) as conn:
            # The row first: its lock makes a concurrent re-put wait, then re-insert.
            removed = conn.execute(delete(blobs).where(condition)).rowcount
            if removed:
                conn.execute(delete(blob_chunks).where(blob_chunks.c.sha256 == sha256))
        return bool(removed)

    def iter_hashes(self) -> Iterator[str]:
        """Every stored digest in ascending order, fetched a page at a time."""
        after = ""
        while True:
            with self._engine.connect() as conn:
                page = list(
                    conn.scalars(
                        select(blobs.c.sha256)
                        .where(blobs.c.sha256 > after)
                        .order_by(blobs.c.sha256)
                        .limit(1000)
                    )
                )
            yield from page
            if len(page) < 1000:
                return
            after = page[-1]

    def orphans(self, referenced: Set[str], older_than: datetime) -> list[str]:
        """Unreferenced digests last stored before older_than."""
        query = select(blobs.c.sha256).where(
            blobs.c.created_at < check_aware(older_than)
        )
        with self._engine.connect() as conn:
            old = conn.scalars(query.order_by(blobs.c.sha256)).all()
        return [sha256 for sha256 in old if sha256 not in referenced]

    def discard_incomplete(self, older_than: datetime) -> int:
        """Remove staged chunks of uploads that stopped before older_than (a crash)."""
        stale = (
            select(blob_staging.c.staging_id)
            .group_by(blob_staging.c.staging_id)
            .having(func.max(blob_staging.c.created_at) < check_aware(older_than))
        )
        with self._engine.begin() as conn:
            ids = conn.scalars(stale).all()
            if ids:
                conn.execute(
                    delete(blob_staging).where(blob_staging.c.staging_id.in_(ids))
                )
        return len(ids)

    def _now(self) -> datetime:
        return check_aware(self._clock())

    def _publish(self, staging_id: str, ref: BlobRef) -> None:
        for attempt in range(_PUT_ATTEMPTS):
            try:
                # Synced: this commit makes the staged chunks before it durable too.
                with durable(self._engine) as conn:
                    refreshed = conn.execute(
                        update(blobs)
                        .where(blobs.c.sha256 == ref.sha256)
                        .values(created_at=self._now())
                    ).rowcount
                    if refreshed:
                        return  # identical content is stored once
                    conn.execute(
                        insert(blobs).values(
                            sha256=ref.sha256, size=ref.size, created_at=self._now()
                        )
                    )
                    conn.execute(
                        insert(blob_chunks).from_select(
                            ["sha256", "seq", "data"],
                            select(
                                literal(ref.sha256, String(64)),
                                blob_staging.c.seq,
                                blob_staging.c.data,
                            ).where(blob_staging.c.staging_id == staging_id),
                        )
                    )
                return
            except IntegrityError:
                # A concurrent put of the same content won the insert; refresh it.
                if attempt == _PUT_ATTEMPTS - 1:
                    raise

    def _chunks(self, sha256: str, first: int) -> Iterator[bytes]:
        for seq in count(first):
            with self._engine.connect() as conn:
                data = conn.scalar(
                    select(blob_chunks.c.data).where(
                        blob_chunks.c.sha256 == sha256, blob_chunks.c.seq == seq
                    )
                )
            if data is None:
                return
            yield bytes(data)

    def _slice(self, sha256: str, start: int, end: int) -> Iterator[bytes]:
        # Every chunk but the last holds exactly CHUNK_SIZE bytes (see Intake).
        position = start - start % CHUNK_SIZE
        for chunk in self._chunks(sha256, start // CHUNK_SIZE):
            if position >= end:
                return
            piece = chunk[max(start - position, 0) : end - position]
            if piece:
                yield piece
            position += len(chunk)
        if position < end:
            raise CorruptBlobError(sha256)

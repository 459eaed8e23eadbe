"""The feed's own tables, beside the read models: cursors and delivery records.

These are not read models: a cursor records what another system was told,
which the log cannot rebuild, so its transactions are durable ones.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Engine,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    Uuid,
)

from projections.temporal import UTCDateTime

metadata = MetaData()

cursors = Table(
    "feed_cursors",
    metadata,
    Column("name", String(64), primary_key=True),
    Column("position", BigInteger, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
)
"""How far a follower got: `subscriptions` (their own events), `amqp`."""

subscriptions = Table(
    "feed_subscriptions",
    metadata,
    Column("subscription_id", Uuid, primary_key=True),
    Column("url", Text, nullable=False),
    Column("event_types", Text, nullable=False),
    Column("project_ids", Text, nullable=False),
    Column("secret_salt", String(64), nullable=False),
    Column("status", String(16), nullable=False),
    Column("position", BigInteger, nullable=False),
    Column("epoch", Integer, nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("delivered", BigInteger, nullable=False),
    Column("failures", BigInteger, nullable=False),
    Column("last_error", Text),
    Column("last_attempt_at", UTCDateTime),
    Column("next_attempt_at", UTCDateTime),
    Column("failing_since", UTCDateTime),
    Column("updated_at", UTCDateTime, nullable=False),
)
"""Each subscription's delivery state; `position` is its durable cursor."""

deliveries = Table(
    "feed_deliveries",
    metadata,
    Column(
        "delivery_id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True
    ),
    Column("subscription_id", Uuid, nullable=False),
    Column("position", BigInteger, nullable=False),
    Column("webhook_id", String(100), nullable=False),
    Column("attempt", Integer, nullable=False),
    Column("ok", Boolean, nullable=False),
    Column("status_code", Integer),
    Column("error", Text),
    Column("at", UTCDateTime, nullable=False),
    Index("feed_deliveries_subscription", "subscription_id", "delivery_id"),
)
"""Every delivery attempt, written with the cursor move it caused."""


def create(engine: Engine) -> None:
    """Create the feed's tables if they are missing."""
    metadata.create_all(engine)

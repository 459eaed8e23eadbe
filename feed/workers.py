"""Builds the feed's followers from settings (called by the composition root)."""

from __future__ import annotations

import contextlib
from typing import Any

from sqlalchemy import Engine

from feed import catalog, tables
from feed.amqp import AmqpPublisher
from feed.config import FeedSettings
from feed.events import EventReader
from feed.keys import load_or_create_key
from feed.subscription import Subscription
from feed.webhooks import WebhookWorker
from service.application import ApplicationBase
from service.domain.base import Meta, TransitionError

SYSTEM_ACTOR = "webhooks"


def build_webhook_worker(
    engine: Engine, app: ApplicationBase, settings: FeedSettings, *, create_tables: bool
) -> WebhookWorker:
    """The webhook worker over this store (tables made if asked), not started."""
    if create_tables:
        tables.create(engine)
    reader = EventReader(engine, app.recorder, app.mapper)

    def sync() -> int:
        return catalog.sync(engine, app.recorder, app.mapper)

    def pause(subscription_id: Any, reason: str) -> None:
        meta = Meta(actor=SYSTEM_ACTOR, role="pmo-head", reason=reason)
        with contextlib.suppress(TransitionError):  # paused by someone meanwhile
            app.change(Subscription, subscription_id, lambda s: s.pause(meta))

    key = load_or_create_key(settings.key_path)
    return WebhookWorker(engine, reader, sync, settings, key, pause)


def build_amqp_publisher(
    engine: Engine, app: ApplicationBase, settings: FeedSettings
) -> AmqpPublisher | None:
    """The AMQP publisher if PMO_LEDGER_AMQP_URL is set, not started."""
    if settings.amqp_url is None:
        return None
    return AmqpPublisher(
        engine, EventReader(engine, app.recorder, app.mapper), settings
    )

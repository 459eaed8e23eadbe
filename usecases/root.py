"""The composition root: builds the application and its collaborators from settings."""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Engine

from feed.amqp import AmqpPublisher
from feed.config import FeedSettings
from feed.webhooks import WebhookWorker
from feed.workers import build_amqp_publisher, build_webhook_worker
from integrity.keys import LedgerKey, configured_key
from integrity.signer import LedgerWorker, build_ledger_worker
from projections import catalog
from projections.engine import create_views_engine
from projections.models import models
from projections.processing import Processor
from projections.runner import Runner, follow_live
from projections.views import Views
from service.app import PmoApplication
from service.blobs import BlobStore, DatabaseBlobStore, FileBlobStore
from service.config import Settings
from service.domain.base import Meta


@dataclass
class Services:
    """Everything a request or a command-line call needs, built once per process."""

    settings: Settings
    app: PmoApplication
    views_engine: Engine
    views: Views
    runner: Runner
    ledger_worker: LedgerWorker
    ledger_key: LedgerKey
    feed: FeedSettings
    webhooks: WebhookWorker
    publisher: AmqpPublisher | None
    started: list[str] = field(default_factory=list)
    redactors: list[Callable[[Sequence[str]], None]] = field(default_factory=list)
    """Adapters' own stores of responses, each deleting those holding any of
    the given plaintext values after an erasure (api.idempotency adds one)."""
    wake_elsewhere: Callable[[], None] | None = None
    """Wakes processors that run in another process (the server's processor one)."""

    def start_processors(self) -> None:
        """Run the read models and the integrity ledger in background threads."""
        self.runner.start()
        self.ledger_worker.start()
        self.webhooks.start()
        if self.publisher is not None:
            self.publisher.start()
        self.started.append("processors")

    def wake(self) -> None:
        """Tell local processors that new events were just committed."""
        self.runner.wake()
        self.ledger_worker.wake()
        self.webhooks.wake()
        if self.publisher is not None:
            self.publisher.wake()
        if self.wake_elsewhere is not None:
            self.wake_elsewhere()

    def close(self) -> None:
        """Stop background processors, then release database connections."""
        self.runner.stop()
        self.ledger_worker.stop()
        self.webhooks.stop()
        if self.publisher is not None:
            self.publisher.stop()
        self.app.close()
        self.views_engine.dispose()


def build_services(
    settings: Settings, *, create_tables: bool = True, start_processors: bool = False
) -> Services:
    """Build the services for this process (call after a server forks)."""
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    views_engine = create_views_engine(settings)
    blobs = build_blob_store(settings, views_engine, create_tables=create_tables)
    app = PmoApplication(settings, blobs, create_tables=create_tables)
    runner = build_runner(app, views_engine, create_tables=create_tables)
    # Read-your-writes waits wake the processors wherever they run.
    views = Views(views_engine, app.head_position, lambda: services.wake())
    key = configured_key(settings)
    worker = build_ledger_worker(views_engine, app.recorder, app.mapper, key)
    feed = FeedSettings.from_env({**os.environ, **settings.extra}, settings.data_dir)
    webhooks = build_webhook_worker(
        views_engine, app, feed, create_tables=create_tables
    )
    services = Services(
        settings=settings,
        app=app,
        views_engine=views_engine,
        views=views,
        runner=runner,
        ledger_worker=worker,
        ledger_key=key,
        feed=feed,
        webhooks=webhooks,
        publisher=build_amqp_publisher(views_engine, app, feed),
    )
    app.on_commit = services.wake
    if start_processors:
        services.start_processors()
    return services


def ledger_worker(services: Services) -> LedgerWorker:
    """A new ledger worker for these services, not started (tests call sign_now)."""
    return build_ledger_worker(
        services.views_engine,
        services.app.recorder,
        services.app.mapper,
        services.ledger_key,
    )


def build_runner(app: PmoApplication, engine: Engine, *, create_tables: bool) -> Runner:
    """A runner over every read model's live generation (tables made if asked)."""
    processors = [
        Processor(cls(1), engine, app.recorder, app.mapper) for cls in models()
    ]
    if create_tables:
        catalog.create(engine)
        processors = [follow_live(p) for p in processors]
        for processor in processors:
            processor.ensure_tables(state="live")
    return Runner(processors)


def build_blob_store(
    settings: Settings, engine: Engine, *, create_tables: bool
) -> BlobStore:
    """The configured blob backend: files in the data dir, or database rows."""
    if settings.blob_backend == "database":
        store = DatabaseBlobStore(engine)
        if create_tables:
            store.create_tables()
        return store
    return FileBlobStore(settings.data_dir / "blobs")


def ensure_bootstrap_token(services: Services) -> str | None:
    """On an empty store, issue the first pmo-head token; return it if new."""
    app = services.app
    if app.has_tokens():
        return None
    settings = services.settings
    meta = Meta(actor="system", role="pmo-head", reason="bootstrap on an empty store")
    issued = app.issue_token(
        "bootstrap", "pmo-head", meta, secret=settings.bootstrap_token
    )
    if settings.bootstrap_token is None:
        write_secret_file(settings.data_dir / "bootstrap-token", issued.secret)
    return issued.secret


def write_secret_file(path: Path, secret: str) -> None:
    """Write a secret readable only by its owner (mode 0600)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(secret + "\n")
    os.chmod(path, 0o600)

"""Webhook subscriptions: create (secret shown once), pause, resume, replay, list."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import select

from feed.amqp import NAME as AMQP_CURSOR
from feed.keys import derive_secret, new_salt
from feed.subscription import Subscription
from feed.tables import cursors, subscriptions
from feed.targets import TargetRefusedError, resolve
from service.domain.base import InvalidValueError, Meta
from service.domain.project import Project
from service.errors import NotFoundError
from usecases.root import Services

SUBSCRIPTION_CREATED: type = Subscription.Created


@dataclass(frozen=True)
class CreateSubscription:
    """Send matching events (empty filters: every event) to a URL."""

    name: str
    url: str
    event_types: tuple[str, ...] = ()
    project_ids: tuple[UUID, ...] = ()


@dataclass(frozen=True)
class PauseSubscription:
    """Stop delivering; the cursor stays."""

    subscription_id: UUID


@dataclass(frozen=True)
class ResumeSubscription:
    """Deliver again from the cursor."""

    subscription_id: UUID


@dataclass(frozen=True)
class ReplaySubscription:
    """Deliver again every matching event from a position on."""

    subscription_id: UUID
    from_position: int


@dataclass(frozen=True)
class CreatedSubscription:
    """A new subscription; the secret is shown only here."""

    subscription_id: UUID
    secret: str
    position: int


@dataclass(frozen=True)
class SubscriptionState:
    """A subscription with its delivery state (never its secret)."""

    subscription_id: UUID
    name: str
    url: str
    event_types: list[str]
    project_ids: list[str]
    status: str
    created_at: datetime
    created_by: str
    version: int
    cursor: int | None
    lag: int | None
    attempts: int
    delivered: int
    failures: int
    last_error: str | None
    last_attempt_at: datetime | None
    next_attempt_at: datetime | None
    failing_since: datetime | None

    def to_json(self) -> dict[str, Any]:
        """Plain JSON values."""
        return {
            k: (
                str(v)
                if isinstance(v, UUID)
                else v.isoformat()
                if isinstance(v, datetime)
                else v
            )
            for k, v in vars(self).items()
        }


def check_target(services: Services, url: str) -> None:
    """Refuse a URL that is malformed or resolves to a private address."""
    try:
        resolve(url, services.feed.allowed_networks)
    except TargetRefusedError as error:
        raise InvalidValueError("url", str(error)) from None


def create_subscription(
    services: Services, command: CreateSubscription, meta: Meta
) -> CreatedSubscription:
    """Record a subscription; its signing secret is returned once."""
    salt = new_salt()
    subscription = Subscription.create(
        command.name,
        command.url,
        list(command.event_types),
        [str(p) for p in command.project_ids],
        salt,
        meta,
    )
    check_target(services, command.url)
    for project_id in command.project_ids:
        try:
            services.app.load(Project, project_id, read_only=True)
        except NotFoundError:
            raise InvalidValueError("project_ids", f"no project {project_id}") from None
    written = services.app.create(subscription)
    secret = derive_secret(services.webhooks.key, subscription.id, salt)
    return CreatedSubscription(subscription.id, secret, written.position)


def pause_subscription(
    services: Services, command: PauseSubscription, meta: Meta
) -> int:
    """Pause; return the event's position."""
    return services.app.change(
        Subscription, command.subscription_id, lambda s: s.pause(meta)
    ).position


def resume_subscription(
    services: Services, command: ResumeSubscription, meta: Meta
) -> int:
    """Resume from the cursor; return the event's position."""
    return services.app.change(
        Subscription, command.subscription_id, lambda s: s.resume(meta)
    ).position


def replay_subscription(
    services: Services, command: ReplaySubscription, meta: Meta
) -> int:
    """Ask for redelivery from a position; return the event's position."""
    head = services.app.head_position()
    if command.from_position > head + 1:
        raise InvalidValueError(
            "from_position", f"the log ends at {head}; nothing is at that position"
        )
    return services.app.change(
        Subscription,
        command.subscription_id,
        lambda s: s.replay(command.from_position, meta),
    ).position


def subscription_state(services: Services, subscription_id: UUID) -> SubscriptionState:
    """One subscription (NotFoundError if there is none)."""
    subscription = services.app.load(Subscription, subscription_id, read_only=True)
    rows = _rows(services, [subscription_id])
    return _state(subscription, rows.get(subscription_id), services)


def list_subscriptions(services: Services) -> list[SubscriptionState]:
    """Every subscription, oldest first, with its delivery state."""
    found = [
        services.app.load(Subscription, event.originator_id, read_only=True)
        for event, _ in services.app.iter_events_of(SUBSCRIPTION_CREATED)
    ]
    rows = _rows(services, [s.id for s in found])
    return [_state(s, rows.get(s.id), services) for s in found]


def _rows(services: Services, ids: list[UUID]) -> dict[UUID, Any]:
    if not ids:
        return {}
    with services.views_engine.connect() as conn:
        return {
            row.subscription_id: row
            for row in conn.execute(
                select(subscriptions).where(subscriptions.c.subscription_id.in_(ids))
            )
        }


def _state(subscription: Any, row: Any, services: Services) -> SubscriptionState:
    head = services.app.head_position()
    created = subscription.created_on
    return SubscriptionState(
        subscription_id=subscription.id,
        name=subscription.name,
        url=subscription.url,
        event_types=list(subscription.event_types),
        project_ids=list(subscription.project_ids),
        status=subscription.status,
        created_at=created,
        created_by=_creator(services, subscription.id),
        version=subscription.version,
        cursor=row.position if row is not None else None,
        lag=max(head - row.position, 0) if row is not None else None,
        attempts=row.attempts if row is not None else 0,
        delivered=row.delivered if row is not None else 0,
        failures=row.failures if row is not None else 0,
        last_error=row.last_error if row is not None else None,
        last_attempt_at=row.last_attempt_at if row is not None else None,
        next_attempt_at=row.next_attempt_at if row is not None else None,
        failing_since=row.failing_since if row is not None else None,
    )


def _creator(services: Services, subscription_id: UUID) -> str:
    first: Any
    for first in services.app.repository.event_store.get(subscription_id, lte=1):
        return str(first.meta.actor)
    return ""


def delivery_metrics(services: Services) -> list[dict[str, Any]]:
    """Per subscription: cursor lag, deliveries, failures, whether paused."""
    head = services.app.head_position()
    with services.views_engine.connect() as conn:
        rows = conn.execute(select(subscriptions)).all()
    return [
        {
            "subscription": str(row.subscription_id),
            "lag": max(head - row.position, 0),
            "delivered": row.delivered,
            "failures": row.failures,
            "paused": row.status != "active",
            "attempts": row.attempts,
        }
        for row in rows
    ]


def amqp_lag(services: Services) -> int | None:
    """Positions the AMQP publisher's confirmed cursor is behind (None: off)."""
    if services.feed.amqp_url is None:
        return None
    with services.views_engine.connect() as conn:
        position = conn.execute(
            select(cursors.c.position).where(cursors.c.name == AMQP_CURSOR)
        ).scalar()
    return max(services.app.head_position() - int(position or 0), 0)

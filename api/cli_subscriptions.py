"""`pmo-ledger subscriptions list|pause|resume|replay`: webhooks from the shell."""

from __future__ import annotations

from uuid import UUID

import click

from api.cli_common import cli_meta, opened
from usecases import subscriptions as usecase


@click.group("subscriptions")
def subscriptions() -> None:
    """Webhook subscriptions: list them, pause, resume, replay from a position."""


@subscriptions.command("list")
def list_subscriptions() -> None:
    """Every subscription with its status, cursor, lag, attempts and last error."""
    with opened() as services:
        found = usecase.list_subscriptions(services)
    click.echo("id\tstatus\tcursor\tlag\tattempts\tdelivered\turl\tlast_error")
    for s in found:
        click.echo(
            f"{s.subscription_id}\t{s.status}\t{_dash(s.cursor)}\t{_dash(s.lag)}"
            f"\t{s.attempts}\t{s.delivered}\t{s.url}\t{s.last_error or '-'}"
        )


def _dash(value: int | None) -> str:
    return "-" if value is None else str(value)


@subscriptions.command("pause")
@click.argument("subscription_id", type=click.UUID)
@click.option("--reason", default=None, help="Recorded with the event.")
def pause(subscription_id: UUID, reason: str | None) -> None:
    """Stop delivering to a subscription; its cursor stays."""
    with opened() as services:
        position = usecase.pause_subscription(
            services, usecase.PauseSubscription(subscription_id), cli_meta(reason)
        )
    click.echo(f"paused {subscription_id} (position {position})")


@subscriptions.command("resume")
@click.argument("subscription_id", type=click.UUID)
@click.option("--reason", default=None, help="Recorded with the event.")
def resume(subscription_id: UUID, reason: str | None) -> None:
    """Deliver again from the event after the last one delivered."""
    with opened() as services:
        position = usecase.resume_subscription(
            services, usecase.ResumeSubscription(subscription_id), cli_meta(reason)
        )
    click.echo(f"resumed {subscription_id} (position {position})")


@subscriptions.command("replay")
@click.argument("subscription_id", type=click.UUID)
@click.option("--from", "from_position", type=click.IntRange(min=1), required=True)
@click.option("--reason", default=None, help="Recorded with the event.")
def replay(subscription_id: UUID, from_position: int, reason: str | None) -> None:
    """Deliver every matching event again from a position on."""
    with opened() as services:
        position = usecase.replay_subscription(
            services,
            usecase.ReplaySubscription(subscription_id, from_position),
            cli_meta(reason),
        )
    click.echo(
        f"replaying {subscription_id} from {from_position} (position {position})"
    )

"""`pmo-ledger subscriptions ...` and the delivery metrics on /metrics."""

from __future__ import annotations

import uuid

from click.testing import CliRunner

from api.cli import main
from service.config import Settings
from service.domain.base import Meta
from tests.api.conftest import Api
from tests.feed.receiver import Receiver
from tests.feed.test_webhooks import eventually, state, subscribe
from usecases import subscriptions as usecase
from usecases.root import build_services

META = Meta("head", "pmo-head", "cli test")


def test_list_pause_resume_replay_from_the_command_line(settings: Settings) -> None:
    """Each command records its event; a bad id is a message, not a traceback."""
    env = {
        "PMO_LEDGER_DATA_DIR": str(settings.data_dir),
        "PMO_LEDGER_DATABASE_URL": settings.database_url,
        "PMO_LEDGER_WEBHOOK_ALLOW": "127.0.0.0/8",
    }
    services = build_services(
        Settings(settings.data_dir, settings.database_url, extra=env)
    )
    try:
        created = usecase.create_subscription(
            services,
            usecase.CreateSubscription("cli", "http://127.0.0.1:9/hook"),
            META,
        )
    finally:
        services.close()
    sid = str(created.subscription_id)
    runner = CliRunner()
    listed = runner.invoke(main, ["subscriptions", "list"], env=env)
    assert listed.exit_code == 0, listed.output
    assert sid in listed.output and "active" in listed.output
    assert created.secret not in listed.output
    for args in (["pause", sid], ["resume", sid], ["replay", sid, "--from", "1"]):
        done = runner.invoke(main, ["subscriptions", *args, "--reason", "ops"], env=env)
        assert done.exit_code == 0, done.output
    again = runner.invoke(main, ["subscriptions", "resume", sid], env=env)
    assert again.exit_code == 1 and "active" in again.output
    unknown = runner.invoke(
        main, ["subscriptions", "pause", str(uuid.uuid4())], env=env
    )
    assert unknown.exit_code == 1 and "no subscription" in unknown.output
    services = build_services(Settings(settings.data_dir, settings.database_url))
    try:
        found = usecase.subscription_state(services, created.subscription_id)
        assert (found.status, found.version) == ("active", 4)
    finally:
        services.close()


def test_metrics_show_lag_deliveries_and_failures(
    live: Api, receiver: Receiver
) -> None:
    """Per subscription, from the feed's tables (the processors run elsewhere)."""
    receiver.answer = lambda _path, _got: 500
    sid = subscribe(live, receiver, "/metrics")
    project = live.services.app.register_project(
        f"MET-{uuid.uuid4().hex[:6]}", "Metrics", "", "Sam", "Max", META
    ).id
    eventually(lambda: state(live, sid)["failures"] >= 2, "failures counted")
    text = live.client.get("/metrics", headers=live.headers("auditor", None)).get_data(
        as_text=True
    )
    label = f'{{subscription="{sid}"}}'
    failures = float(
        text.split(f"pmo_ledger_webhook_failures_total{label} ")[1].split()[0]
    )
    lag = float(text.split(f"pmo_ledger_webhook_lag_positions{label} ")[1].split()[0])
    assert failures >= 2 and lag >= 2
    assert f"pmo_ledger_webhook_paused{label} 0.0" in text
    receiver.answer = lambda _path, _got: 204
    live.services.app.change_project_details(project, "n", "", "Sam", "Max", META)
    eventually(lambda: state(live, sid)["lag"] == 0, "caught up")
    text = live.client.get("/metrics", headers=live.headers("auditor", None)).get_data(
        as_text=True
    )
    assert f"pmo_ledger_webhook_lag_positions{label} 0.0" in text
    assert f"pmo_ledger_webhook_deliveries_total{label} 3.0" in text

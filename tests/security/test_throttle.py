"""Failed authentication is throttled per client address and per token prefix.

Counters live in the database, so every gunicorn worker shares them: the live
test runs the real server on PostgreSQL, where it forks several workers.
"""

from __future__ import annotations

import secrets
from contextlib import ExitStack
from pathlib import Path

import pytest

from api.throttle import Throttle, ThrottledError
from projections.engine import create_views_engine
from service.config import Settings
from tests.api.conftest import Api
from tests.conftest import PG_DSN, postgres_schema
from tests.reliability.conftest import Client, Server
from tests.ui.conftest import CSRF

PER_ADDRESS = 30  # the defaults: 30 per minute per address, 10 per token prefix
PER_PREFIX = 10


def attempt(api: Api, address: str, secret: str) -> tuple[int, dict[str, str]]:
    response = api.client.get(
        "/api/v1/projects",
        headers={"Authorization": f"Bearer {secret}"},
        environ_base={"REMOTE_ADDR": address},
    )
    return response.status_code, dict(response.headers)


def test_an_address_is_throttled_after_its_failures(api: Api) -> None:
    head = api.head()
    statuses = [
        attempt(api, "10.0.0.1", "pmo_" + secrets.token_urlsafe(32))[0]
        for _ in range(PER_ADDRESS + 10)
    ]
    assert statuses == [401] * PER_ADDRESS + [429] * 10
    status, headers = attempt(api, "10.0.0.1", "pmo_" + secrets.token_urlsafe(32))
    assert status == 429
    assert headers["Content-Type"] == "application/problem+json"
    assert 1 <= int(headers["Retry-After"]) <= 60
    # While spent, even a valid token from there learns nothing (no 200).
    assert attempt(api, "10.0.0.1", api.tokens["auditor"])[0] == 429
    # Elsewhere the same valid token works; the refusals wrote nothing.
    assert attempt(api, "10.0.0.2", api.tokens["auditor"])[0] == 200
    assert api.head() == head


def test_a_token_prefix_is_throttled_across_addresses(api: Api) -> None:
    family = "pmo_" + secrets.token_urlsafe(6)[:8]
    statuses = [
        attempt(api, f"10.1.0.{n}", family + secrets.token_urlsafe(24))[0]
        for n in range(PER_PREFIX + 3)
    ]
    assert statuses == [401] * PER_PREFIX + [429] * 3
    other = "pmo_" + secrets.token_urlsafe(32)
    assert attempt(api, "10.1.1.1", other)[0] == 401


def test_valid_tokens_are_never_counted(api: Api) -> None:
    for _ in range(PER_ADDRESS + 5):
        assert attempt(api, "10.2.0.1", api.tokens["auditor"])[0] == 200


def test_ui_sign_in_is_throttled_too(api: Api) -> None:
    client = api.client
    address = {"REMOTE_ADDR": "10.3.0.1"}
    statuses = []
    for _ in range(PER_ADDRESS + 2):
        found = CSRF.search(client.get("/ui/login", environ_base=address).text)
        assert found is not None
        form = {"token": "pmo_" + secrets.token_urlsafe(32), "csrf_token": found[1]}
        response = client.post("/ui/login", data=form, environ_base=address)
        statuses.append(response.status_code)
    assert statuses == [401] * PER_ADDRESS + [429] * 2
    assert "Retry-After" in response.headers
    assert "too many failed sign-ins" in response.text


def test_the_live_server_counts_failures_across_its_workers(tmp_path: Path) -> None:
    with ExitStack() as stack:
        url = f"{PG_DSN}?schema={stack.enter_context(postgres_schema())}"
        server = Server("postgres", tmp_path / "data", tmp_path / "log", url)
        for name in ("ADDRESS", "PREFIX"):  # the defaults, not the suite's
            del server.env[f"PMO_LEDGER_AUTH_FAILURES_PER_{name}"]
        stack.callback(server.stop)
        server.start()
        client = Client(server.port)
        statuses = []
        for _ in range(60):
            bad = client.with_token("pmo_" + secrets.token_urlsafe(32))
            statuses.append(bad.request("GET", "/api/v1/projects")[0])
        assert statuses == [401] * PER_ADDRESS + [429] * 30


def test_a_worker_sees_a_counter_spent_by_another_after_one_attempt(
    settings: Settings,
) -> None:
    engine = create_views_engine(settings)
    here, there = (Throttle(engine, "3/minute", "100/minute") for _ in range(2))
    try:
        here.check("10.9.0.1", "pmo_valid")  # no counters yet: taken as clean
        for _ in range(3):
            there.check("10.9.0.1", "pmo_" + secrets.token_urlsafe(8))
            there.failed("10.9.0.1", "pmo_" + secrets.token_urlsafe(8))
        with pytest.raises(ThrottledError):
            there.check("10.9.0.1", "pmo_valid")
        # Spent in another worker: this one lets one attempt through, and that
        # attempt's failure makes it read the counter again.
        here.check("10.9.0.1", "pmo_valid")
        here.failed("10.9.0.1", "pmo_valid")
        with pytest.raises(ThrottledError):
            here.check("10.9.0.1", "pmo_valid")
        # A key that has a counter is never taken as clean.
        there.failed("10.9.0.2", "pmo_guess2")
        here.check("10.9.0.2", "pmo_valid")
        for _ in range(2):
            there.failed("10.9.0.2", "pmo_" + secrets.token_urlsafe(8))
        with pytest.raises(ThrottledError):
            here.check("10.9.0.2", "pmo_valid")
    finally:
        engine.dispose()

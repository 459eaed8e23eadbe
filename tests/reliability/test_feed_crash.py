"""The real server SIGKILLed while it delivers webhooks and publishes to RabbitMQ.

Nothing acknowledged is lost: every event reaches the receiver (every
signature verified by standardwebhooks) and the queue, first arrivals in log
order; a repeat always carries the webhook-id (or message id) it had before.
"""

from __future__ import annotations

import time
import uuid
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import pytest

from tests.api.conftest import PROJECT, RISK
from tests.conftest import BACKENDS
from tests.feed.broker import URL, bound_queue, drain, require_broker
from tests.feed.receiver import Receiver
from tests.feed.test_webhooks import check_in_order, eventually
from tests.reliability.conftest import FULL, Server, start_server

KILLS = 6 if FULL else 3
BATCH = 40


def audit_positions(server: Server) -> list[int]:
    """Every stored position, from the audit trail once the read models caught up."""
    server.wait_caught_up()
    positions: list[int] = []
    after = 0
    while True:
        page = server.client.ok(
            "GET", f"/audit/events?after_position={after}&limit=1000"
        )
        positions += [row["position"] for row in page["items"]]
        if page["next_cursor"] is None:
            return positions
        after = positions[-1]


@pytest.mark.parametrize("backend", BACKENDS)
def test_sigkill_mid_delivery_loses_nothing(backend: str, tmp_path: Path) -> None:
    """Kill the server group while deliveries run; restart; everything arrives."""
    require_broker()
    exchange = f"pmo-crash-{uuid.uuid4().hex[:8]}"
    receiver = Receiver()
    receiver.answer = slowly
    with ExitStack() as stack, bound_queue(exchange) as queue:
        stack.callback(receiver.stop)
        server = start_server(stack, backend, tmp_path, env=_env(exchange))
        client = server.client
        created = client.ok(
            "POST",
            "/subscriptions",
            {"name": "crash", "url": receiver.url("/crash")},
        )
        receiver.secrets["/crash"] = created["secret"]
        project = client.ok("POST", "/projects", {**PROJECT, "code": "CRASH"})["id"]
        for kill in range(KILLS):
            written = [
                client.ok("POST", f"/projects/{project}/risks", RISK)["position"]
                for _ in range(BATCH)
            ]
            seen = {r.position for r in receiver.accepted("/crash")}
            eventually(
                lambda seen=seen: (
                    len({r.position for r in receiver.accepted("/crash")} - seen) >= 3
                ),
                f"deliveries under way before kill {kill}",
            )
            server.kill()
            assert max(written) > 0
            server.start()
        expected = audit_positions(server)
        after = created["position"]
        wanted = [p for p in expected if p > after]
        check_in_order(receiver.wait_for("/crash", set(wanted)), wanted)
        assert receiver.refused_signatures == 0
        queued: list[tuple[str, str, Any]] = []
        eventually(
            lambda: _published(queue, queued, expected), "every event in the queue"
        )
        assert len(queued) >= len(expected)


def _published(
    queue: str, queued: list[tuple[str, str, Any]], expected: list[int]
) -> bool:
    """Whether the queue (drained so far into `queued`) holds every event, in order."""
    queued.extend(drain(queue))
    first: dict[str, None] = {}
    for message_id, _key, _headers in queued:
        first.setdefault(message_id, None)
    got = [int(m) for m in first]
    assert got == expected[: len(got)], "out of order or a gap"
    return len(got) == len(expected)


def slowly(_path: str, _got: Any) -> int:
    """A slow receiver, so the kills land while deliveries are under way."""
    time.sleep(0.005)
    return 204


def _env(exchange: str) -> dict[str, str]:
    return {
        "PMO_LEDGER_WEBHOOK_ALLOW": "127.0.0.0/8",
        "PMO_LEDGER_WEBHOOK_RETRY_BASE": "0.05",
        "PMO_LEDGER_WEBHOOK_RETRY_MAX": "0.5",
        "PMO_LEDGER_AMQP_URL": URL,
        "PMO_LEDGER_AMQP_EXCHANGE": exchange,
    }

"""The AMQP publisher against the real RabbitMQ: confirms, order, a broker away."""

from __future__ import annotations

import uuid
from pathlib import Path

from service.domain.base import Meta
from tests.feed.broker import Proxy, bound_queue, depth, drain, require_broker
from tests.feed.conftest import running_api
from tests.feed.test_webhooks import eventually, matching

META = Meta("writer", "project-officer", "amqp test")


def test_broker_away_the_publisher_waits_and_resumes_while_writes_go_on(
    backend: str, tmp_path: Path
) -> None:
    """Every event in the queue in log order (duplicates only by message id)."""
    require_broker()
    proxy = Proxy()
    exchange = f"pmo-test-{uuid.uuid4().hex[:8]}"
    with (
        bound_queue(exchange) as queue,
        running_api(
            backend,
            tmp_path,
            PMO_LEDGER_AMQP_URL=proxy.url,
            PMO_LEDGER_AMQP_EXCHANGE=exchange,
        ) as api,
    ):
        app = api.services.app
        project = app.register_project(
            f"AMQP-{uuid.uuid4().hex[:6]}", "Broker", "", "Sam", "Max", META
        ).id
        publisher = api.services.publisher
        assert publisher is not None
        eventually(lambda: depth(queue) >= 2, "the first events are published")
        proxy.cut()
        written = [
            app.change_project_details(project, f"n{i}", "", "Sam", "Max", META)
            for i in range(40)
        ]
        assert all(w.position for w in written)  # writes go on without the broker
        eventually(lambda: publisher.error is not None, "the publisher notices")
        assert publisher.position() < written[-1].position
        proxy.mend()
        head = app.head_position()
        eventually(lambda: publisher.position() >= head, "the publisher catches up")
        expected = matching(api, 0)
        got = drain(queue)
        first: dict[str, tuple[str, dict[str, object]]] = {}
        for message_id, key, headers in got:
            first.setdefault(message_id, (key, headers))
        assert [int(m) for m in first] == expected
        assert all(h["position"] == int(m) for m, (_, h) in first.items())
        key, _ = first[str(written[0].position)]
        assert key == f"{project}.Project.DetailsChanged"

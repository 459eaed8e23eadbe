"""Webhook delivery end to end: signed, in order, no gap, retried, paused, replayed."""

from __future__ import annotations

import random
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

from service.domain.base import Meta
from tests.api.conftest import Api
from tests.feed.conftest import running_api
from tests.feed.receiver import Received, Receiver

META = Meta("writer", "project-officer", "testing the feed")


def subscribe(api: Api, receiver: Receiver, path: str, **filters: Any) -> str:
    """Create a subscription to the receiver's path; remember its secret there."""
    response = api.post(
        "/subscriptions", {"name": path, "url": receiver.url(path), **filters}
    )
    assert response.status_code == 201, response.json
    assert response.json["secret"].startswith("whsec_")
    receiver.secrets[path] = response.json["secret"]
    return str(response.json["id"])


def projects(api: Api, count: int) -> list[uuid.UUID]:
    """Projects registered straight through the application."""
    return [
        api.services.app.register_project(
            f"FEED-{uuid.uuid4().hex[:8]}", f"Project {i}", "", "Sam", "Max", META
        ).id
        for i in range(count)
    ]


def touch(api: Api, project_ids: list[uuid.UUID], count: int, seed: int) -> list[int]:
    """`count` detail changes spread over the projects; their positions."""
    chooser = random.Random(seed)
    return [
        api.services.app.change_project_details(
            chooser.choice(project_ids), f"name {i}", "", "Sam", "Max", META
        ).position
        for i in range(count)
    ]


def matching(api: Api, after: int, **filters: Any) -> list[int]:
    """Every stored position after `after` that passes the filters (the audit view)."""
    head = api.head()
    rows = api.get(
        "/audit/events",
        query_string={
            "after_position": after,
            "limit": 1000,
            "min_position": head,
            **filters,
        },
    )
    positions: list[int] = []
    while True:
        assert rows.status_code == 200, rows.json
        positions += [r["position"] for r in rows.json["items"]]
        if rows.json["next_cursor"] is None:
            return positions
        rows = api.get(
            "/audit/events",
            query_string={"after_position": positions[-1], "limit": 1000, **filters},
        )


def check_in_order(got: list[Received], expected: list[int]) -> None:
    """Every expected position accepted, first arrivals in log order, no others;
    a position seen twice always came with the same webhook-id."""
    first: dict[int, str] = {}
    for delivery in got:
        if delivery.position in first:
            assert first[delivery.position] == delivery.webhook_id
        else:
            first[delivery.position] = delivery.webhook_id
    assert list(first) == expected
    assert len(set(first.values())) == len(first)


def eventually(check: Callable[[], Any], what: str, timeout: float = 120) -> Any:
    """Poll until check() is truthy (a guard against hanging, not a timing test)."""
    deadline = time.monotonic() + timeout
    while not (found := check()):
        assert time.monotonic() < deadline, f"never happened: {what}"
        time.sleep(0.05)
    return found


def state(api: Api, subscription_id: str) -> dict[str, Any]:
    """GET the subscription as the PMO head."""
    response = api.get(f"/subscriptions/{subscription_id}", role="pmo-head")
    assert response.status_code == 200, response.json
    return dict(response.json)


def created_at(api: Api, subscription_id: str) -> int:
    """The position of the subscription's Created event."""
    rows = api.get(
        "/audit/events",
        query_string={"entity_id": subscription_id, "min_position": api.head()},
    )
    return int(rows.json["items"][0]["position"])


def test_a_thousand_events_arrive_signed_in_order_without_gaps(
    live: Api, receiver: Receiver
) -> None:
    """Two subscriptions (all events; one project's) over a flaky receiver."""
    flaky = random.Random(7)
    receiver.answer = lambda _path, _got: 503 if flaky.random() < 0.1 else 204
    chosen = projects(live, 4)
    everything = subscribe(live, receiver, "/all")
    one = subscribe(live, receiver, "/one", project_ids=[str(chosen[0])])
    touch(live, chosen, 1000, seed=1)
    expected_all = matching(live, created_at(live, everything))
    expected_one = matching(live, created_at(live, one), project_id=str(chosen[0]))
    assert len(expected_all) > 1000 and 150 < len(expected_one) < 400
    check_in_order(receiver.wait_for("/all", set(expected_all)), expected_all)
    check_in_order(receiver.wait_for("/one", set(expected_one)), expected_one)
    assert receiver.refused_signatures == 0
    retried = [r for r in receiver.received["/all"] if not r.accepted]
    assert retried, "the flaky receiver refused some deliveries"
    done = eventually(
        lambda: (s := state(live, everything))["cursor"] >= expected_all[-1] and s,
        "the cursor reaches the last event",
    )
    assert done["delivered"] == len(expected_all)
    assert done["failures"] == len(retried)
    assert done["status"] == "active" and done["lag"] >= 0
    payload = receiver.accepted("/one")[0].payload["data"]
    assert payload["project_id"] == str(chosen[0])
    assert payload["leaf_index"] >= 0
    assert payload["proof"].endswith(f"?position={payload['position']}")
    proof = live.get(payload["proof"].removeprefix("/api/v1"))
    assert proof.status_code == 200, proof.json
    assert proof.json["leaf_index"] == payload["leaf_index"]


def test_a_receiver_down_for_a_while_gets_everything_once_back(
    live: Api, receiver: Receiver
) -> None:
    """Connection refused: retried with backoff, visible on GET, then delivered."""
    chosen = projects(live, 2)
    subscription = subscribe(live, receiver, "/down")
    after = created_at(live, subscription)
    receiver.stop()
    touch(live, chosen, 30, seed=2)
    failing = eventually(
        lambda: (s := state(live, subscription))["attempts"] >= 3 and s,
        "attempts pile up while the receiver is down",
    )
    assert "ConnectionRefusedError" in failing["last_error"]
    assert failing["lag"] > 0 and failing["status"] == "active"
    receiver.start()
    expected = matching(live, after)
    check_in_order(receiver.wait_for("/down", set(expected)), expected)
    assert eventually(
        lambda: state(live, subscription)["attempts"] == 0, "attempts reset"
    )


def test_a_paused_subscription_resumes_from_its_cursor(
    live: Api, receiver: Receiver
) -> None:
    """Nothing after the pause is sent until resume; then all, in order, once."""
    chosen = projects(live, 1)
    subscription = subscribe(live, receiver, "/paused")
    after = created_at(live, subscription)
    touch(live, chosen, 5, seed=3)
    before = matching(live, after)
    receiver.wait_for("/paused", set(before))
    paused = live.post(f"/subscriptions/{subscription}/pause", {"reason": "upgrade"})
    assert paused.status_code == 200, paused.json
    touch(live, chosen, 10, seed=4)
    again = live.post(f"/subscriptions/{subscription}/pause", {})
    assert again.status_code == 409
    assert again.mimetype == "application/problem+json"
    # The pause is applied before anything after it could be sent.
    eventually(
        lambda: (
            live.services.webhooks.sync_now() == 0
            and state(live, subscription)["cursor"] >= before[-1]
        ),
        "the pause is applied",
    )
    head = live.services.app.head_position()
    live.services.ledger_worker.catch_up()
    for delivery in receiver.accepted("/paused"):
        assert delivery.position < paused.json["position"]
    assert state(live, subscription)["cursor"] < paused.json["position"] < head
    resumed = live.post(f"/subscriptions/{subscription}/resume", {})
    assert resumed.status_code == 200, resumed.json
    expected = matching(live, after)
    check_in_order(receiver.wait_for("/paused", set(expected)), expected)


def test_replay_from_a_position_redelivers_with_new_ids(
    live: Api, receiver: Receiver
) -> None:
    """A replay sends every matching event again from the position, in order."""
    chosen = projects(live, 1)
    subscription = subscribe(live, receiver, "/replay", project_ids=[str(chosen[0])])
    touch(live, chosen, 6, seed=5)
    after = created_at(live, subscription)
    expected = matching(live, after, project_id=str(chosen[0]))
    first = receiver.wait_for("/replay", set(expected))
    replay = live.post(
        f"/subscriptions/{subscription}/replay",
        {"from_position": expected[2], "reason": "our warehouse lost a day"},
    )
    assert replay.status_code == 200, replay.json
    wanted = len(first) + len(expected) - 2
    with receiver.changed:
        assert receiver.changed.wait_for(
            lambda: len(receiver.received["/replay"]) >= wanted, 120
        )
    again = receiver.accepted("/replay")[len(first) :]
    assert [r.position for r in again] == expected[2:]
    assert not {r.webhook_id for r in again} & {r.webhook_id for r in first}
    head = live.head()
    refused = live.post(
        f"/subscriptions/{subscription}/replay", {"from_position": 10**12}
    )
    assert refused.status_code == 422 and "from_position" in refused.json["errors"]
    assert live.head() == head


def test_a_failing_subscription_is_paused_with_its_error_visible(
    backend: str, tmp_path: Path, receiver: Receiver
) -> None:
    """After the configured time of failures: paused by an event, error on GET."""
    with running_api(backend, tmp_path, PMO_LEDGER_WEBHOOK_PAUSE_AFTER="0.3") as api:
        receiver.answer = lambda _path, _got: 500
        chosen = projects(api, 1)
        subscription = subscribe(api, receiver, "/broken")
        touch(api, chosen, 3, seed=6)
        paused = eventually(
            lambda: (s := state(api, subscription))["status"] == "paused" and s,
            "the failing subscription is paused",
        )
        assert paused["last_error"] == "the target answered 500"
        assert paused["attempts"] >= 2 and paused["failing_since"]
        trail = api.get(
            "/audit/events",
            query_string={"entity_id": subscription, "min_position": api.head()},
        ).json["items"]
        assert [r["action"] for r in trail] == [
            "Subscription.Created",
            "Subscription.Paused",
        ]
        assert trail[1]["actor"] == "webhooks" and "500" in trail[1]["reason"]
        receiver.answer = lambda _path, _got: 204
        resumed = api.post(f"/subscriptions/{subscription}/resume", {})
        assert resumed.status_code == 200
        expected = matching(api, trail[0]["position"])
        check_in_order(receiver.wait_for("/broken", set(expected)), expected)

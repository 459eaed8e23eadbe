"""16 clients racing on one aggregate: no lost update, no duplicate, no 500."""

from __future__ import annotations

import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from tests.reliability.conftest import (
    FULL,
    Server,
    assessment_body,
    new_project,
    risk_body,
)

CLIENTS = 16
ROUNDS = 25 if FULL else 6
KEYS = 60 if FULL else 16


def test_conflicting_assessments_lose_cleanly_and_none_is_lost(shared: Server) -> None:
    client = shared.client
    project = new_project(client, "RACE")
    risk = client.ok("POST", f"/projects/{project}/risks", risk_body())["id"]
    start = threading.Barrier(CLIENTS)

    def race(n: int) -> list[tuple[int, str, Any]]:
        results = []
        start.wait()
        for round_ in range(ROUNDS):
            reason = f"client {n} round {round_}"
            headers = {}
            if n % 2 == 0:  # half send If-Match from the version they last saw
                status, got, _ = client.json("GET", f"/risks/{risk}")
                assert status == 200
                headers["If-Match"] = got["ETag"]
            body = assessment_body(n + round_, reason)
            status, _, data = client.json(
                "POST", f"/risks/{risk}/assessments", body, **headers
            )
            results.append((status, reason, data))
        return results

    with ThreadPoolExecutor(CLIENTS) as pool:
        outcomes = [r for rs in pool.map(race, range(CLIENTS)) for r in rs]

    statuses = Counter(status for status, _, _ in outcomes)
    assert set(statuses) <= {201, 409, 412}, statuses
    won = {
        data["version"]: reason for status, reason, data in outcomes if status == 201
    }
    assert len(won) == statuses[201]  # no two winners got the same version
    status, headers, _ = client.json("GET", f"/risks/{risk}")
    assert headers["ETag"] == f'"{1 + statuses[201]}"'
    history = client.ok("GET", f"/risks/{risk}/history")["events"]
    assert [e["version"] for e in history] == list(range(1, 2 + statuses[201]))
    for event in history[1:]:  # each acknowledged write is the one stored there
        assert won[event["version"]] == event["reason"]
    for status, _, data in outcomes:
        if status != 201:
            assert data["status"] == status and data["type"].startswith("urn:")
    print(f"\n{shared.backend}: {len(outcomes)} conflicting writes, {dict(statuses)}")


def test_idempotent_retries_under_load_write_each_command_once(shared: Server) -> None:
    client = shared.client
    project = new_project(client, "IDEM")
    risk = client.ok("POST", f"/projects/{project}/risks", risk_body())["id"]
    sends: list[tuple[str, str, dict[str, Any]]] = []
    for k in range(KEYS):
        if k % 2:
            sends.append((f"r-{k}", f"/projects/{project}/risks", risk_body(f"k{k}")))
        else:
            body = assessment_body(k, f"key a-{k}")
            sends.append((f"a-{k}", f"/risks/{risk}/assessments", body))
    copies = [s for s in sends for _ in range(3)]  # each command sent three times

    def send(item: tuple[str, str, dict[str, Any]]) -> tuple[str, int, Any, str]:
        key, path, body = item
        status, headers, data = client.json(
            "POST", path, body, **{"Idempotency-Key": key}
        )
        return key, status, data, headers.get("Idempotent-Replayed", "")

    with ThreadPoolExecutor(CLIENTS) as pool:
        results = list(pool.map(send, copies))
    statuses = Counter(status for _, status, _, _ in results)
    assert set(statuses) <= {201, 409}, statuses  # 409: the same key still in flight
    answers: dict[str, set[str]] = {}
    for key, status, data, _ in results:
        if status == 201:
            answers.setdefault(key, set()).add(f"{data['id']}@{data['version']}")
        elif status == 409:
            # the key is still in flight, or another key's command won the race
            assert any(
                word in data["detail"] for word in ("in flight", "released", "retry")
            ), data
    # every key that won at least once answers the same thing, replayed or not
    assert all(len(got) == 1 for got in answers.values()), answers
    for key, path, body in sends:  # a late retry of every command: replay or first run
        key2, status, data, _ = send((key, path, body))
        assert status == 201, data
        assert answers.setdefault(key2, {f"{data['id']}@{data['version']}"}) == {
            f"{data['id']}@{data['version']}"
        }

    history = client.ok("GET", f"/risks/{risk}/history")["events"]
    reasons = Counter(e["reason"] for e in history if e["reason"])
    assert all(count == 1 for count in reasons.values()), reasons
    assert len(history) == 1 + KEYS // 2
    shared.wait_caught_up()
    titles = Counter(
        row["title"]
        for row in client.ok("GET", f"/projects/{project}/risks?limit=200")["items"]
    )
    assert all(count == 1 for count in titles.values()), titles
    assert len(titles) == 1 + KEYS // 2
    print(
        f"\n{shared.backend}: {len(copies) + KEYS} requests for {KEYS} commands, "
        f"{dict(statuses)}, zero duplicates"
    )

"""SIGKILL the server under concurrent writers; every acknowledged write survives."""

from __future__ import annotations

import http.client
import json
import random
import threading
import time
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest

from service.config import Settings
from tests.conftest import BACKENDS
from tests.reliability.conftest import (
    FULL,
    Client,
    Server,
    assessment_body,
    new_project,
    risk_body,
    risk_pages,
    start_server,
)
from usecases.root import build_services

KILLS = 40 if FULL else 10
WRITERS = 16 if FULL else 6


@dataclass
class Acks:
    """Every acknowledged write (id, version) -> position, and what else came back."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    writes: dict[tuple[str, int], int] = field(default_factory=dict)
    risks: list[str] = field(default_factory=list)
    statuses: dict[int, int] = field(default_factory=dict)
    lost_connections: int = 0
    failures: list[str] = field(default_factory=list)

    def record(self, status: int, data: Any, new_risk: bool) -> None:
        """Keep a 2xx answer's id, version and position; count every status."""
        with self.lock:
            self.statuses[status] = self.statuses.get(status, 0) + 1
            if 200 <= status < 300:
                key = (data["id"], data["version"])
                assert key not in self.writes, f"{key} acknowledged twice"
                self.writes[key] = data["position"]
                if new_risk:
                    self.risks.append(data["id"])


def writer(client: Client, project: str, acks: Acks, stop: threading.Event) -> None:
    """Record risks and assess known ones until stopped, whatever the server does."""
    try:
        write_until(client, project, acks, stop)
    except Exception as error:  # reported by the test, not lost in a thread
        acks.failures.append(repr(error))


def write_until(
    client: Client, project: str, acks: Acks, stop: threading.Event
) -> None:
    """The writer's loop."""
    rng = random.Random()
    n = 0
    while not stop.is_set():
        n += 1
        with acks.lock:
            known = list(acks.risks)
        new_risk = not known or rng.random() < 0.3
        if new_risk:
            path, body = f"/projects/{project}/risks", risk_body(f"risk {n}")
        else:
            path = f"/risks/{rng.choice(known)}/assessments"
            body = assessment_body(n)
        try:
            status, _, data = client.json("POST", path, body)
        except (OSError, http.client.HTTPException, json.JSONDecodeError):
            with acks.lock:
                acks.lost_connections += 1  # outcome unknown: not acknowledged
            time.sleep(0.2)  # the server is restarting: leave it the CPU
            continue
        acks.record(status, data, new_risk)


@pytest.fixture(params=BACKENDS)
def crashed(
    request: pytest.FixtureRequest, tmp_path: Path
) -> Iterator[tuple[Server, Acks]]:
    """A server killed KILLS times under WRITERS writers, then restarted and idle."""
    with ExitStack() as stack:
        server = start_server(stack, str(request.param), tmp_path)
        project = new_project(server.client, "CRASH")
        acks, stop = Acks(), threading.Event()
        threads = [
            threading.Thread(target=writer, args=(server.client, project, acks, stop))
            for _ in range(WRITERS)
        ]
        for thread in threads:
            thread.start()
        rng = random.Random(request.param)
        try:
            for _ in range(KILLS):
                time.sleep(rng.uniform(0.1, 0.8))
                server.kill()
                server.start()
            time.sleep(0.5)
        finally:
            stop.set()
            for thread in threads:
                thread.join(timeout=120)
        yield server, acks


def test_every_acknowledged_write_survives_kills(crashed: tuple[Server, Acks]) -> None:
    server, acks = crashed
    assert server.starts == KILLS + 1
    assert not acks.failures, acks.failures
    assert len(acks.writes) > 10 * KILLS, acks.statuses  # the writers really wrote
    assert set(acks.statuses) <= {200, 201, 409}, acks.statuses  # 409: concurrent
    server.wait_caught_up()
    rows_before = register(server.client, acks)
    server.stop()

    stored = stored_events(server)
    for (entity, version), position in acks.writes.items():
        assert stored.get((UUID(entity), version)) == position, (entity, version)

    verified = server.cli("verify")
    assert verified.returncode == 0, verified.stdout + verified.stderr

    rebuilt = server.cli("projections", "rebuild")
    assert rebuilt.returncode == 0, rebuilt.stdout + rebuilt.stderr
    server.start()
    server.wait_caught_up()
    assert register(server.client, acks) == rows_before
    print(
        f"\n{server.backend}: {KILLS} kills survived, {len(acks.writes)} "
        f"acknowledged writes checked, {len(stored)} events decoded, "
        f"{acks.lost_connections} requests cut off, statuses {acks.statuses}"
    )


def stored_events(server: Server) -> dict[tuple[UUID, int], int]:
    """(id, version) -> position of every stored event; each must decode."""
    services = build_services(Settings.from_env(server.env), create_tables=False)
    try:
        app = services.app
        found: dict[tuple[UUID, int], int] = {}
        start = 1
        while True:
            batch = app.recorder.select_notifications(start=start, limit=1000)
            for notification in batch:
                event = app.mapper.to_domain_event(notification)  # no half-written one
                key = (event.originator_id, event.originator_version)
                assert key not in found, key
                found[key] = notification.id
            if len(batch) < 1000:
                return found
            start = batch[-1].id + 1
    finally:
        services.close()


def register(client: Client, acks: Acks) -> list[Any]:
    """The project's risk register (every page) and each risk's register row."""
    project = client.ok("GET", "/projects")["items"][0]
    rows: list[Any] = [project, *risk_pages(client, project["id"])]
    assert {row["id"] for row in rows[1:]} >= set(acks.risks)
    return rows

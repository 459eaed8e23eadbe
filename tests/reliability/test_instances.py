"""Two `serve` instances, as on two hosts, against one PostgreSQL (issue 22).

Each has its own data directory; they share the database (events, read
models, blobs) and the ledger key file. A round-robin proxy in front spreads
writers over both; one instance is SIGKILLed mid-load. Nothing acknowledged
is lost, the survivor takes over the read models and the signer (elected
through PostgreSQL advisory locks), and after the restart both answer the
same rows and the ledger verifies.
"""

from __future__ import annotations

import hashlib
import http.client
import itertools
import json
import threading
import time
from collections.abc import Iterator
from contextlib import ExitStack
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest

from integrity.signing import load_or_create_private_key
from tests.conftest import PG_DSN, postgres_schema
from tests.reliability.conftest import (
    Client,
    Server,
    new_document,
    new_project,
    risk_body,
    risk_pages,
)
from tests.reliability.test_crash import Acks, stored_events, writer

WRITERS = 4
PACE_SECONDS = 0.05  # between a writer's requests: load, not a flood


class Paced(Client):
    """A client that leaves PACE_SECONDS between its requests."""

    def request(self, *args: Any, **kwargs: Any) -> Any:
        """Wait, then send."""
        time.sleep(PACE_SECONDS)
        return super().request(*args, **kwargs)


PROXY_GONE = 502


class RoundRobin:
    """A small load balancer: each request to the next backend, in turn.

    A backend that refuses the connection (nothing was sent) is skipped, as a
    real balancer does; one that drops a request it was sent answers 502 (the
    outcome is unknown, so the request is not tried elsewhere).
    """

    def __init__(self, ports: list[int]) -> None:
        self.ports = ports
        self.turn = itertools.count()
        self.served: dict[int, int] = dict.fromkeys(ports, 0)
        self.lock = threading.Lock()
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            def _forward(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else None
                status, headers, data = proxy.send(
                    self.command, self.path, body, dict(self.headers)
                )
                self.send_response(status)
                for name, value in headers:
                    if name.lower() not in ("connection", "transfer-encoding"):
                        self.send_header(name, value)
                self.send_header("Connection", "close")
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _forward  # noqa: N815

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = int(self.server.server_address[1])
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def send(
        self, method: str, path: str, body: bytes | None, headers: dict[str, str]
    ) -> tuple[int, list[tuple[str, str]], bytes]:
        """Forward one request; the backend's answer (or 502)."""
        with self.lock:
            first = next(self.turn)
        for attempt in range(len(self.ports)):
            port = self.ports[(first + attempt) % len(self.ports)]
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            try:
                try:
                    conn.connect()
                except ConnectionRefusedError:
                    continue  # that host is down: nothing was sent
                try:
                    conn.request(method, path, body=body, headers=headers)
                    response = conn.getresponse()
                    answer = response.status, response.getheaders(), response.read()
                except (OSError, http.client.HTTPException):
                    return PROXY_GONE, [], b""
                with self.lock:
                    self.served[port] += 1
                return answer
            finally:
                conn.close()
        return PROXY_GONE, [], b""

    def close(self) -> None:
        """Stop accepting requests."""
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def pair(tmp_path: Path) -> Iterator[tuple[Server, Server]]:
    """Two instances on one PostgreSQL schema, database blobs, one key file."""
    key = tmp_path / "ledger-key.pem"  # the key material every host is given
    load_or_create_private_key(key)
    with ExitStack() as stack:
        url = f"{PG_DSN}?schema={stack.enter_context(postgres_schema())}"
        servers = []
        for name in ("a", "b"):
            server = Server(
                "postgres", tmp_path / name / "data", tmp_path / f"{name}.log", url
            )
            server.env.update(
                PMO_LEDGER_BLOB_BACKEND="database", PMO_LEDGER_SIGNING_KEY=str(key)
            )
            stack.callback(server.stop)
            server.start()  # one after the other: the first creates the tables
            servers.append(server)
        yield servers[0], servers[1]


def read_your_write(writer_side: Client, reader_side: Client, project: str) -> None:
    """A risk written on one instance is in the other's register at its position."""
    written = writer_side.ok("POST", f"/projects/{project}/risks", risk_body())
    page = reader_side.ok(
        "GET", f"/projects/{project}/risks?min_position={written['position']}"
    )
    assert written["id"] in {row["id"] for row in page["items"]}


def test_two_instances_behind_a_proxy_survive_losing_one(
    pair: tuple[Server, Server],
) -> None:
    a, b = pair
    project = new_project(a.client, "TWIN")
    checked = new_project(b.client, "RYW")  # few risks: one page holds them all
    for _ in range(3):
        read_your_write(a.client, b.client, checked)
        read_your_write(b.client, a.client, checked)

    # Content written through one host is read through the other (database blobs).
    doc = new_document(a.client, project)
    content = hashlib.sha256(b"twin").digest() * 4096
    status, _, _ = a.client.request(
        "POST",
        f"/api/v1/documents/{doc}/versions",
        content,
        {"Content-Type": "application/pdf", "X-Filename": "plan.pdf"},
    )
    assert status == 201
    status, _, fetched = b.client.request(
        "GET", f"/api/v1/documents/{doc}/versions/1/content"
    )
    assert (status, fetched) == (200, content)

    proxy = RoundRobin([a.port, b.port])
    acks, stop = Acks(), threading.Event()
    through = Paced(proxy.port)
    threads = [
        threading.Thread(target=writer, args=(through, project, acks, stop))
        for _ in range(WRITERS)
    ]
    try:
        for thread in threads:
            thread.start()
        more_acks(acks, 60)
        a.kill()  # the host is gone mid-load: no cleanup of any kind runs
        killed_at = time.monotonic()
        signed = b.client.ok("GET", "/ledger/head")["tree_size"]
        # The survivor alone took over the read models and the signer it did
        # not hold: its read models pass the position the store had reached
        # when the other host died, its reads see its writes, and heads go on
        # being signed.
        with acks.lock:
            acknowledged = max(acks.writes.values())
        taken_over(b, acknowledged)
        takeover = time.monotonic() - killed_at
        more_acks(acks, 60)
        read_your_write(b.client, b.client, checked)
        _signed_head(b, signed + 60)
        a.start()
        rejoined = proxy.served[a.port]
        more_acks(acks, 30)
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=120)
        proxy.close()

    assert not acks.failures, acks.failures
    assert set(acks.statuses) <= {200, 201, 409, PROXY_GONE}, acks.statuses
    assert proxy.served[a.port] > rejoined, proxy.served  # the restarted host too
    read_your_write(b.client, a.client, checked)

    # Converged: the same positions and the same rows on both hosts.
    ready_a, ready_b = a.wait_caught_up(), b.wait_caught_up()
    assert ready_a["read_models"] == ready_b["read_models"]
    rows = registers(a.client)
    assert rows == registers(b.client)
    assert {row["id"] for row in rows} >= set(acks.risks)

    stored = stored_events(b)
    for key, position in acks.writes.items():
        assert stored.get((UUID(key[0]), key[1])) == position, key
    head = _signed_head(b, len(stored))  # positions may have gaps on PostgreSQL
    assert a.client.ok("GET", "/ledger/head")["tree_size"] >= head["tree_size"]
    keys = {s.client.ok("GET", "/ledger/public-key")["key_id"] for s in (a, b)}
    assert len(keys) == 1  # one ledger key, however many instances
    for server in (a, b):
        verified = server.cli("verify")
        assert verified.returncode == 0, verified.stdout + verified.stderr
    print(
        f"\n{len(acks.writes)} acknowledged writes checked; requests served "
        f"{proxy.served}; statuses {acks.statuses}; signed head {head['tree_size']}; "
        f"read models taken over {takeover:.1f} s after the kill"
    )


def registers(client: Client) -> list[Any]:
    """Every project and every page of its risk register, as one host answers."""
    rows: list[Any] = []
    for project in client.ok("GET", "/projects")["items"]:
        rows.extend([project, *risk_pages(client, project["id"])])
    return rows


def taken_over(server: Server, position: int, timeout: float = 120) -> None:
    """Wait until every read model the server reports has passed `position`."""
    deadline = time.monotonic() + timeout
    while True:
        ready = json.loads(server.client.request("GET", "/readyz")[2])
        models = ready["read_models"]
        if all(ready["position"] - row["lag"] >= position for row in models):
            return
        assert time.monotonic() < deadline, ready
        time.sleep(0.1)


def more_acks(acks: Acks, count: int, timeout: float = 120) -> None:
    """Wait until the writers have had `count` more writes acknowledged."""
    target, deadline = len(acks.writes) + count, time.monotonic() + timeout
    while len(acks.writes) < target:
        assert not acks.failures, acks.failures
        assert time.monotonic() < deadline, acks.statuses
        time.sleep(0.05)


def _signed_head(server: Server, size: int, timeout: float = 60) -> Any:
    """The signed head once it covers `size` events (the elected signer's work)."""
    deadline = time.monotonic() + timeout
    while True:
        head = server.client.ok("GET", "/ledger/head")
        if head["tree_size"] >= size or time.monotonic() > deadline:
            assert head["tree_size"] >= size, head
            return head
        time.sleep(0.2)

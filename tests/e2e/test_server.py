"""The real server (`pmo-ledger serve`, gunicorn) over HTTP on SQLite and PostgreSQL."""

from __future__ import annotations

import hashlib
import http.client
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import BACKENDS, PG_DSN, postgres_schema
from tests.values import risk_values

TOKEN = "e2e-bootstrap-token-0123456789"
BIN = Path(sys.executable).parent / "pmo-ledger"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Client:
    """A tiny HTTP client with the bearer token."""

    def __init__(self, port: int, process: subprocess.Popen[bytes], log: Path) -> None:
        self.port = port
        self.process = process
        self.log = log

    def request(
        self,
        method: str,
        path: str,
        body: Any = None,
        headers: dict[str, str] | None = None,
    ) -> tuple[int, dict[str, str], bytes]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        sent = {"Authorization": f"Bearer {TOKEN}", **(headers or {})}
        if body is not None and not isinstance(body, bytes):
            body = json.dumps(body).encode()
            sent["Content-Type"] = "application/json"
        try:
            conn.request(method, path, body=body, headers=sent)
            response = conn.getresponse()
            return response.status, dict(response.getheaders()), response.read()
        finally:
            conn.close()

    def json(
        self, method: str, path: str, body: Any = None, **headers: str
    ) -> tuple[int, dict[str, str], Any]:
        status, got, data = self.request(method, "/api/v1" + path, body, headers)
        return status, got, json.loads(data) if data else None


@contextmanager
def serving(backend: str, tmp_path: Path, **extra: str) -> Iterator[Client]:
    """`pmo-ledger serve` on a free loopback port, stopped afterwards."""
    with postgres_schema() if backend == "postgres" else nullcontext() as schema:
        port = free_port()
        env = dict(os.environ)
        env.update(
            PMO_LEDGER_PORT=str(port),
            PMO_LEDGER_DATA_DIR=str(tmp_path / "data"),
            PMO_LEDGER_BOOTSTRAP_TOKEN=TOKEN,
            PMO_LEDGER_UPLOAD_LIMIT=str(64 * 1024 * 1024),
            **extra,
        )
        if schema:
            env["PMO_LEDGER_DATABASE_URL"] = f"{PG_DSN}?schema={schema}"
        log = (tmp_path / "server.log").open("wb")
        process = subprocess.Popen([str(BIN), "serve"], env=env, stdout=log, stderr=log)
        try:
            client = Client(port, process, tmp_path / "server.log")
            _wait_ready(client, process, tmp_path / "server.log")
            yield client
        finally:
            if process.poll() is None:
                process.terminate()
            process.wait(timeout=30)
            log.close()


@pytest.fixture(scope="module", params=BACKENDS)
def server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Client]:
    """One server per backend for the module."""
    with serving(request.param, tmp_path_factory.mktemp("server")) as client:
        yield client


def _wait_ready(client: Client, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(log.read_text())
        try:
            if client.request("GET", "/readyz")[0] == 200:
                return
        except OSError:
            pass
        time.sleep(0.1)
    raise AssertionError("server did not become ready:\n" + log.read_text())


def test_whole_project_lifecycle(server: Client) -> None:
    status, headers, project = server.json(
        "POST",
        "/projects",
        {"code": "E2E", "name": "End to end", "sponsor": "S", "manager": "M"},
    )
    assert status == 201 and headers["ETag"] == '"1"'
    pid = project["id"]
    status, _, risk = server.json(
        "POST",
        f"/projects/{pid}/risks",
        risk_values(title="Late", owner="O", probability=2),
    )
    assert status == 201
    rid = risk["id"]
    assert (
        server.json(
            "POST",
            f"/risks/{rid}/assessments",
            {
                "inherent_probability": 4,
                "inherent_impact": 4,
                "residual_probability": 2,
                "residual_impact": 2,
            },
        )[0]
        == 201
    )
    assert server.json("POST", f"/risks/{rid}/close", None)[0] == 200
    status, _, _ = server.json(
        "POST",
        f"/projects/{pid}/status-reports",
        {
            "period_start": "2026-03-01",
            "period_end": "2026-03-31",
            "rag": dict.fromkeys(
                ("time", "cost", "scope", "quality", "benefits", "risk"), "amber"
            ),
            "summary": "ok",
            "tolerance_status": "within",
        },
    )
    assert status == 201
    assert server.json("POST", f"/projects/{pid}/close", {"reason": "done"})[0] == 200
    status, _, got = server.json("GET", f"/projects/{pid}")
    assert (status, got["status"], got["version"]) == (200, "closed", 3)
    status, _, history = server.json("GET", f"/risks/{rid}/history")
    assert [e["type"] for e in history["events"]] == [
        "Risk.Identified",
        "Risk.Assessed",
        "Risk.Closed",
    ]
    assert server.request("GET", "/healthz")[0] == 200
    assert (
        server.request("GET", "/api/v1/projects", headers={"Authorization": ""})[0]
        == 401
    )


def test_twenty_megabyte_upload_downloads_byte_exact(server: Client) -> None:
    pid = server.json(
        "POST",
        "/projects",
        {"code": "DOCS", "name": "Docs", "sponsor": "S", "manager": "M"},
    )[2]["id"]
    did = server.json(
        "POST",
        f"/projects/{pid}/documents",
        {
            "title": "Plan",
            "doc_type": "plan",
            "classification": "internal",
            "retention_class": "project-record",
            "owner": "M",
        },
    )[2]["id"]
    data = os.urandom(20 * 1024 * 1024)
    status, _, raw = server.request(
        "POST",
        f"/api/v1/documents/{did}/versions",
        data,
        {"Content-Type": "application/octet-stream", "X-Filename": "plan.bin"},
    )
    assert status == 201, raw
    assert json.loads(raw)["sha256"] == hashlib.sha256(data).hexdigest()
    status, headers, body = server.request(
        "GET", f"/api/v1/documents/{did}/versions/1/content"
    )
    assert status == 200
    assert body == data
    assert headers["ETag"] == f'"{hashlib.sha256(data).hexdigest()}"'


def test_idempotent_retry_and_conflicting_if_match(server: Client) -> None:
    body = {"code": "IDEM", "name": "n", "sponsor": "s", "manager": "m"}
    first = server.json("POST", "/projects", body, **{"Idempotency-Key": "e2e-1"})
    again = server.json("POST", "/projects", body, **{"Idempotency-Key": "e2e-1"})
    assert first[0] == again[0] == 201
    assert first[2] == again[2]
    other = server.json(
        "POST", "/projects", body | {"name": "x"}, **{"Idempotency-Key": "e2e-1"}
    )
    assert other[0] == 422
    pid = first[2]["id"]
    ok = server.json(
        "POST", f"/projects/{pid}/stage", {"stage": "A"}, **{"If-Match": '"1"'}
    )
    assert ok[0] == 200
    stale = server.json(
        "POST", f"/projects/{pid}/stage", {"stage": "B"}, **{"If-Match": '"1"'}
    )
    assert stale[0] == 412
    assert stale[1]["Content-Type"] == "application/problem+json"
    assert server.json("GET", f"/projects/{pid}")[2]["stage"] == "A"


def _processor_pids(client: Client) -> list[int]:
    """Every processor process the master has started, in order."""
    found = re.findall(rb"processor process with pid: (\d+)", client.log.read_bytes())
    return [int(pid) for pid in found]


def _gone(pid: int, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except FileNotFoundError:
            return True
        if state == "Z":
            return True  # exited, not yet reaped
        time.sleep(0.1)
    return False


def _write_then_read(client: Client, code: str) -> None:
    """Register a project, then list projects as of its position: it is there.

    A read that cannot be answered yet is a 503 with Retry-After, never a stale
    page (a freshly started processor may still be catching up on a loaded
    machine): the client waits as told, as the contract says, and is then
    answered with its write.
    """
    status, _, project = client.json(
        "POST",
        "/projects",
        {"code": code, "name": "Processed", "sponsor": "S", "manager": "M"},
    )
    assert status == 201
    deadline = time.monotonic() + 120
    while True:
        status, headers, page = client.json(
            "GET", f"/projects?min_position={project['position']}"
        )
        if status != 503 or time.monotonic() > deadline:
            break
        assert "Retry-After" in headers, page
        time.sleep(float(headers.get("Retry-After", "1")))
    assert status == 200, page
    assert [p["id"] for p in page["items"]] == [project["id"]]


@pytest.mark.parametrize("backend", BACKENDS)
def test_the_processor_process_is_restarted_and_dies_with_the_master(
    backend: str, tmp_path: Path
) -> None:
    with serving(backend, tmp_path) as client:
        [first] = _processor_pids(client)
        os.kill(first, signal.SIGKILL)
        # Read-your-writes holds: the master starts a new processor process.
        _write_then_read(client, "SUP")
        [_, second] = _processor_pids(client)
        # A master killed outright leaves no processor process behind.
        os.kill(client.process.pid, signal.SIGKILL)
        client.process.wait(timeout=10)
        assert _gone(second, timeout=10)


@pytest.mark.parametrize("backend", ["sqlite"])
def test_a_reload_replaces_the_processor_process(backend: str, tmp_path: Path) -> None:
    with serving(backend, tmp_path) as client:
        [first] = _processor_pids(client)
        os.kill(client.process.pid, signal.SIGHUP)
        assert _gone(first, timeout=20)
        deadline = time.monotonic() + 20
        while len(_processor_pids(client)) < 2:
            assert time.monotonic() < deadline, "no new processor process"
            time.sleep(0.1)
        assert b"exited; restarting" not in client.log.read_bytes()
        _write_then_read(client, "HUP")

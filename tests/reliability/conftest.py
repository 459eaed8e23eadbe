"""The real server (`pmo-ledger serve`) as a subprocess to kill and restart."""

from __future__ import annotations

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import BACKENDS, PG_DSN, postgres_schema

FULL = os.environ.get("PMO_LEDGER_RELIABILITY_FULL") == "1"
"""Run the larger variants (more kills, clients, examples): opt in with =1."""

TOKEN = "reliability-bootstrap-token-0123456789"
BIN = Path(sys.executable).parent / "pmo-ledger"
ROLES = ("pmo-head", "project-officer", "custodian", "contributor", "auditor")

Response = tuple[int, dict[str, str], bytes]


def free_port() -> int:
    """A loopback port nobody listens on just now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Client:
    """One HTTP request per connection, so a killed server never leaves one stale."""

    def __init__(self, port: int, token: str | None = TOKEN) -> None:
        self.port = port
        self.token = token

    def with_token(self, token: str | None) -> Client:
        """The same server, another bearer token (None: no Authorization)."""
        return Client(self.port, token)

    def request(
        self,
        method: str,
        path: str,
        body: Any = None,
        headers: dict[str, str] | None = None,
        timeout: float = 60,
    ) -> Response:
        """Send a request and read the whole answer; OSError if the server is gone."""
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        sent = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        sent.update(headers or {})
        if body is not None and not isinstance(body, bytes):
            body = json.dumps(body).encode()
            sent.setdefault("Content-Type", "application/json")
        try:
            conn.request(method, path, body=body, headers=sent)
            response = conn.getresponse()
            return response.status, dict(response.getheaders()), response.read()
        finally:
            conn.close()

    def json(
        self, method: str, path: str, body: Any = None, **headers: str
    ) -> tuple[int, dict[str, str], Any]:
        """A JSON request under /api/v1, its answer decoded."""
        status, got, data = self.request(method, "/api/v1" + path, body, headers)
        return status, got, json.loads(data) if data else None

    def ok(self, method: str, path: str, body: Any = None, **headers: str) -> Any:
        """A request that must succeed; its decoded body."""
        status, _, data = self.json(method, path, body, **headers)
        assert 200 <= status < 300, (status, data)
        return data


class Server:
    """`pmo-ledger serve` in its own process group, stdout and stderr to one log."""

    def __init__(
        self, backend: str, data_dir: Path, log: Path, url: str | None
    ) -> None:
        self.backend = backend
        self.data_dir = data_dir
        self.log_path = log
        self.port = free_port()
        self.env = dict(os.environ)
        self.env.update(
            PMO_LEDGER_PORT=str(self.port),
            PMO_LEDGER_DATA_DIR=str(data_dir),
            PMO_LEDGER_BOOTSTRAP_TOKEN=TOKEN,
            PMO_LEDGER_UPLOAD_LIMIT=str(64 * 1024 * 1024),
            # These suites send many bad tokens on purpose (every endpoint
            # without and with one); tests/security tests the throttle itself.
            PMO_LEDGER_AUTH_FAILURES_PER_ADDRESS="100000/minute",
            PMO_LEDGER_AUTH_FAILURES_PER_PREFIX="100000/minute",
            # A live event stream a suite opens by accident ends soon.
            PMO_LEDGER_STREAM_MAX_SECONDS="2",
        )
        if url:
            self.env["PMO_LEDGER_DATABASE_URL"] = url
        self.process: subprocess.Popen[bytes] | None = None
        self.client = Client(self.port)
        self.starts = 0

    def start(self, timeout: float = 60) -> None:
        """Start and wait until /readyz answers 200."""
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                [str(BIN), "serve"],
                env=self.env,
                stdout=log,
                stderr=log,
                start_new_session=True,  # its own group: a kill takes every worker
            )
        self.starts += 1
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                self.process = None
                raise AssertionError("server exited:\n" + self.log()[-4000:])
            try:
                if self.client.request("GET", "/readyz", timeout=5)[0] == 200:
                    return
            except OSError:
                pass
            time.sleep(0.05)
        raise AssertionError("server did not become ready:\n" + self.log()[-4000:])

    def kill(self) -> None:
        """SIGKILL the whole process group: no cleanup of any kind runs."""
        assert self.process is not None
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=30)
        self.process = None

    def stop(self) -> None:
        """A graceful stop (SIGTERM to the group), if running."""
        if self.process is None:
            return
        if self.process.poll() is not None:
            self.process = None
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=30)
        self.process = None

    def log(self) -> str:
        """Everything the server printed so far."""
        return self.log_path.read_text(errors="replace")

    def cli(self, *args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
        """Run `pmo-ledger ARGS` against the same store."""
        return subprocess.run(
            [str(BIN), *args],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )

    def wait_caught_up(self, timeout: float = 60) -> dict[str, Any]:
        """Wait until /readyz reports every read model at lag 0; its answer."""
        deadline = time.monotonic() + timeout
        body: dict[str, Any] = {}
        while time.monotonic() < deadline:
            status, _, raw = self.client.request("GET", "/readyz")
            body = json.loads(raw)
            if status == 200 and all(row["lag"] == 0 for row in body["read_models"]):
                return body
            time.sleep(0.1)
        raise AssertionError(f"read models did not catch up: {body}")


def start_server(
    stack: ExitStack,
    backend: str,
    tmp_path: Path,
    data_dir: Path | None = None,
    env: dict[str, str] | None = None,
) -> Server:
    """A running server on the backend; stopped (and its schema dropped) by stack."""
    url = None
    if backend == "postgres":
        url = f"{PG_DSN}?schema={stack.enter_context(postgres_schema())}"
    server = Server(
        backend, data_dir or tmp_path / "data", tmp_path / "server.log", url
    )
    server.env.update(env or {})
    stack.callback(server.stop)
    server.start()
    return server


@pytest.fixture(params=BACKENDS)
def live(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Server]:
    """A fresh server on each backend for one test."""
    with ExitStack() as stack:
        yield start_server(stack, str(request.param), tmp_path)


@pytest.fixture(scope="module", params=BACKENDS)
def shared(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Server]:
    """One server on each backend for a whole module (tests use unique codes)."""
    with ExitStack() as stack:
        yield start_server(stack, str(request.param), tmp_path_factory.mktemp("srv"))


def new_project(client: Client, code: str) -> str:
    """Register a project; its id."""
    body = {"code": code, "name": f"Project {code}", "sponsor": "S", "manager": "M"}
    return str(client.ok("POST", "/projects", body)["id"])


def new_document(client: Client, project: str) -> str:
    """Register a plan document in the project; its id."""
    body = {
        "title": "Plan",
        "doc_type": "plan",
        "classification": "internal",
        "retention_class": "project-record",
        "owner": "M",
    }
    return str(client.ok("POST", f"/projects/{project}/documents", body)["id"])


def risk_pages(client: Client, project: str) -> list[Any]:
    """Every row of the project's risk register, page after page."""
    rows: list[Any] = []
    after = None
    while True:
        query = f"?limit=200&after={after}" if after else "?limit=200"
        page = client.ok("GET", f"/projects/{project}/risks{query}")
        rows.extend(page["items"])
        after = page["next_cursor"]
        if after is None:
            return rows


def risk_body(
    title: str = "Late supplier", reason: str | None = None
) -> dict[str, Any]:
    """A valid new-risk body."""
    body: dict[str, Any] = {
        "title": title,
        "cause": "one supplier",
        "event": "delivery slips",
        "effect": "stage ends late",
        "category": "schedule",
        "kind": "threat",
        "owner": "Olivia",
        "proximity": "within-stage",
        "probability": 3,
        "impact": 4,
    }
    if reason is not None:
        body["reason"] = reason
    return body


def assessment_body(n: int, reason: str | None = None) -> dict[str, Any]:
    """A valid assessment body whose values vary with n."""
    body: dict[str, Any] = {
        "inherent_probability": 1 + n % 5,
        "inherent_impact": 1 + (n // 5) % 5,
        "residual_probability": 1 + n % 3,
        "residual_impact": 1 + n % 2,
    }
    if reason is not None:
        body["reason"] = reason
    return body


def issue_token(client: Client, role: str, name: str | None = None) -> tuple[str, str]:
    """Issue a token with the role over the API; (token id, secret). A project
    role reaches every project and document (a portfolio-wide membership)."""
    data = client.ok("POST", "/tokens", {"name": name or role, "role": role})
    if role in ("project-officer", "custodian", "contributor"):
        subject = f"token:{data['id']}"
        membership = {"subject": subject, "project_id": None, "role": role}
        client.ok("POST", "/access/memberships", membership)
        clearance = {"subject": subject, "clearance": "restricted"}
        client.ok("POST", "/access/clearances", clearance)
    return str(data["id"]), data["secret"]


def raw_post(
    port: int,
    path: str,
    body: bytes,
    headers: dict[str, str],
    *,
    send: int | None = None,
    timeout: float = 30,
) -> tuple[int, dict[str, str], bytes] | None:
    """POST over a bare socket: send only `send` bytes of the body, read an early
    answer, and tolerate the server closing first; None if it answered nothing."""
    sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    try:
        head = f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
        head += "".join(f"{k}: {v}\r\n" for k, v in headers.items()) + "\r\n"
        payload = body if send is None else body[:send]
        try:
            sock.sendall(head.encode("latin-1"))
            for offset in range(0, len(payload), 1 << 20):
                sock.sendall(payload[offset : offset + (1 << 20)])
            if send is not None:
                sock.shutdown(socket.SHUT_WR)  # a truncated body: the client gave up
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server answered (and closed) before reading it all
        response = http.client.HTTPResponse(sock)
        try:
            response.begin()
            return response.status, dict(response.getheaders()), response.read()
        except (http.client.HTTPException, ConnectionResetError, TimeoutError):
            return None
    finally:
        sock.close()

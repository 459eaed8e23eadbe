"""The demo PMO served for the browser tests, a headless Chromium and a watched tab.

`server`, `browser` and `ui` are module-scoped fixtures: a test module imports
them (`from tests.ui.live_demo import server as server`, ...) and gets its own
server with the demo data, so what one module writes no other module sees.
Other browser tests use the constants and helpers (`CHROMIUM`, `launched`,
`wait_until`, `Watched`).
"""

from __future__ import annotations

import json
import os
import subprocess
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from playwright import sync_api as playwright

from service.config import Settings
from service.domain.base import Meta
from service.domain.risk import Risk
from tests.e2e.test_server import BIN, free_port
from usecases.root import build_services

CHROMIUM = Path("/usr/bin/chromium")
LAPTOP = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}
DOCS = Path(
    os.environ.get("PMO_LEDGER_SCREENSHOTS")
    or Path(tempfile.gettempdir()) / "pmo-ledger-ui-screenshots"
).resolve()
TOKEN = "browser-test-bootstrap-token-0123456789"
ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
# Locally a missing browser skips; in CI (.ci/run installs Chromium) it fails.
NEEDS_CHROMIUM = pytest.mark.skipif(
    not CHROMIUM.exists() and not os.environ.get("CI"),
    reason="needs Debian's chromium at /usr/bin/chromium",
)


class Server:
    """The running server: its base URL and a bearer-token JSON client."""

    def __init__(self, port: int) -> None:
        self.base = f"http://127.0.0.1:{port}"
        self.closed: tuple[str, datetime] = ("", datetime.now(UTC))

    def api(self, method: str, path: str) -> Any:
        request = urllib.request.Request(  # noqa: S310 (our own http URL)
            self.base + "/api/v1" + path,
            method=method,
            headers={"Authorization": f"Bearer {TOKEN}"},
        )
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310  # noqa: S310
            return json.loads(response.read() or b"null")

    def post(self, path: str, body: dict[str, Any]) -> Any:
        request = urllib.request.Request(  # noqa: S310 (our own http URL)
            self.base + "/api/v1" + path,
            data=json.dumps(body).encode(),
            headers={
                "Authorization": f"Bearer {TOKEN}",
                "Content-Type": "application/json",
            },
        )
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
            return json.loads(response.read())

    def raw(self, path: str) -> bytes:
        request = urllib.request.Request(  # noqa: S310 (our own http URL)
            self.base + "/api/v1" + path, headers={"Authorization": f"Bearer {TOKEN}"}
        )
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310  # noqa: S310
            return bytes(response.read())

    def all(self, path: str) -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = []
        cursor = ""
        while True:
            page = self.api(
                "GET", f"{path}{'&' if '?' in path else '?'}limit=200{cursor}"
            )
            items += page["items"]
            if not page.get("next_cursor"):
                return items
            cursor = f"&after={page['next_cursor']}"


def wait_until(check: Any, timeout: float = 60) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        try:
            found = check()
            if found:
                return found
        except OSError:  # not listening yet, or 404 before the first head
            pass
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting for the server")
        time.sleep(0.2)


def close_a_risk(env: dict[str, str]) -> tuple[str, datetime]:
    """Close an HQ-MOVE risk over a second after a moment; return its id and it."""
    services = build_services(Settings.from_env(env))
    try:
        app = services.app
        project = app.project_id_for_code("HQ-MOVE")
        risk = next(
            app.load(Risk, event.originator_id)
            for event, _ in app.iter_events_of(Risk.Identified)  # type: ignore[attr-defined]
            if event.project_id == project
        )
        before = datetime.now(UTC).replace(microsecond=0) + timedelta(seconds=1)
        time.sleep(1.5)
        app.perform(
            "close_risk", risk.id, {}, Meta("olivia.officer", "project-officer", "gone")
        )
        return str(risk.id), before
    finally:
        services.close()


def start_processors(env: dict[str, str], log: Any) -> subprocess.Popen[bytes]:
    """`pmo-ledger projections run` beside the server, as in production."""
    for _ in range(15):
        process = subprocess.Popen(
            [str(BIN), "projections", "run"], env=env, stdout=log, stderr=log
        )
        try:
            process.wait(timeout=3)
        except subprocess.TimeoutExpired:
            return process
        # On SQLite the read models and the ledger can collide on their first
        # writes ("database is locked") and the command stops; start it again.
    raise AssertionError("the processors would not start")


def serve_env(data: Path, port: int, token: str | None = None) -> dict[str, str]:
    """The environment for `pmo-ledger` on SQLite in `data`, serving on `port`
    (and bootstrapped with `token`), whatever backend the test run was given."""
    env = dict(os.environ)
    env.update(PMO_LEDGER_PORT=str(port), PMO_LEDGER_DATA_DIR=str(data))
    if token is not None:
        env["PMO_LEDGER_BOOTSTRAP_TOKEN"] = token
    env.pop("PMO_LEDGER_DATABASE_URL", None)
    return env


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """The demo PMO served on a free loopback port, read models and ledger caught up."""
    data = tmp_path_factory.mktemp("browser") / "data"
    port = free_port()
    env = serve_env(data, port, TOKEN)
    subprocess.run([str(BIN), "demo"], env=env, check=True, capture_output=True)
    closed = close_a_risk(env)
    # Build the read models before serving: on SQLite, processors started beside
    # a busy server can stop on "database is locked" (reported to the lead).
    subprocess.run(
        [str(BIN), "projections", "rebuild"], env=env, check=True, capture_output=True
    )
    log = (data.parent / "server.log").open("wb")
    processors = start_processors(env, log)
    process = subprocess.Popen([str(BIN), "serve"], env=env, stdout=log, stderr=log)
    running = Server(port)
    running.closed = closed

    def caught_up() -> bool:
        projects = running.api("GET", "/projects")["items"]
        return len(projects) == 3 and all(
            running.api("GET", f"/projects/{p['id']}/documents")["items"]
            for p in projects
        )

    try:
        wait_until(caught_up)
        yield running
    finally:
        for running_process in (processors, process):
            running_process.terminate()
            running_process.wait(timeout=30)
        log.close()


@contextmanager
def launched() -> Iterator[Any]:
    """A headless Chromium (Debian's), never a downloaded one."""
    with playwright.sync_playwright() as driver:
        chromium = driver.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def browser(server: Server) -> Iterator[Any]:
    """A headless Chromium for the module, once the server is up."""
    with launched() as chromium:
        yield chromium


class Watched:
    """A page that records every request and console error."""

    def __init__(self, page: Any, base: str) -> None:
        self.page = page
        self.base = base
        self.requests: list[str] = []
        self.errors: list[str] = []
        page.on("request", lambda r: self.requests.append(r.url))
        page.on(
            "console",
            lambda m: self.errors.append(m.text) if m.type == "error" else None,
        )
        page.on("pageerror", lambda e: self.errors.append(str(e)))

    def go(self, path: str) -> Any:
        response = self.page.goto(self.base + "/ui" + path)
        assert response.status == 200, path
        return response

    def shot(self, name: str) -> None:
        DOCS.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(DOCS / f"{name}.png"))


@pytest.fixture(scope="module")
def ui(browser: Any, server: Server) -> Iterator[Watched]:
    """One signed-in tab for the module; checked for stray requests at the end."""
    context = browser.new_context(
        viewport={"width": 1280, "height": 800}, accept_downloads=True
    )
    watched = Watched(context.new_page(), server.base)
    watched.go("/login")
    watched.shot("login")
    watched.page.fill("#token", TOKEN)
    watched.page.click("button[type=submit]")
    watched.page.wait_for_url(server.base + "/ui/")
    yield watched
    outside = [u for u in watched.requests if not u.startswith(server.base + "/")]
    assert outside == []
    assert watched.errors == []
    context.close()


def project_id(server: Server, code: str) -> str:
    return next(
        p["id"] for p in server.api("GET", "/projects")["items"] if p["code"] == code
    )

"""The missions' server and people: an empty store served with a token per role.

`live` (the server) and `browser` are module-scoped fixtures: a test module
imports them (`from tests.ui.missions import live as live`, ...) and gets its
own server. A `Person` is a role signed in through the login form in a
browser context of its own, filling and submitting forms as a person would.
"""

from __future__ import annotations

import json
import subprocess
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest

from service.config import Settings
from service.domain.base import ROLES, Meta
from tests.e2e.test_server import BIN, free_port
from tests.ui.live_demo import launched, serve_env, wait_until
from usecases.membership import grant_existing_tokens
from usecases.root import build_services


class Live:
    """The running server, a token per role, and a JSON client for checks."""

    def __init__(self, port: int, tokens: dict[str, str]) -> None:
        self.base = f"http://127.0.0.1:{port}"
        self.tokens = tokens

    def api(self, path: str, body: Any = None, role: str = "pmo-head") -> Any:
        request = urllib.request.Request(  # noqa: S310 (our own http URL)
            self.base + "/api/v1" + path,
            data=None if body is None else json.dumps(body).encode(),
            method="GET" if body is None else "POST",
            headers={
                "Authorization": f"Bearer {self.tokens[role]}",
                "Content-Type": "application/json",
            },
        )
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
            return json.loads(response.read() or b"null")

    def project(self, code: str) -> str:
        """A project registered through the API, once the UI's read models have
        it (a page opened sooner could miss it on a loaded machine); its id."""
        body = {"code": code, "name": code, "sponsor": "S", "manager": "M"}
        written = self.api("/projects", body)
        self.api(f"/projects?min_position={written['position']}")
        return str(written["id"])

    def rows(self, path: str) -> list[dict[str, Any]]:
        """A list's items (the UI waited for its writes to be read)."""
        return list(self.api(path)["items"])


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    """`pmo-ledger serve` on an empty store with an active token for every role."""
    data = tmp_path_factory.mktemp("missions") / "data"
    port = free_port()
    env = serve_env(data, port)
    services = build_services(Settings.from_env(env))
    try:
        meta = Meta("setup", "pmo-head")
        tokens = {
            role: services.app.issue_token(f"{role}-user", role, meta).secret
            for role in ROLES
        }
        grant_existing_tokens(services, meta)
    finally:
        services.close()
    running = Live(port, tokens)
    with (data.parent / "server.log").open("wb") as log:
        process = subprocess.Popen([str(BIN), "serve"], env=env, stdout=log, stderr=log)
        try:
            wait_until(lambda: running.api("/projects") is not None)
            yield running
        finally:
            process.terminate()
            process.wait(timeout=30)


@pytest.fixture(scope="module")
def browser(live: Live) -> Iterator[Any]:
    """One headless Chromium for every role's context (after the server is up)."""
    with launched() as chromium:
        yield chromium


class Person:
    """A role signed in through the login form, in a browser context of its own."""

    def __init__(self, browser: Any, live: Live, role: str, width: int = 1280) -> None:
        self.live = live
        self.context = browser.new_context(
            viewport={"width": width, "height": 900}, accept_downloads=True
        )
        self.page = self.context.new_page()
        self.errors: list[str] = []
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.go("/login")
        self.page.fill("#token", live.tokens[role])
        self.page.click("button[type=submit]")
        self.page.wait_for_url(live.base + "/ui/")

    def go(self, path: str) -> None:
        response = self.page.goto(self.live.base + "/ui" + path)
        assert response.status == 200, path

    def open(self, form: str) -> Any:
        """A form's details, unfolded."""
        details = self.page.locator(f"#form-{form}")
        if details.get_attribute("open") is None:
            details.locator("summary").click()
        return details

    def submit(self, form: str, values: dict[str, Any], button: str = "") -> None:
        """Open a form's details, fill each field by its id, and submit it."""
        details = self.open(form)
        for field, value in values.items():
            element = self.page.locator(f"#{field}")
            if element.evaluate("e => e.tagName") == "SELECT":
                element.select_option(str(value))
            else:
                element.fill(str(value))
        with self.page.expect_navigation():
            details.locator(f"button[type=submit]{button}").first.click()

    def command(self, use_case: str, values: dict[str, Any]) -> None:
        """Submit a register command's form (fields named `use_case-field`)."""
        self.submit(use_case, {f"{use_case}-{k}": v for k, v in values.items()})

    def close(self) -> None:
        assert self.errors == []
        self.context.close()


def upload(person: Person, form: str, field: str, name: str, body: bytes) -> None:
    """Choose a file in a form's file input and send the form."""
    person.open(form)
    person.page.set_input_files(
        f"#{field}", {"name": name, "mimeType": "text/plain", "buffer": body}
    )
    button = f"#form-{form} button[type=submit]"
    if form != "upload":
        with person.page.expect_navigation():
            person.page.click(button)
        return
    # A version goes by script with a progress bar; the answer replaces the page.
    with person.page.expect_request(
        lambda r: r.method == "POST" and r.resource_type == "xhr"
    ):
        person.page.click(button)
    person.page.wait_for_selector("progress", state="detached")
    person.page.wait_for_load_state()


def register_document(person: Person, project: str) -> str:
    """A document registered from the project's documents page; its id."""
    person.go(f"/projects/{project}/documents")
    person.submit(
        "document",
        {"document-title": "Plan", "document-type": "plan",
         "document-classification": "internal",
         "document-retention": "working-paper", "document-owner": "Cara"},
    )  # fmt: skip
    return entry_id(person)


def entry_id(person: Person) -> str:
    """The entry the page shows (after a create redirects to it)."""
    return str(person.page.url.rstrip("/").rsplit("/", 1)[1])

"""Records management in headless Chromium: worklist -> review -> certificate.

Two people in two browser contexts against `pmo-ledger serve`: the PMO head
proposes due records from the worklist and records the review; a custodian,
the second person, approves and executes, and sees the certificate verified.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe

from service.config import Settings
from service.domain.base import Meta
from tests.e2e.test_server import BIN, free_port
from tests.records.conftest import (
    CARA,
    HEAD,
    PLAN,
    new_project,
    new_record,
    schedule_due_at_once,
)
from tests.ui.live_demo import (
    NEEDS_CHROMIUM,
    TOKEN,
    Watched,
    launched,
    serve_env,
    wait_until,
)
from usecases import fileplan
from usecases.membership import grant_existing_tokens
from usecases.root import build_services, ensure_bootstrap_token

pytestmark = NEEDS_CHROMIUM


class Site:
    """The served store: its base URL, the custodian's token, the records due."""

    def __init__(self, base: str, custodian: str, due: list[str]) -> None:
        self.base, self.custodian, self.due = base, custodian, due
        self.review = ""  # the executed review's page, once the flow made one


def prepare(env: dict[str, str]) -> tuple[str, list[str]]:
    """A store whose schedule makes two briefs due now; a custodian's token."""
    services = build_services(Settings.from_env(env))
    try:
        ensure_bootstrap_token(services)  # the PMO head's, as serve would
        app = services.app
        app.change_retention_schedule(schedule_due_at_once(), [], HEAD)
        for command in PLAN:
            fileplan.add_class(services, command, CARA)
        project = new_project(app, "ARCHIVE")
        due = [str(new_record(app, project, f"{n} brief")) for n in ("Old", "Stale")]
        new_record(app, project, "Fresh memo", "memo", "working-paper")
        meta = Meta("setup", "pmo-head")
        secret = app.issue_token("carl.custodian", "custodian", meta).secret
        grant_existing_tokens(services, meta)
        return secret, due
    finally:
        services.close()


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """`pmo-ledger serve` over the prepared store on a free loopback port."""
    data = tmp_path_factory.mktemp("records-browser") / "data"
    port = free_port()
    env = serve_env(data, port, TOKEN)
    data.mkdir(parents=True)
    secret, due = prepare(env)
    log = (data.parent / "server.log").open("wb")
    process = subprocess.Popen([str(BIN), "serve"], env=env, stdout=log, stderr=log)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until(lambda: _ready(base))
        yield Site(base, secret, due)
    finally:
        process.terminate()
        process.wait(timeout=30)
        log.close()


def _ready(base: str) -> bool:
    import urllib.request

    with urllib.request.urlopen(base + "/readyz", timeout=5) as response:  # noqa: S310
        return bool(response.status == 200)


def signed_in(browser: Any, site: Site, token: str) -> Watched:
    """A tab of a fresh context, signed in with a token."""
    context = browser.new_context(
        viewport={"width": 1280, "height": 800}, accept_downloads=True
    )
    tab = Watched(context.new_page(), site.base)
    tab.go("/login")
    tab.page.fill("#token", token)
    tab.page.click("button[type=submit]")
    tab.page.wait_for_url(site.base + "/ui/")
    return tab


@pytest.fixture(scope="module")
def browser(site: Site) -> Iterator[Any]:
    """A headless Chromium (Debian's), never a downloaded one."""
    with launched() as chromium:
        yield chromium


def test_worklist_review_and_certificate_in_chromium(
    browser: Any, site: Site, tmp_path: Path
) -> None:
    head = signed_in(browser, site, TOKEN)
    head.go("/records")
    assert head.page.locator('#plan-tree li[data-code="GOV.BRIEF"]').count() == 1
    head.go("/records/disposition")
    head.page.select_option("#w-class", "GOV")
    head.page.click("form.filters button[type=submit]")
    head.page.wait_for_url("**record_class=GOV**")
    rows = head.page.locator("#worklist tbody tr[data-id]")
    assert sorted(rows.nth(i).get_attribute("data-id") for i in range(2)) == sorted(
        site.due
    )
    for document_id in site.due:
        head.page.check(f'#worklist tr[data-id="{document_id}"] input')
    head.page.fill("#p-note", "briefs past their date")
    head.page.click("#propose button[type=submit]")
    head.page.wait_for_selector("#steps[data-status=proposed]")
    review_url = head.page.url
    head.page.fill("#s-reason", "both past due, no holds")
    head.page.click("#next-step button[type=submit]")
    head.page.wait_for_selector("#steps[data-status=reviewed]")
    head.page.click("#next-step button[type=submit]")  # the same person
    assert "second person" in head.page.inner_text("p.error")
    custodian = signed_in(browser, site, site.custodian)
    custodian.page.goto(review_url)
    custodian.page.click("#next-step button[type=submit]")
    custodian.page.wait_for_selector("#steps[data-status=approved]")
    custodian.page.click("#next-step button[type=submit]")
    custodian.page.wait_for_selector("#verdict[data-ok=yes]")
    shown = custodian.page.inner_text("#certificate-sha256")
    with custodian.page.expect_download() as info:
        custodian.page.click("#certificate a[download]")
    saved = tmp_path / "certificate.json"
    info.value.save_as(saved)
    body = saved.read_bytes()
    assert hashlib.sha256(body).hexdigest() == shown
    certificate = json.loads(body)
    assert certificate["approved"]["by"] == "carl.custodian"
    assert sorted(r["document_id"] for r in certificate["records"]) == sorted(site.due)
    custodian.go("/records/disposition")
    assert custodian.page.locator("#worklist tbody tr[data-id]").count() == 0
    # The one refusal the head met is the only error either tab logged.
    assert [e for e in head.errors if "409" not in e] == []
    assert len(head.errors) == 1 and custodian.errors == []
    for tab in (head, custodian):
        assert all(u.startswith(site.base + "/") for u in tab.requests)
    site.review = review_url.rsplit("/ui", 1)[1]


@pytest.mark.parametrize("width", [390, 1366])
def test_records_pages_fit_the_screen_and_pass_axe(
    browser: Any, site: Site, width: int
) -> None:
    tab = signed_in(browser, site, TOKEN)
    tab.page.set_viewport_size({"width": width, "height": 900})
    paths = ["/records", "/records/disposition", "/records/holds", "/records/reports"]
    failures, wide = {}, {}
    for path in [*paths, *([site.review] if site.review else [])]:
        tab.go(path)
        measured = tab.page.evaluate(
            "[document.documentElement.scrollWidth, window.innerWidth]"
        )
        if measured[0] > measured[1]:
            wide[path] = measured
        found = Axe().run(tab.page).response["violations"]
        if found:
            failures[path] = sorted(f"{v['id']}: {v['help']}" for v in found)
    assert (wide, failures) == ({}, {})

"""The UI in a real headless Chromium against `pmo-ledger serve` with the demo data.

SQLite only: the pages are the same on PostgreSQL (the Flask-client tests in
test_pages.py run on both backends); this checks what a person sees, reading
the demo as it was loaded (the forms that write are test_browser_forms.py's,
on a server of their own). Each page's screenshot is taken; it is written to
docs/ui/ only when PMO_LEDGER_SCREENSHOTS=docs/ui is set (`make screenshots`),
so a test run leaves the working tree as it was.
"""

from __future__ import annotations

import hashlib
import re
from typing import Any

from axe_playwright_python.sync_playwright import Axe
from flask import Flask

from api import paths
from api.ui import blueprint
from service.domain.catalogue import portfolio_kinds, project_kinds
from tests.ui.live_demo import (
    DOCS,
    LAPTOP,
    NEEDS_CHROMIUM,
    PHONE,
    TOKEN,
    Server,
    Watched,
    project_id,
    wait_until,
)

# The demo server, browser and signed-in tab, one each for this module.
from tests.ui.live_demo import browser as browser
from tests.ui.live_demo import server as server
from tests.ui.live_demo import ui as ui

pytestmark = NEEDS_CHROMIUM


def test_dashboard_shows_every_project_with_rag_in_words(ui: Watched) -> None:
    ui.go("/")
    rows = ui.page.locator("table.dashboard tbody tr")
    assert rows.count() == 3
    assert {rows.nth(i).get_attribute("data-code") for i in range(3)} == {
        "ERP",
        "HQ-MOVE",
        "PORTAL",
    }
    words = ui.page.locator(".rag").all_inner_texts()
    assert words and set(words) <= {"Red", "Amber", "Green", "not rated"}
    ui.shot("dashboard")


def test_heat_map_counts_equal_the_api_register(ui: Watched, server: Server) -> None:
    pid = project_id(server, "ERP")
    risks = server.all(f"/projects/{pid}/risks?status=open")
    ui.go(f"/projects/{pid}")
    for side in ("inherent", "residual"):
        figure = ui.page.locator(f"#heat-{side}")
        for p in range(1, 6):
            for i in range(1, 6):
                expected = sum(
                    1
                    for r in risks
                    if (r[f"{side}_probability"], r[f"{side}_impact"]) == (p, i)
                )
                cell = figure.locator(f'a[data-cell="{p}-{i}"]')
                assert cell.get_attribute("data-count") == str(expected), (side, p, i)
    ui.shot("project")
    busiest = max(
        ui.page.locator("#heat-residual a").all(),
        key=lambda a: int(a.get_attribute("data-count")),
    )
    count = int(busiest.get_attribute("data-count"))
    busiest.click()
    ui.page.wait_for_selector("#register")
    assert ui.page.locator("#register tbody tr[data-id]").count() == count


def test_as_at_shows_the_register_as_it_stood(ui: Watched, server: Server) -> None:
    pid = project_id(server, "HQ-MOVE")
    risk_id, before = server.closed
    row = f'#register tr[data-id="{risk_id}"]'
    ui.go(f"/projects/{pid}/risks")
    assert ui.page.get_attribute(row, "data-status") == "closed"
    ui.page.fill("#as_of", before.strftime("%Y-%m-%dT%H:%M:%S"))
    ui.page.click("form.filters button[type=submit]")
    ui.page.wait_for_url("**as_of=**")
    assert "as it stood" in ui.page.inner_text("#register-state")
    assert ui.page.get_attribute(row, "data-status") == "open"
    ui.shot("register-as-at")
    ui.page.click(f"{row} td a")
    ui.page.wait_for_selector("#history")
    assert "Closed" in ui.page.inner_text("#history")
    ui.shot("entry-history")


def test_audit_filters_by_project_actor_and_type(ui: Watched, server: Server) -> None:
    ui.go("/audit")
    ui.shot("audit")
    ui.page.select_option("#a-project", label="PORTAL")
    ui.page.fill("#a-actor", "carl.custodian")
    ui.page.fill("#a-type", "Document")
    ui.page.click("form.filters button[type=submit]")
    ui.page.wait_for_url("**actor=carl.custodian**")
    rows = ui.page.locator("#audit tbody tr[data-position]")
    assert rows.count() > 0
    for i in range(rows.count()):
        assert rows.nth(i).get_attribute("data-actor") == "carl.custodian"
        assert rows.nth(i).get_attribute("data-type") == "Document"
    position = rows.first.get_attribute("data-position")
    url = f"{server.base}/ui/ledger/proofs/inclusion?position={position}"
    proof = wait_until(lambda: (found := ui.page.request.get(url)).ok and found.json())
    assert proof["position"] == int(position) and proof["path"]


def test_document_download_and_diff(ui: Watched, server: Server) -> None:
    pid = project_id(server, "ERP")
    ui.go(f"/projects/{pid}/documents")
    ui.shot("documents")
    ui.page.locator("#documents tbody a").first.click()
    ui.page.wait_for_selector("#versions")
    ui.shot("document")
    document_id = ui.page.url.rsplit("/", 1)[1]
    versions = server.api("GET", f"/documents/{document_id}")["versions"]
    hash_cell = ui.page.locator("#versions code.hash").first
    assert hash_cell.inner_text() == versions[0]["sha256"]  # whole, to copy
    assert ui.page.locator("#versions button.copy").count() == len(versions)
    link = ui.page.locator("text=Download v1")
    assert link.get_attribute("download") is not None
    fetched = ui.page.request.get(server.base + link.get_attribute("href"))
    assert fetched.ok and "attachment" in fetched.headers["content-disposition"]
    expected = server.raw(f"/documents/{document_id}/versions/1/content")
    assert fetched.body() == expected
    ui.page.select_option("#from", "1")
    ui.page.select_option("#to", "2")
    ui.page.click("form[aria-label='Compare versions'] button")
    ui.page.wait_for_selector("#side-by-side")
    changed = ui.page.locator("#side-by-side tr[data-kind=changed]").first
    cells = changed.locator("td").all_inner_texts()
    assert cells[0] == cells[2] and cells[0].isdigit()  # the same line number
    assert "version 1" in cells[1] and "version 2" in cells[3]
    ui.page.click("text=The same as a unified diff")
    assert "+version 2" in ui.page.locator("#diff ins").first.inner_text()
    assert "-version 1" in ui.page.locator("#diff del").first.inner_text()
    ui.shot("diff")


def test_integrity_highlight_and_evidence(ui: Watched, server: Server) -> None:
    ui.go("/integrity")
    wait_until(lambda: ui.page.reload() and ui.page.locator("#head").count(), 60)
    ui.shot("integrity")
    pid = ui.page.locator("#ev-project").input_value()
    pack = ui.page.request.get(f"{server.base}/ui/evidence?project={pid}")
    assert pack.ok and pack.body()[:2] == b"PK"
    assert "evidence-" in pack.headers["content-disposition"]
    ui.go(f"/projects/{project_id(server, 'PORTAL')}/highlight")
    assert ui.page.locator("article.report h2").count() >= 8
    ui.shot("highlight-report")


def test_value_pictures_draw_what_the_api_answers(ui: Watched, server: Server) -> None:
    pid = project_id(server, "HQ-MOVE")
    figures = server.api("GET", f"/projects/{pid}/benefits/figures")
    ui.go(f"/projects/{pid}/value")
    for benefit in figures["benefits"]:
        chart = ui.page.locator(f'svg[data-benefit="{benefit["id"]}"]')
        assert chart.is_visible()
        assert chart.locator("circle.point").count() == len(benefit["measurements"])
        assert chart.locator("polyline.plan").count() == 1
    finance = server.api("GET", f"/projects/{pid}/finance")
    rows = ui.page.locator("#budget-lines tbody tr[data-id]")
    assert rows.count() == len(finance["lines"])
    ui.shot("value")
    picture = server.api("GET", "/portfolio/resources")
    ui.go("/resources")
    cells = ui.page.locator("#allocation svg g[data-month]")
    assert cells.count() == len(picture["roles"]) * len(picture["months"])
    over = sum(m["over_allocated"] for r in picture["roles"] for m in r["months"])
    assert over > 0
    assert ui.page.locator('#allocation g[data-over="true"]').count() == over
    red = ui.page.locator('#allocation g[data-over="true"] rect').first
    assert red.evaluate("e => getComputedStyle(e).fill") == "rgb(214, 69, 69)"
    benefits = server.api("GET", "/portfolio/benefits")["projects"]
    judged = [b for p in benefits for b in p["benefits"] if b["status"] != "withdrawn"]
    bars = ui.page.locator("#portfolio-progress svg g[data-benefit]")
    assert bars.count() == len(judged) > 0
    ui.shot("resources")
    ui.go(f"/projects/{pid}/highlight")
    suggested = ui.page.locator('td[data-suggested="cost"]').inner_text()
    assert finance["suggested_rag"]["colour"].capitalize() in suggested


def test_library_lists_templates_and_issued_reports(
    ui: Watched, server: Server, browser: Any
) -> None:
    found = server.api("GET", "/library")
    ui.go("/library")
    for kind in found["kinds"]:
        rows = ui.page.locator(f"#library-{kind} tbody tr[data-id]")
        assert rows.count() == len(found["documents"][kind])
    assert len(found["documents"]["template"]) == 4
    reports = ui.page.locator("#library-reports tbody tr[data-id]")
    assert reports.count() == len(found["reports"]) == 15
    assert ui.page.locator("#form-start").count() == 1  # the PMO head may start one
    ui.shot("library")
    report = next(r for r in found["reports"] if r["report_type"] == "highlight")
    html = server.raw(f"/reports/{report['id']}/issues/1/html")
    assert hashlib.sha256(html).hexdigest() == report["issues"][0]["html_sha256"]
    context = browser.new_context(viewport={"width": 1000, "height": 1300})
    page = context.new_page()
    page.set_content(html.decode())
    assert "Highlight report" in page.inner_text("body")
    DOCS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(DOCS / "issued-report.png"))
    context.close()


def test_portfolio_pictures_draw_the_portfolio_view(
    ui: Watched, server: Server
) -> None:
    view = server.api("GET", "/portfolio?top_risks=8")
    ui.go("/portfolio")
    cells = ui.page.locator("#rag svg a[data-cell]")
    assert cells.count() == 6 * len(view["projects"]) == 18
    for project in view["projects"]:
        for name, colour in project["suggested_rag"].items():
            cell = ui.page.locator(f'#rag a[data-cell="{project["code"]}-{name}"]')
            assert cell.get_attribute("data-suggested") == (colour or "grey")
    bars = ui.page.locator("#top-risks a[data-key]")
    assert [bars.nth(i).get_attribute("data-key") for i in range(bars.count())] == [
        r["id"] for r in view["top_risks"]
    ]
    slipping = ui.page.locator("#slipping a[data-key]")
    assert slipping.count() == len(view["milestones_slipping"])
    ui.shot("portfolio")
    bars.first.click()
    ui.page.wait_for_url(f"{server.base}/ui/risks/{view['top_risks'][0]['id']}")


NOT_PAGES = {
    "static": "an asset",
    "ui.static": "an asset",
    "ui.projects": "a redirect to the dashboard",
    "ui.sso_login": "a redirect to the identity provider",
    "ui.sso_callback": "the identity provider's way back",
    "ui.download": "a version's bytes (test_document_download_and_diff)",
    "ui.evidence": "a zip (test_integrity_highlight_and_evidence)",
    "ui.inclusion_proof": "JSON (test_audit_filters_by_project_actor_and_type)",
    "ui.export_audit": "a CSV or NDJSON download",
    "ui.export_register": "a CSV or XLSX download",
    "ui.export_portfolio_register": "a CSV or XLSX download",
    "ui.export_records_report": "a CSV or XLSX download",
    "ui.review_file": "a certificate or package download",
    "ui.review": "needs a disposition review: test_records_browser checks it",
}
"""The UI's GET routes that are not pages a person reads, and where they are checked."""


def every_page(server: Server) -> list[str]:
    """A path of every UI page, with the demo's ids: every register's list and entry."""
    pid = project_id(server, "ERP")
    projects = [p["id"] for p in server.api("GET", "/projects")["items"]]
    paths = ["/login", "/", "/audit", "/integrity", "/privacy", "/access", "/tokens"]
    paths += ["/subscriptions", "/lessons", "/actions/overdue", "/library"]
    paths += ["/portfolio", "/resources", f"/projects/{pid}"]
    paths += ["/records", "/records/disposition", "/records/holds", "/records/reports"]
    for page in ("highlight", "documents", "value", "control"):
        paths.append(f"/projects/{pid}/{page}")
    for kind in project_kinds():
        paths.append(f"/projects/{pid}/{kind.name}")
        entry = next(
            (
                found[0]
                for project in projects
                if (
                    found := server.api(
                        "GET", f"/projects/{project}/{kind.name}?limit=1"
                    )["items"]
                )
            ),
            None,
        )
        assert entry is not None, f"the demo has no {kind.name} entry to show"
        paths.append(f"/{kind.name}/{entry['id']}")
    for kind in portfolio_kinds():
        paths.append(f"/{kind.name}")
        items = server.api("GET", f"/{kind.name}?limit=1")["items"]
        assert items, f"the demo has no {kind.name} entry to show"
        paths.append(f"/{kind.name}/{items[0]['id']}")
    paths.append("/quality-policy")
    document = server.api("GET", f"/projects/{pid}/documents")["items"][0]
    paths.append(f"/documents/{document['id']}")
    paths.append(f"/documents/{document['id']}/diff?from=1&to=2")
    paths.append(f"/documents/{document['id']}/versions/1/nominate")
    terms = server.api("GET", "/library")["documents"]["terms-of-reference"][0]
    paths.append(f"/documents/{terms['id']}")
    return paths


def test_every_ui_page_is_in_every_page(server: Server) -> None:
    """A new page is checked in the browser, or said here why it is not a page."""
    app = Flask(__name__)
    paths.init_app(app)
    app.register_blueprint(blueprint)
    routes = app.url_map.bind("localhost")
    shown = {routes.match(path.split("?")[0])[0] for path in every_page(server)}
    pages = {r.endpoint for r in app.url_map.iter_rules() if "GET" in (r.methods or ())}
    assert pages - shown == set(NOT_PAGES)
    assert shown & set(NOT_PAGES) == set()


def test_every_page_fits_both_screens_and_passes_axe(
    browser: Any, server: Server
) -> None:
    """No page is wider than a phone (390 px) or a laptop (1366 px); axe finds nothing.

    One tab walks every page once: at 1366 px it is measured, checked by axe and
    photographed, then narrowed to 390 px, measured and photographed again.
    """
    axe = Axe()
    context = browser.new_context(viewport=LAPTOP)
    page = context.new_page()
    wide: dict[str, list[int]] = {}
    failures: dict[str, list[str]] = {}
    DOCS.mkdir(parents=True, exist_ok=True)
    for path in every_page(server):
        if path != "/login" and "/ui/login" in page.url:
            page.fill("#token", TOKEN)
            page.click("button[type=submit]")
            page.wait_for_url(server.base + "/ui/")
        page.set_viewport_size(LAPTOP)
        response = page.goto(server.base + "/ui" + path)
        assert response.status == 200, path
        found = axe.run(page).response["violations"]
        if found:
            failures[path] = sorted(
                f"{v['id']}: {v['help']} (first at {v['nodes'][0]['target']})"
                for v in found
            )
        named = re.sub(r"[0-9a-f-]{36}", "id", path.strip("/")).replace("/", "-")
        named = re.sub(r"[?&=]", "-", named) or "dashboard"
        for size in (LAPTOP, PHONE):
            page.set_viewport_size(size)
            measured = page.evaluate(
                "[document.documentElement.scrollWidth, window.innerWidth]"
            )
            if measured[0] > measured[1]:
                wide[f"{path} at {size['width']}"] = measured
            page.screenshot(path=str(DOCS / f"w{size['width']}-{named}.png"))
    context.close()
    assert (wide, failures) == ({}, {})


def test_sign_out_ends_the_session(ui: Watched, server: Server) -> None:
    ui.go("/")
    ui.page.click("text=Sign out")
    ui.page.wait_for_url(server.base + "/ui/login")
    ui.page.goto(server.base + "/ui/audit")
    assert ui.page.url.startswith(server.base + "/ui/login")

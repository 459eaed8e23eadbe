"""Each role's whole mission from the browser, against `pmo-ledger serve`.

One server (an empty SQLite store with a token per role) and one headless
Chromium for the module; each role signs in in a context of its own. Every
step is done through the pages' forms, the way a person would, and checked
against the JSON API afterwards. A role without a right never sees the form
and is refused (403) if it posts anyway. The last test registers a project
with the keyboard alone.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from axe_playwright_python.sync_playwright import Axe

from tests.cli.test_import import BAD_RISKS, CHANGES, RISKS
from tests.ui.live_demo import NEEDS_CHROMIUM
from tests.ui.missions import Live, Person, entry_id, register_document, upload

# The missions' server and browser, one each for this module.
from tests.ui.missions import browser as browser
from tests.ui.missions import live as live
from tests.values import risk_values

pytestmark = NEEDS_CHROMIUM


def test_the_pmo_head_registers_reports_and_imports(browser: Any, live: Live) -> None:
    head = Person(browser, live, "pmo-head")
    head.submit(
        "project",
        {
            "project-code": "MISSION",
            "project-name": "Mission <one>",
            "project-sponsor": "Sam",
            "project-manager": "Max",
            "project-reason": "portfolio board",
        },
    )
    assert "Registered the project." in head.page.inner_text(".flash")
    project = entry_id(head)
    found = live.api(f"/projects/{project}")
    assert (found["code"], found["name"]) == ("MISSION", "Mission <one>")

    today = datetime.now(UTC).date()
    head.go(f"/projects/{project}/highlight")
    values = {
        "sr-period_start": (today - timedelta(30)).isoformat(),
        "sr-period_end": (today - timedelta(1)).isoformat(),
        "sr-summary": "On track",
        "sr-tolerance_status": "within",
    }
    for dimension in ("time", "cost", "scope", "quality", "benefits", "risk"):
        values[f"sr-rag-{dimension}"] = "amber" if dimension == "cost" else "green"
    head.submit("report-status", values)
    reported = live.api(f"/projects/{project}")["last_report"]
    assert reported["rag"]["cost"] == "amber"

    head.go(f"/projects/{project}/risks")
    for body, name in ((BAD_RISKS, "bad.csv"), (RISKS, "good.csv")):
        upload(head, "import", "import-file", name, body.encode())
        if name == "bad.csv":
            refused = head.page.inner_text("#import-errors")
            assert "line 3: probability" in refused and "line 5: missing" in refused
            assert head.page.locator("#import-ready").count() == 0
    assert "2 entries" in head.page.inner_text("#import-ready")
    with head.page.expect_navigation():
        head.page.click("form[aria-label='Confirm the import'] button")
    assert "Imported 2 entries" in head.page.inner_text(".flash")
    titles = {r["title"] for r in live.rows(f"/projects/{project}/risks")}
    assert titles == {"Late supplier", "Budget cut"}

    head.go(f"/projects/{project}/changes")
    upload(head, "import", "import-file", "changes.csv", CHANGES.encode())
    assert "2 entries (8 events)" in head.page.inner_text("#import-ready")
    with head.page.expect_navigation():
        head.page.click("form[aria-label='Confirm the import'] button")
    assert "Imported 2 entries" in head.page.inner_text(".flash")
    changes = live.rows(f"/projects/{project}/changes")
    assert {r["title"]: r["status"] for r in changes} == {
        "Extra site": "approved",
        "SSO": "closed",
    }
    head.close()


def test_the_project_officer_walks_the_registers(browser: Any, live: Live) -> None:
    project = live.project("OFFICER")
    officer = Person(browser, live, "project-officer")
    officer.go(f"/projects/{project}/risks")
    officer.command("identify_risk", risk_values(title="Crane <fails>"))
    risk = entry_id(officer)
    officer.command(
        "assess_risk",
        {
            "inherent_probability": 4,
            "inherent_impact": 5,
            "residual_probability": 2,
            "residual_impact": 3,
        },
    )
    found = live.api(f"/risks/{risk}")
    assert (
        found["title"],
        found["residual_probability"],
        found["residual_impact"],
    ) == (
        "Crane <fails>",
        2,
        3,
    )

    officer.go(f"/projects/{project}/issues")
    officer.command(
        "raise_issue",
        {"issue_type": "problem-concern", "title": "Hot server room",
         "description": "cooling", "priority": "high", "severity": "major"},
    )  # fmt: skip
    issue = entry_id(officer)
    officer.command(
        "examine_issue",
        {"impact_analysis": "two days", "options": "fix", "recommendation": "fix"},
    )
    officer.command("resolve_issue", {"resolution": "fixed cooling"})
    assert live.api(f"/issues/{issue}")["status"] == "resolved"

    officer.go(f"/projects/{project}/changes")
    officer.command(
        "raise_change",
        {"title": "Bigger room", "description": "d", "justification": "heat"},
    )
    change = entry_id(officer)
    officer.command("assess_change", {"cost_impact": "1200.50", "time_impact_days": 3})
    officer.command(
        "decide_change",
        {"decision": "approve", "authority": "board", "rationale": "cheap"},
    )
    decided = live.api(f"/changes/{change}")
    assert (decided["status"], decided["impact"]["cost_impact"]) == (
        "approved",
        "1200.50",
    )

    officer.go(f"/projects/{project}/decisions")
    officer.command(
        "record_decision",
        {"title": "Move servers", "context": "heat", "outcome": "move",
         "rationale": "safer", "decided_by": "Board", "decided_on": "2026-11-30"},
    )  # fmt: skip
    decision = live.api(f"/decisions/{entry_id(officer)}")
    assert (decision["title"], decision["decided_on"]) == ("Move servers", "2026-11-30")
    officer.close()


def test_custody_from_registration_to_a_hold(browser: Any, live: Live) -> None:
    project = live.project("CUSTODY")
    custodian = Person(browser, live, "custodian")
    document = register_document(custodian, project)

    contributor = Person(browser, live, "contributor")
    contributor.go(f"/documents/{document}")
    assert contributor.page.locator("#form-hold").count() == 0
    contributor.open("upload")
    contributor.page.fill("#up-comment", "first draft")
    body = b"The plan\nsecond line\n"
    upload(contributor, "upload", "up-file", "plan.txt", body)
    assert "Recorded: uploaded the version." in contributor.page.inner_text(".flash")
    contributor.close()

    custodian.go(f"/documents/{document}")
    custodian.submit("version-1", {}, button=":has-text('Send for review v1')")
    custodian.submit(
        "version-1", {"v1-reason": "reviewed"}, button=":has-text('Approve')"
    )
    assert "v1" in custodian.page.inner_text("#authoritative-now")
    with custodian.page.expect_download() as download:
        custodian.page.click("a:has-text('Download v1')")
    assert Path(download.value.path()).read_bytes() == body
    custodian.submit(
        "hold",
        {"hold-id": "LIT-7", "hold-title": "Dispute", "hold-mandate": "Counsel"},
    )
    assert "LIT-7: Dispute" in custodian.page.inner_text("#holds"), (
        custodian.page.inner_text("main")
    )
    found = live.api(f"/documents/{document}")
    [version] = found["versions"]
    assert (version["status"], version["comment"]) == ("approved", "first draft")
    assert version["sha256"] == hashlib.sha256(body).hexdigest()
    assert list(found["holds"]) == ["LIT-7"]  # by hold id
    custodian.close()


def test_the_auditor_reads_but_is_offered_no_form_and_refused(
    browser: Any, live: Live
) -> None:
    project = live.project("AUDITED")
    auditor = Person(browser, live, "auditor")
    for path in ("/", f"/projects/{project}/risks", f"/projects/{project}/documents"):
        auditor.go(path)
        assert auditor.page.locator("form.record").count() == 0, path
    token = auditor.page.locator("input[name=csrf_token]").first.get_attribute("value")
    refused = auditor.page.request.post(
        f"{live.base}/ui/projects/{project}/risks",
        form={"csrf_token": token, "form_key": "forged", **risk_values()},
    )
    assert refused.status == 403
    assert live.rows(f"/projects/{project}/risks") == []
    auditor.close()


def test_a_project_is_registered_with_the_keyboard_alone(
    browser: Any, live: Live
) -> None:
    head = Person(browser, live, "pmo-head")
    page = head.page
    head.go("/")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip"
    seen: list[str] = []
    for _ in range(60):  # to the form's summary, in document order
        page.keyboard.press("Tab")
        focused = page.evaluate(
            "(() => { const e = document.activeElement;"
            " return [e.tagName, e.closest('details') ? e.closest('details').id : '',"
            " getComputedStyle(e).outlineStyle]; })()"
        )
        assert focused[2] != "none", focused  # the focus is visible
        seen.append(focused[0])
        if focused == ["SUMMARY", "form-project", focused[2]]:
            break
    else:
        raise AssertionError(f"the form was not reached by Tab: {seen}")
    page.keyboard.press("Enter")  # opens the form
    for text in ("KEYS", "Keyboard only", None, "Sam", "Max"):
        page.keyboard.press("Tab")
        if text is not None:
            page.keyboard.type(text)
    with page.expect_navigation():
        page.keyboard.press("Enter")  # submits from the last field
    assert "Registered the project." in page.inner_text(".flash")
    codes = {p["code"] for p in live.api("/projects")["items"]}
    assert "KEYS" in codes
    head.close()


def test_open_forms_pass_axe_and_fit_a_phone(browser: Any, live: Live) -> None:
    project = live.project("PHONE")
    head = Person(browser, live, "pmo-head", width=390)
    axe, failures, wide = Axe(), {}, {}

    def check(name: str) -> None:
        """Every form on the page unfolded: axe's violations, and any overflow."""
        head.page.evaluate(
            "document.querySelectorAll('details').forEach(d => d.open = true)"
        )
        failures[name] = [v["id"] for v in axe.run(head.page).response["violations"]]
        wide[name] = head.page.evaluate(
            "document.documentElement.scrollWidth > window.innerWidth"
        )

    head.go("/")
    check("dashboard")
    head.go(f"/projects/{project}/documents")
    check("documents")
    register_document(head, project)
    upload(head, "upload", "up-file", "plan.txt", b"plan\n")
    check("document")
    head.go(f"/projects/{project}/risks")
    upload(head, "import", "import-file", "bad.csv", BAD_RISKS.encode())
    check("import preview")
    assert {name: found for name, found in failures.items() if found} == {}
    assert {name for name, over in wide.items() if over} == set()
    head.close()

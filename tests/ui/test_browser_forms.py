"""Forms filled in a real headless Chromium against `pmo-ledger serve` (demo data).

A risk raised and assessed, a document started from a library template and
nominated back, a person found and erased on the privacy page: each checked
through the JSON API. These tests write, so they have a server of their own
(tests/ui/live_demo.py); test_browser.py reads the demo as it was loaded.
"""

from __future__ import annotations

from tests.ui.live_demo import NEEDS_CHROMIUM, Server, Watched, project_id

# The demo server, browser and signed-in tab, one each for this module.
from tests.ui.live_demo import browser as browser
from tests.ui.live_demo import server as server
from tests.ui.live_demo import ui as ui

pytestmark = NEEDS_CHROMIUM


def test_a_risk_raised_and_assessed_from_its_forms(ui: Watched, server: Server) -> None:
    project = project_id(server, "ERP")
    ui.go(f"/projects/{project}/risks")
    page = ui.page
    page.click("#form-identify_risk summary")
    values = {"title": "Browser risk", "cause": "c", "event": "e", "effect": "f"}
    for name, value in values.items():
        page.fill(f"#identify_risk-{name}", value)
    page.select_option("#identify_risk-category", "cost")
    page.select_option("#identify_risk-kind", "threat")
    page.select_option("#identify_risk-proximity", "imminent")
    page.fill("#identify_risk-probability", "4")
    page.fill("#identify_risk-impact", "3")
    page.fill("#identify_risk-reason", "raised in the browser")
    page.click("#form-identify_risk button[type=submit]")  # the owner is missing
    assert page.text_content("#identify_risk-owner-error") == "Required."
    assert page.input_value("#identify_risk-title") == "Browser risk"
    refused = [e for e in ui.errors if "status of 422" in e]
    assert len(refused) == 1  # the browser logs the refusal; nothing else
    ui.errors.remove(refused[0])
    page.fill("#identify_risk-owner", "Olivia")
    page.click("#form-identify_risk button[type=submit]")
    page.wait_for_url(f"{server.base}/ui/risks/*")
    risk_id = page.url.rsplit("/", 1)[1]
    risk = server.api("GET", f"/risks/{risk_id}")
    assert (risk["title"], risk["inherent_probability"], risk["owner"]) == (
        "Browser risk",
        4,
        "Olivia",
    )
    page.click("#form-assess_risk summary")
    ratings = {"inherent_probability": 4, "inherent_impact": 3}
    ratings |= {"residual_probability": 2, "residual_impact": 2}
    for name, value in ratings.items():
        page.fill(f"#assess_risk-{name}", str(value))
    page.click("#form-assess_risk button[type=submit]")
    page.wait_for_selector("text=Recorded: assess.")
    assessed = server.api("GET", f"/risks/{risk_id}")
    assert (assessed["residual_probability"], assessed["residual_impact"]) == (2, 2)
    ui.shot("risk-forms")


def test_start_from_a_template_then_nominate_from_the_forms(
    ui: Watched, server: Server
) -> None:
    found = server.api("GET", "/library")
    template = next(
        t for t in found["documents"]["template"] if t["title"].startswith("Highlight")
    )
    page = ui.page
    ui.go("/library")
    page.click("#form-start summary")
    page.select_option("#start-template_id", template["id"])
    page.select_option("#start-project_id", project_id(server, "ERP"))
    page.fill("#start-title", "ERP highlight, week 14")
    page.fill("#start-owner", "Max")
    page.fill("#start-reason", "weekly reporting")
    page.click("#form-start button[type=submit]")
    page.wait_for_url(f"{server.base}/ui/documents/*")
    started = page.url.rsplit("/", 1)[1]
    origin = server.api("GET", f"/documents/{started}")["origin"]
    assert (origin["relation"], origin["document_id"]) == ("template", template["id"])
    assert "Started from a library template" in page.inner_text("#origin")
    page.click("#nominate a")
    page.fill("#nominate-title", "A highlight worth copying")
    page.click("#form-nominate button[type=submit]")
    page.wait_for_url(f"{server.base}/ui/documents/*")
    nominated = page.url.rsplit("/", 1)[1]
    assert nominated != started
    kept = server.api("GET", f"/documents/{nominated}")
    assert (kept["doc_type"], kept["origin"]["document_id"]) == (
        "good-practice",
        started,
    )
    assert "PMO library" in page.inner_text(".crumbs")


def test_a_person_found_and_erased_on_the_privacy_page(
    ui: Watched, server: Server
) -> None:
    project = project_id(server, "ERP")
    person = {"name": "Ottilie Browserova", "email": "ottilie.b@example.org"}
    stakeholder = server.post(
        f"/projects/{project}/stakeholders",
        person
        | {"kind": "person", "organisation": "", "role": "Sponsor", "owner": "Max"}
        | {"interest": 3, "influence": 3, "attitude": "neutral"}
        | {"current_engagement": "neutral", "desired_engagement": "supportive"},
    )["id"]
    ui.go("/privacy")
    page = ui.page
    page.click("#form-subject_access summary")
    page.fill("#access-email", person["email"])
    page.click("#form-subject_access button:text('Show')")
    assert page.text_content("#held tbody").count(person["name"]) == 1
    page.click("#form-erase_subject summary")
    page.fill("#erase-name", person["name"])
    page.fill("#erase-email", person["email"])
    page.select_option("#erase-basis", "consent-withdrawn")
    page.fill("#erase-reason", "withdrew consent by letter")
    page.click("#form-erase_subject button[type=submit]")
    page.wait_for_selector("text=1 subject key(s) destroyed")
    assert "withdrew consent by letter" in page.text_content("#erasures")
    erased = server.api("GET", f"/stakeholders/{stakeholder}")
    assert (erased["name"], erased["email"]) == ("[erased]", "[erased]")
    ui.shot("privacy")

"""Two writers and two clicks, in Chromium against `pmo-ledger serve`.

A form opened before someone else changed its entry records nothing and says
who changed it; a submit button clicked twice records once. The Flask-client
tests in test_forms.py check the same answers without a browser.
"""

from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import expect

from tests.ui.live_demo import NEEDS_CHROMIUM, wait_until
from tests.ui.missions import (  # noqa: F401  (the module's fixtures)
    Live,
    Person,
    browser,
    entry_id,
    live,
)
from tests.values import risk_values

pytestmark = NEEDS_CHROMIUM
RATINGS = {
    "inherent_probability": 4,
    "inherent_impact": 4,
    "residual_probability": 2,
    "residual_impact": 2,
}


def history(server: Live, risk: str) -> list[str]:
    """The risk's events, by type, as the API's history gives them."""
    return [e["type"] for e in server.api(f"/risks/{risk}/history")["events"]]


def test_a_stale_form_says_who_changed_the_entry_and_records_nothing(
    browser: Any,  # noqa: F811
    live: Live,  # noqa: F811
) -> None:
    project = live.project("STALE")
    risk = live.api(f"/projects/{project}/risks", risk_values(title="Crane"))["id"]
    officer = Person(browser, live, "project-officer")
    officer.go(f"/risks/{risk}")
    form = officer.open("assess_risk")
    for name, value in RATINGS.items():
        officer.page.fill(f"#assess_risk-{name}", str(value))
    meanwhile = {name: value - 1 for name, value in RATINGS.items()}
    live.api(f"/risks/{risk}/assessments", meanwhile)  # the PMO head, elsewhere
    before = history(live, risk)
    with officer.page.expect_navigation() as sent:
        form.locator("button[type=submit]").click()
    assert sent.value.status == 409
    said = officer.page.inner_text("#conflict")
    assert "changed by pmo-head-user" in said and "now version 2" in said
    assert history(live, risk) == before
    assert live.api(f"/risks/{risk}")["inherent_probability"] == 3  # the head's
    # The form came back with the entry's version now: sent again, it records.
    assert officer.page.input_value("#form-assess_risk input[name=version]") == "2"
    for name, value in RATINGS.items():
        officer.page.fill(f"#assess_risk-{name}", str(value))
    with officer.page.expect_navigation():
        officer.page.click("#form-assess_risk button[type=submit]")
    officer.page.wait_for_selector("text=Recorded: assess.")
    assert live.api(f"/risks/{risk}")["inherent_probability"] == 4
    officer.close()


def filled(officer: Person, title: str) -> None:
    """The risk form opened and filled in, not yet sent."""
    officer.open("identify_risk")
    for name, value in risk_values(title=title).items():
        field = officer.page.locator(f"#identify_risk-{name}")
        if field.evaluate("e => e.tagName") == "SELECT":
            field.select_option(str(value))
        else:
            field.fill(str(value))


def recorded_once(live: Live, project: str, title: str) -> str:  # noqa: F811
    """The one risk of the project, with this title, identified once; its id."""
    risks = live.rows(f"/projects/{project}/risks")
    assert [r["title"] for r in risks] == [title]
    identified = wait_until(
        lambda: live.api(
            f"/audit/events?project_id={project}&event_type=Risk.Identified",
            role="auditor",
        )["items"]
    )
    assert len(identified) == 1
    return str(risks[0]["id"])


def test_a_double_clicked_submit_records_once(
    browser: Any,  # noqa: F811
    live: Live,  # noqa: F811
) -> None:
    project = live.project("DOUBLE")
    officer = Person(browser, live, "project-officer")
    officer.go(f"/projects/{project}/risks")
    filled(officer, "Double-clicked")
    officer.page.dblclick("#form-identify_risk button[type=submit]")
    # Chromium may send the form once, or send it twice and abort the first
    # navigation for the second (it does so under load): either way the page
    # ends on the one risk. So wait for the address, not for one navigation,
    # which fails on the aborted first.
    expect(officer.page).to_have_url(re.compile(re.escape(live.base) + "/ui/risks/.+"))
    officer.page.wait_for_load_state()
    assert entry_id(officer) == recorded_once(live, project, "Double-clicked")
    officer.close()


def test_a_submit_clicked_again_while_the_first_is_on_its_way_records_once(
    browser: Any,  # noqa: F811
    live: Live,  # noqa: F811
) -> None:
    """A double click is sent once by Chromium itself; a second click while the
    first form is still on its way (a slow network) sends it again: the server
    records the risk once and both answers lead to it."""
    project = live.project("TWICE")
    officer = Person(browser, live, "project-officer")
    page = officer.page
    officer.go(f"/projects/{project}/risks")
    filled(officer, "Clicked twice")
    held: list[Any] = []
    page.route(
        f"**/ui/projects/{project}/risks",
        lambda route: (
            held.append(route) if route.request.method == "POST" else route.continue_()
        ),
    )
    box = page.locator("#form-identify_risk button[type=submit]").bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.click(x, y)  # the mouse itself: no waiting for the navigation
    while not held:  # the first form is on its way
        page.wait_for_timeout(20)
    first = held[0].fetch(max_redirects=0)  # it reaches the server...
    assert first.status == 303
    page.mouse.click(x, y)  # ...while the person clicks again
    while len(held) < 2:
        page.wait_for_timeout(20)
    assert held[1].request.post_data == held[0].request.post_data
    with page.expect_navigation(url=f"{live.base}/ui/risks/*"):
        held[1].continue_()
    page.unroute_all(behavior="ignoreErrors")
    risk = recorded_once(live, project, "Clicked twice")
    assert first.headers["location"].endswith(f"/ui/risks/{risk}")
    assert entry_id(officer) == risk
    officer.close()

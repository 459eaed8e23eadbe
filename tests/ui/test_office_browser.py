"""The project, capacity, course and quality-policy forms from a real browser.

Against `pmo-ledger serve` (the missions' server and people, tests/ui/missions.py):
the PMO head fills and submits each form at a phone's width, the answer is
checked through the JSON API, every page passes axe with its forms unfolded
and none is wider than the screen; a project officer is offered no reopen or
capacity form and is refused if it posts one anyway.
"""

from __future__ import annotations

from typing import Any

from axe_playwright_python.sync_playwright import Axe

from tests.ui.live_demo import NEEDS_CHROMIUM
from tests.ui.missions import Live, Person, entry_id

# The missions' server and browser, one each for this module.
from tests.ui.missions import browser as browser
from tests.ui.missions import live as live

pytestmark = NEEDS_CHROMIUM


class Checked:
    """Pages checked with every form unfolded: axe's violations, any overflow."""

    def __init__(self, person: Person) -> None:
        self.person = person
        self.axe = Axe()
        self.failures: dict[str, list[str]] = {}
        self.wide: set[str] = set()

    def check(self, name: str) -> None:
        page = self.person.page
        page.evaluate(
            "document.querySelectorAll('details').forEach(d => d.open = true)"
        )
        found = self.axe.run(page).response["violations"]
        self.failures[name] = [v["id"] for v in found]
        if page.evaluate("document.documentElement.scrollWidth > window.innerWidth"):
            self.wide.add(name)


def test_project_commands_from_a_phone(browser: Any, live: Live) -> None:
    project = live.project("OFFICE")
    head = Person(browser, live, "pmo-head", width=390)
    checked = Checked(head)
    head.go(f"/projects/{project}")
    checked.check("project")
    head.submit(
        "details",
        {
            "details-name": "Office <move>",
            "details-sponsor": "Sam",
            "details-manager": "Max",
            "details-reason": "board",
        },
    )
    assert "Recorded: changed the details." in head.page.inner_text(".flash")
    head.submit("stage", {"stage-stage": "Delivery"})
    head.submit("tolerance", {"tolerance-percent": "twelve"})
    assert head.page.locator("#tolerance-percent-error").is_visible()
    checked.check("project refused")
    head.submit("tolerance", {"tolerance-percent": "12.5"})
    head.submit("close", {"close-reason": "delivered"})
    found = live.api(f"/projects/{project}")
    assert (found["name"], found["stage"], found["status"]) == (
        "Office <move>",
        "Delivery",
        "closed",
    )
    assert live.api(f"/projects/{project}/finance")["cost_tolerance"] == "12.5"
    assert head.page.locator("#form-reopen").count() == 1
    checked.check("closed project")
    head.submit("reopen", {"reopen-reason": "more to do"})
    assert live.api(f"/projects/{project}")["status"] == "open"
    assert {n: f for n, f in checked.failures.items() if f} == {}
    assert checked.wide == set()
    head.close()


def test_capacity_courses_and_the_policy_from_a_phone(browser: Any, live: Live) -> None:
    head = Person(browser, live, "pmo-head", width=390)
    checked = Checked(head)
    nav = head.page.locator("nav[aria-label=Main]")
    assert nav.locator("a[href='/ui/capacity']").count() == 1
    assert nav.locator("a[href='/ui/courses']").count() == 1
    head.go("/capacity")
    checked.check("capacity")
    head.command("declare_capacity", {"role": "Scheduler", "team": "PMO"})
    capacity = entry_id(head)
    head.command("set_capacity", {"month": "2027-03", "fte": "1.5"})
    checked.check("capacity entry")
    assert live.api(f"/capacity/{capacity}")["months"] == {"2027-03": "1.5"}
    head.go("/courses")
    head.command(
        "propose_course",
        {"title": "Scheduling", "provider": "Academy", "level": "foundation",
         "for_roles": "scheduler"},
    )  # fmt: skip
    course = entry_id(head)
    head.command(
        "approve_course", {"approved_on": "2027-01-04", "review_by": "2028-01-04"}
    )
    assert live.api(f"/courses/{course}")["status"] == "approved"
    checked.check("course entry")
    head.go("/courses")
    checked.check("courses")
    head.go("/library")
    head.page.click("#quality-policy-link")
    head.submit("rule", {"rule-doc-type": "plan", "rule-required": "required"})
    assert live.api("/quality-policy")["required"] == {"plan": True}
    assert head.page.locator("tr[data-type=plan]").inner_text().endswith("required")
    checked.check("quality policy")
    assert {n: f for n, f in checked.failures.items() if f} == {}
    assert checked.wide == set()
    head.close()


def test_an_officer_is_offered_no_head_form_and_refused(
    browser: Any, live: Live
) -> None:
    officer = Person(browser, live, "project-officer")
    officer.go("/capacity")
    assert officer.page.locator("#form-declare_capacity").count() == 0
    officer.go("/quality-policy")
    assert officer.page.locator("#form-rule").count() == 0
    before = live.api("/capacity")["items"]
    token = officer.page.locator("input[name=csrf_token]").first.get_attribute("value")
    refused = officer.page.request.post(
        live.base + "/ui/capacity",
        form={"csrf_token": str(token), "form_key": "k", "role": "Sneaky"},
    )
    assert refused.status == 403 and "may not" in refused.text()
    assert live.api("/capacity")["items"] == before
    officer.close()

"""The account-erasure form from a real browser (decision 119).

Against `pmo-ledger serve` (the missions' server and people, tests/ui/missions.py):
the PMO head is refused, beside the form, erasing their own account and
erasing one without a reason, with nothing erased; then erases the project
officer's account, sees the erasure recorded, and the audit page no longer
names the officer anywhere, while the officer's token is refused.
"""

from __future__ import annotations

import urllib.error
from typing import Any

import pytest

from tests.ui.live_demo import NEEDS_CHROMIUM
from tests.ui.missions import Live, Person

# The missions' server and browser, one each for this module.
from tests.ui.missions import browser as browser
from tests.ui.missions import live as live

pytestmark = NEEDS_CHROMIUM

OFFICER = "project-officer-user"
"""The name the missions' server issued the project officer's token under."""
AUDIT = "/audit?order=newest&size=200"


def audit_html(person: Person) -> str:
    """The audit page with every event on it (newest first), as served."""
    person.go(AUDIT)
    assert person.page.locator("table#audit tbody tr").count() < 200  # all shown
    return str(person.page.content())


def refused(person: Person, values: dict[str, str], problem: str) -> None:
    """Submit the account-erasure form; it comes back refused beside itself."""
    person.submit("erase_account", values)
    page = person.page
    alert = page.locator("p.error[role=alert]")
    assert alert.is_visible()
    assert problem in str(alert.text_content())
    assert page.locator("#form-erase_account").get_attribute("open") is not None
    assert "No erasures." in str(page.text_content("#erasures"))


def test_the_pmo_head_erases_an_account_and_is_refused_first(
    browser: Any, live: Live
) -> None:
    project = live.project("PRIVACY")
    moved = live.api(
        f"/projects/{project}/stage", {"stage": "Delivery"}, "project-officer"
    )
    live.api(f"/projects?min_position={moved['position']}")  # read models have it
    head = Person(browser, live, "pmo-head")
    assert OFFICER in audit_html(head)

    head.go("/privacy")
    refused(
        head,
        {
            "account-name": "pmo-head-user",
            "account-basis": "no-longer-necessary",
            "account-reason": "tidying up",
        },
        "is your own account",
    )
    refused(
        head,
        {
            "account-name": OFFICER,
            "account-basis": "no-longer-necessary",
            "account-reason": "",
        },
        "reason: is required",
    )
    # Nothing was erased: the officer still acts.
    assert live.api(f"/projects/{project}", role="project-officer")["stage"] == (
        "Delivery"
    )

    head.submit(
        "erase_account",
        {
            "account-name": OFFICER,
            "account-basis": "no-longer-necessary",
            "account-reason": "left the office",
        },
    )
    page = head.page
    assert page.url == live.base + "/ui/privacy"
    assert "1 subject key(s) destroyed" in str(page.text_content(".flash"))
    assert page.locator("p.error[role=alert]").count() == 0
    (row,) = page.locator("#erasures tbody tr").all()
    assert "no-longer-necessary" in str(row.text_content())
    assert "left the office" in str(row.text_content())

    after = audit_html(head)
    assert OFFICER not in after
    assert head.page.locator("tr[data-actor='[erased]']").count() >= 1
    with pytest.raises(urllib.error.HTTPError) as answer:
        live.api("/projects", role="project-officer")
    answer.value.close()  # the refusal holds the response's socket open
    assert answer.value.code == 401
    head.close()

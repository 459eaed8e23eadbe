"""Issuing a report from the highlight page: the form, its refusals, the list."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from service.domain.base import Meta
from tests.ui.conftest import Ui

END = (datetime.now(UTC) - timedelta(days=1)).date()
FORM = {
    "report_type": "exception",
    "period_start": (END - timedelta(days=6)).isoformat(),
    "period_end": END.isoformat(),
    "classification": "confidential",
    "cause": "Supplier insolvency",
    "consequences": "Six weeks late",
    "options": "Re-tender or in house",
    "recommendation": "In house",
}


def project(ui: Ui) -> str:
    meta = Meta("setup", "pmo-head")
    found = ui.services.app.register_project("UI-R", "R", "", "S", "M", meta).id
    ui.caught_up()
    return str(found)


def test_a_keeper_issues_a_report_and_sees_it_listed(ui: Ui) -> None:
    found = project(ui)
    ui.sign_in("project-officer")
    path = f"/ui/projects/{found}/highlight"
    assert "Issue a report" in ui.client.get(path).text
    posted = FORM | {"csrf_token": ui.csrf(path), "form_key": "first"}
    answer = ui.client.post(f"/ui/projects/{found}/reports", data=posted)
    assert answer.status_code == 303
    head = ui.services.app.head_position()
    again = ui.client.post(f"/ui/projects/{found}/reports", data=posted)
    assert again.status_code == 303  # the same form twice: issued once
    assert again.headers["Location"] == answer.headers["Location"]
    assert ui.services.app.head_position() == head
    page = ui.client.get(path).text
    assert "Exception report" in page and "PDF v1" in page and "PDF v2" not in page


def test_a_missing_section_is_shown_and_nothing_is_written(ui: Ui) -> None:
    found = project(ui)
    ui.sign_in("pmo-head")
    path = f"/ui/projects/{found}/highlight"
    head = ui.services.app.head_position()
    answer = ui.client.post(
        f"/ui/projects/{found}/reports",
        data=FORM | {"cause": "", "csrf_token": ui.csrf(path), "form_key": "k"},
    )
    assert answer.status_code == 422
    assert "narrative.cause" in answer.text
    assert ui.services.app.head_position() == head


def test_readers_get_no_form_and_may_not_post(ui: Ui) -> None:
    found = project(ui)
    ui.sign_in("contributor")
    path = f"/ui/projects/{found}/highlight"
    assert "Issue a report" not in ui.client.get(path).text
    posted = FORM | {"csrf_token": ui.csrf(path), "form_key": "k"}
    answer = ui.client.post(f"/ui/projects/{found}/reports", data=posted)
    assert answer.status_code == 403

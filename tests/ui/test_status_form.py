"""Recording a period's status report from the highlight page."""

from __future__ import annotations

import re

from service.domain.base import Meta
from service.domain.project import RAG_DIMENSIONS, Project
from tests.ui.conftest import Ui

HEAD = Meta("olivia", "pmo-head", "test")


def hidden(page: str) -> dict[str, str]:
    start = page.index('id="form-report-status"')
    end = page.index("</form>", start)
    return dict(
        re.findall(r'type="hidden" name="(\w+)" value="([^"]*)"', page[start:end])
    )


def report(**changes: str) -> dict[str, str]:
    values = {
        "period_start": "2026-11-01",
        "period_end": "2026-11-30",
        "summary": "On track <mostly>",
        "tolerance_status": "within",
        **{f"rag_{d}": "green" for d in RAG_DIMENSIONS},
    }
    return values | changes


def test_a_keeper_records_a_status_report_once(ui: Ui) -> None:
    app = ui.services.app
    project = app.register_project("SR", "Status", "", "S", "M", HEAD).id
    ui.caught_up()
    ui.sign_in("project-officer")
    path = f"/ui/projects/{project}/highlight"
    form = hidden(ui.client.get(path).text)
    head = app.head_position()
    bad = ui.client.post(
        f"/ui/projects/{project}/status-reports",
        data={**form, **report(rag_cost="purple", summary="")},
    )
    assert bad.status_code == 422
    assert 'id="sr-summary-error"' in bad.text and 'id="sr-rag-cost-error"' in bad.text
    assert app.head_position() == head
    posted = {**form, **report(rag_time="amber"), "reason": "monthly"}
    done = ui.client.post(f"/ui/projects/{project}/status-reports", data=posted)
    assert done.status_code == 303
    again = ui.client.post(f"/ui/projects/{project}/status-reports", data=posted)
    assert again.status_code == 303 and app.head_position() == head + 1
    recorded = app.load(Project, project)
    assert recorded.last_report is not None
    assert recorded.last_report.rag["time"] == "amber"
    shown = ui.client.get(path).text
    assert "On track &lt;mostly&gt;" in shown


def test_readers_get_no_status_form_and_may_not_post(ui: Ui) -> None:
    app = ui.services.app
    project = app.register_project("SR2", "Status", "", "S", "M", HEAD).id
    ui.caught_up()
    ui.sign_in("auditor")
    path = f"/ui/projects/{project}/highlight"
    assert 'id="form-report-status"' not in ui.client.get(path).text
    head = app.head_position()
    refused = ui.client.post(
        f"/ui/projects/{project}/status-reports",
        data={**report(), "csrf_token": ui.csrf(path), "form_key": "k"},
    )
    assert refused.status_code == 403 and app.head_position() == head

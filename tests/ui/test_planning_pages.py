"""Planning in the UI: a milestone's dates drawn over its versions, suggested RAG."""

from __future__ import annotations

from datetime import date

from service.domain.base import Meta
from tests.ui.conftest import Ui

HEAD = Meta("olivia", "pmo-head", "test")
DIMENSIONS = ("time", "cost", "scope", "quality", "benefits", "risk")


def test_a_milestone_page_draws_its_forecast_and_the_report_flags_time(
    ui: Ui,
) -> None:
    app = ui.services.app
    project = app.register_project("PLAN", "Plan", "", "S", "M", HEAD).id
    values = {"title": "Go live", "description": "", "owner": "o"}
    milestone = app.perform(
        "plan_milestone", project, values | {"baseline_date": date(2027, 3, 1)}, HEAD
    ).id
    ui.caught_up()
    plain = ui.sign_in()
    assert plain.status_code == 302
    page = ui.client.get(f"/ui/milestones/{milestone}").text
    assert 'id="trend"' not in page
    for day in (10, 24):
        app.perform(
            "reforecast_milestone",
            milestone,
            {"forecast_date": date(2027, 3, day)},
            HEAD,
        )
    app.report_project_status(
        project, date(2026, 11, 1), date(2026, 11, 30),
        dict.fromkeys(DIMENSIONS, "green"),
        "Fine", "", "", "within tolerance", "", HEAD,
    )  # fmt: skip
    ui.caught_up()
    page = ui.client.get(f"/ui/milestones/{milestone}").text
    assert 'id="trend"' in page and "forecast date (23)" in page
    assert "baseline date (0)" in page
    report = ui.client.get(f"/ui/projects/{project}/highlight").text
    assert 'class="disagrees"' in report and "disagrees with the report" in report
    assert "Go live: forecast 23 days late, tolerance 0 days" in report
    listed = ui.client.get(f"/ui/projects/{project}/milestones").text
    assert "Go live" in listed

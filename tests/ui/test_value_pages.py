"""The value page and the portfolio's resources page draw what the registers hold."""

from __future__ import annotations

import re
from uuid import UUID

from service.demo import load_demo
from tests.ui.conftest import Ui
from usecases import resources, value


def test_value_page_shows_lines_totals_and_a_chart_per_benefit(ui: Ui) -> None:
    load_demo(ui.services.app)
    ui.caught_up()
    ui.sign_in("auditor")
    for project in ui.services.views.list_projects():
        pid = UUID(project["id"])
        page = ui.client.get(f"/ui/projects/{pid}/value")
        assert page.status_code == 200
        finance = value.finance(ui.services, value.ValueQuery(pid))
        benefits = value.project_benefits(ui.services, value.ValueQuery(pid))
        html = page.text
        assert html.count('<tr data-id="') == len(finance["lines"]) > 0
        for total in finance["totals"]:
            assert f'data-currency="{total["currency"]}"' in html
            assert total["forecast_at_completion"] in html
        charts = re.findall(r'data-benefit="([^"]+)" data-points="(\d+)"', html)
        assert charts == [
            (b["id"], str(len(b["measurements"]))) for b in benefits["benefits"]
        ]
        colour = finance["suggested_rag"]["colour"]
        assert f"rag-{colour}" in html.split('id="cost-rag"')[1].split("</p>")[0]
    earlier = ui.client.get(f"/ui/projects/{pid}/value?as_of=2000-01-01")
    assert earlier.status_code == 200 and "No budget lines." in earlier.text


def test_resources_page_flags_every_over_allocated_month(ui: Ui) -> None:
    load_demo(ui.services.app)
    ui.caught_up()
    ui.sign_in("contributor")
    page = ui.client.get("/ui/resources")
    assert page.status_code == 200
    picture = resources.resource_picture(ui.services, resources.ResourceQuery())
    over = [
        (r["role"], m["month"])
        for r in picture["roles"]
        for m in r["months"]
        if m["over_allocated"]
    ]
    assert over
    flagged = re.findall(
        r'data-role="([^"]+)" data-month="([^"]+)" data-over="true"', page.text
    )
    assert flagged == over
    assert f'<span id="over-count">{len(over)}</span>' in page.text
    benefits = value.portfolio_benefits(ui.services, value.PortfolioQuery())
    shown = [
        b
        for p in benefits["projects"]
        for b in p["benefits"]
        if b["status"] != "withdrawn"
    ]
    drawn = page.text.split('id="portfolio-progress"')[1].split("</figure>")[0]
    assert re.findall(r'<g data-benefit="([^"]+)"', drawn) == [b["id"] for b in shown]
    assert drawn.count('class="measured_progress"') == len(shown)
    bad = ui.client.get("/ui/resources?from=2026-05&to=2026-01")
    assert bad.status_code == 400

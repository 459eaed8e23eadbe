"""The value page and the portfolio's resources page draw what the registers hold."""

from __future__ import annotations

import re
from uuid import UUID

from service.demo import load_demo
from service.domain.base import Meta
from service.domain.benefit import Benefit
from service.domain.resource import ResourceDemand
from tests.ui.conftest import Ui
from tests.ui.test_forms import form_of
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


def test_value_entries_are_recorded_from_their_forms(ui: Ui) -> None:
    """A benefit naming change requests, then a month of demand, through the forms."""
    meta = Meta("olivia", "pmo-head", "test")
    project = ui.services.app.register_project("VFORM", "V", "", "S", "M", meta).id
    change = ui.services.app.perform(
        "raise_change",
        project,
        {
            "title": "t",
            "description": "d",
            "justification": "j",
            "related_issue_id": None,
        },
        meta,
    ).id
    ui.caught_up()
    ui.sign_in("project-officer")
    page = ui.client.get(f"/ui/projects/{project}/benefits")
    assert 'id="identify_benefit-change_ids-hint">One id per line.' in page.text
    hidden = form_of(page, "identify_benefit")
    benefit = {
        "title": "Fewer calls",
        "kind": "benefit",
        "description": "d",
        "owner": "o",
        "category": "non-financial",
        "measure": "calls",
        "unit": "calls",
        "baseline_value": "100",
        "target_value": "60",
        "realise_from": "2026-01-01",
        "realise_to": "2026-12-31",
        "change_ids": f"{change}\n",
    }
    answer = ui.client.post(
        f"/ui/projects/{project}/benefits", data={**hidden, **benefit}
    )
    assert answer.status_code == 303, answer.text
    benefit_id = UUID(answer.headers["Location"].rsplit("/", 1)[1])
    assert ui.services.app.load(Benefit, benefit_id).change_ids == [str(change)]
    wrong = {**hidden, **benefit, "change_ids": "not-an-id", "form_key": "k2"}
    head = ui.services.app.head_position()
    refused = ui.client.post(f"/ui/projects/{project}/benefits", data=wrong)
    assert refused.status_code == 422 and ui.services.app.head_position() == head
    demand = ui.services.app.perform(
        "plan_demand",
        project,
        {"role": "BA", "skill": "", "person": None, "notes": ""},
        meta,
    ).id
    ui.caught_up()
    entry = ui.client.get(f"/ui/demands/{demand}")
    assert 'placeholder="YYYY-MM"' in entry.text
    month = {**form_of(entry, "set_demand"), "month": "2026-05", "fte": "1.5"}
    done = ui.client.post(f"/ui/demands/{demand}/months", data=month)
    assert done.status_code == 303, done.text
    assert ui.services.app.load(ResourceDemand, demand).months == {"2026-05": "1.5"}

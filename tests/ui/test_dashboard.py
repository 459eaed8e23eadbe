"""The dashboard's counts open lists of exactly the rows they count."""

from __future__ import annotations

import html
import re
from datetime import UTC, date, datetime, timedelta

from service.domain.base import Meta
from service.domain.project import RAG_DIMENSIONS
from tests.ui.conftest import Ui
from tests.values import risk_values
from usecases.portfolio import report_overdue

HEAD = Meta("olivia", "pmo-head", "test")
COUNT_LINK = re.compile(r'<td class="num"><a href="([^"]+)">(\d+)</a></td>')


def issue(title: str) -> dict[str, str]:
    return {
        "issue_type": "problem-concern",
        "title": title,
        "description": "d",
        "priority": "high",
        "severity": "major",
    }


def test_each_count_opens_the_rows_it_counts(ui: Ui) -> None:
    app = ui.services.app
    project = app.register_project("DASH", "Dash", "", "S", "M", HEAD).id
    risks = [
        app.perform("identify_risk", project, risk_values(), HEAD).id for _ in range(3)
    ]
    app.perform("close_risk", risks[0], {}, HEAD)
    issues = [
        app.perform("raise_issue", project, issue(f"i{n}"), HEAD).id for n in range(4)
    ]
    examined = {"impact_analysis": "a", "options": "o", "recommendation": "r"}
    app.perform("examine_issue", issues[1], examined, HEAD)
    app.perform("close_issue", issues[2], {}, HEAD)
    app.perform("examine_issue", issues[3], examined, HEAD)
    app.perform("resolve_issue", issues[3], {"resolution": "done"}, HEAD)
    change = {
        "title": "c",
        "description": "d",
        "justification": "j",
        "related_issue_id": None,
    }
    app.perform("raise_change", project, change, HEAD)
    closed = app.perform("raise_change", project, change, HEAD).id
    app.perform(
        "assess_change",
        closed,
        {
            "cost_impact": "0",
            "time_impact_days": 0,
            **dict.fromkeys(
                ("scope_impact", "quality_impact", "risk_impact", "benefits_impact"),
                "",
            ),
        },
        HEAD,
    )
    app.perform(
        "decide_change",
        closed,
        {"decision": "reject", "authority": "board", "rationale": "r"},
        HEAD,
    )
    app.perform("close_change", closed, {}, HEAD)
    ui.caught_up()
    ui.sign_in("auditor")
    dashboard = ui.client.get("/ui/")
    row = dashboard.text[dashboard.text.index('data-code="DASH"') :]
    row = row[: row.index("</tr>")]
    links = COUNT_LINK.findall(row)
    counts = [int(count) for _, count in links]
    assert counts[:3] == [2, 3, 1]  # open risks, issues and changes not closed
    for href, count in links[:3]:
        listed = ui.client.get(html.unescape(href))
        assert listed.status_code == 200, href
        shown = listed.text.count("<tr data-id=")
        assert shown == int(count), (href, shown, count)


def test_as_at_is_shown_to_the_second_with_its_exact_instant(ui: Ui) -> None:
    app = ui.services.app
    project = app.register_project("SECS", "Secs", "", "S", "M", HEAD).id
    ui.caught_up()
    ui.sign_in("auditor")
    page = ui.client.get(
        f"/ui/projects/{project}/risks", query_string={"as_of": "2026-11-30T21:23:20"}
    )
    assert page.status_code == 200
    assert (
        '<time datetime="2026-11-30T21:23:20.000000+00:00">'
        "2026-11-30 21:23:20 UTC</time>" in page.text
    )
    assert "local-time.js" in page.text


def test_the_audit_trail_names_entities_and_reads_newest_first(ui: Ui) -> None:
    app = ui.services.app
    project = app.register_project("AUD", "Audited", "", "S", "M", HEAD).id
    app.perform("identify_risk", project, risk_values(title="Crane <fails>"), HEAD)
    ui.caught_up()
    ui.sign_in("auditor")
    oldest = ui.client.get("/ui/audit", query_string={"project": str(project)})
    assert "Crane &lt;fails&gt;</a> <small>Risk v1</small>" in oldest.text
    assert ">AUD</a> <small>Project v1</small>" in oldest.text
    positions = [int(p) for p in re.findall(r'data-position="(\d+)"', oldest.text)]
    assert positions == sorted(positions) and len(positions) >= 2
    newest = ui.client.get(
        "/ui/audit", query_string={"project": str(project), "order": "newest"}
    )
    assert [
        int(p) for p in re.findall(r'data-position="(\d+)"', newest.text)
    ] == positions[::-1]


def test_report_overdue_after_a_period_as_long_as_the_last() -> None:
    last = {"data": {"period_start": "2026-11-01", "period_end": "2026-11-30"}}
    assert not report_overdue(last, date(2026, 12, 30))  # December's is due today
    assert report_overdue(last, date(2026, 12, 31))
    assert report_overdue(None, date(2026, 12, 31))  # never reported


def test_the_dashboard_flags_overdue_reports_rosy_colours_and_top_risks(
    ui: Ui,
) -> None:
    app = ui.services.app
    today = datetime.now(UTC).date()
    green = dict.fromkeys(RAG_DIMENSIONS, "green")
    late = app.register_project("LATE", "Late", "", "S", "M", HEAD).id
    app.report_project_status(
        late, today - timedelta(90), today - timedelta(61), green, "s", "", "",
        "within", "", HEAD,
    )  # fmt: skip
    rosy = app.register_project("ROSY", "Rosy", "", "S", "M", HEAD).id
    planned = app.perform(
        "plan_milestone", rosy,
        {"title": "Go live", "description": "", "owner": "o",
         "baseline_date": today + timedelta(60)},
        HEAD,
    ).id  # fmt: skip
    ui.caught_up()
    app.perform(
        "approve_baseline", rosy,
        {"name": "Plan", "tolerance_days": 5, "approval": "pmo-head",
         "board_decision_id": None,
         "dates": {str(planned): (today + timedelta(60)).isoformat()},
         "supersedes": None},
        HEAD,
    )  # fmt: skip
    app.perform(
        "reforecast_milestone", planned, {"forecast_date": today + timedelta(70)}, HEAD
    )
    app.report_project_status(
        rosy, today - timedelta(30), today - timedelta(1), green, "s", "", "",
        "within", "", HEAD,
    )  # fmt: skip
    app.register_project("NEVER", "Never", "", "S", "M", HEAD)
    for project, title, score in ((late, "Flood", 5), (rosy, "Strike", 4)):
        values = risk_values(title=title, probability=score, impact=score)
        app.perform("identify_risk", project, values, HEAD)
    app.perform("identify_risk", rosy, risk_values(title="Rain"), HEAD)
    ui.caught_up()
    ui.sign_in("auditor")
    text = ui.client.get("/ui/").text

    def row(code: str) -> str:
        found = text[text.index(f'data-code="{code}"') :]
        return found[: found.index("</tr>")]

    assert "report overdue" in row("LATE") and "report overdue" in row("NEVER")
    assert "report overdue" not in row("ROSY")
    assert f"{(today - timedelta(61)).isoformat()}</small>" in row("LATE")
    assert ">never" in row("NEVER")
    suggested = re.findall(r'data-dimension="(\w+)">suggested (\w+)', row("ROSY"))
    assert suggested == [("time", "red")]
    assert "suggested" not in row("LATE")  # nothing to judge its time by
    top = text[text.index('id="top-risks"') :]
    titles = re.findall(r'/ui/risks/[0-9a-f-]+">([^<]+)</a>', top)
    assert titles == ["Flood", "Strike", "Rain"]  # by residual score

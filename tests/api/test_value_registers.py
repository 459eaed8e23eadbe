"""Benefits, budget lines, resource demand and capacity over HTTP, on each backend.

Every route of the four registers and of the value figures; refusals are
problem+json and write nothing.
"""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from typing import Any

import pytest

from tests.api.conftest import Api

BENEFIT = {
    "title": "Fewer support calls",
    "kind": "benefit",
    "description": "Customers help themselves",
    "owner": "Head of Service",
    "category": "non-financial",
    "measure": "calls per month",
    "unit": "calls",
    "baseline_value": "18000",
    "target_value": "11000",
    "realise_from": "2026-01-01",
    "realise_to": "2026-12-31",
    "change_ids": [],
}
LINE = {
    "title": "Delivery team",
    "category": "labour",
    "currency": "EUR",
    "owner": "Finance BP",
    "approved_budget": "100000.00",
}


@pytest.fixture(scope="module")
def api(live: Api) -> Api:
    """The app with its read models running, on each backend."""
    return live


def refused(api: Api, status: int, path: str, body: Any = None, **kw: Any) -> Any:
    """Post, expect a problem with this status, and check nothing was written."""
    head = api.head()
    response = api.post(path, body, **kw)
    assert response.status_code == status, response.json
    assert response.content_type == "application/problem+json"
    assert api.head() == head
    return response.json


def approved_change(api: Api, project: str) -> str:
    raised = api.post(
        f"/projects/{project}/changes",
        {"title": "More scope", "description": "d", "justification": "j"},
    )
    change = raised.json["id"]
    assessment = {
        "cost_impact": "5000.00",
        "time_impact_days": 5,
        "scope_impact": "",
        "quality_impact": "",
        "risk_impact": "",
        "benefits_impact": "",
    }
    assert api.post(f"/changes/{change}/assessments", assessment).status_code == 201
    decision = {"decision": "approve", "authority": "Board", "rationale": "ok"}
    assert api.post(f"/changes/{change}/decisions", decision).status_code == 201
    return str(change)


def rows(api: Api, path: str, **query: Any) -> list[dict[str, Any]]:
    response = api.get(path, query_string={"min_position": api.head(), **query})
    assert response.status_code == 200, response.json
    return list(response.json["items"])


def test_benefit_lifecycle_with_linked_changes_and_figures(api: Api) -> None:
    project = api.project()
    other = api.project()
    change = approved_change(api, project)
    foreign = approved_change(api, other)
    body = BENEFIT | {"change_ids": [change]}
    created = api.post(f"/projects/{project}/benefits", body, role="contributor")
    assert created.status_code == 201 and created.headers["ETag"] == '"1"'
    benefit = created.json["id"]
    for ids, message in (
        ([foreign], "must be a change request of the same project"),
        ([benefit], "must be the id of a change request"),
        (["not-an-id"], "Not a valid UUID"),
    ):
        problem = refused(
            api, 422, f"/projects/{project}/benefits", BENEFIT | {"change_ids": ids}
        )
        assert message in str(problem)
    refused(api, 422, f"/projects/{project}/benefits", BENEFIT | {"target_value": 9})
    refused(api, 422, f"/projects/{project}/benefits", {**BENEFIT, "unit": None})
    refused(api, 409, f"/benefits/{benefit}/realised", role="project-officer")
    refused(
        api,
        412,
        f"/benefits/{benefit}/plan",
        {"measurement_plan": "m"},
        headers={"If-Match": '"7"'},
    )
    planned = api.post(
        f"/benefits/{benefit}/plan",
        {"measurement_plan": "monthly"},
        headers={"If-Match": '"1"'},
    )
    assert planned.status_code == 200 and planned.headers["ETag"] == '"2"'
    measurement = {"measured_on": "2026-03-01", "value": "16500", "source": "ACD"}
    key = {"Idempotency-Key": "measure-1"}
    first = api.post(f"/benefits/{benefit}/measurements", measurement, headers=key)
    again = api.post(f"/benefits/{benefit}/measurements", measurement, headers=key)
    assert first.status_code == again.status_code == 201
    assert first.json == again.json
    refused(
        api,
        422,
        f"/benefits/{benefit}/measurements",
        measurement | {"measured_on": "2026-02-01"},
    )
    refused(api, 422, f"/benefits/{benefit}/measurements", measurement | {"value": "x"})
    future = measurement | {"measured_on": "2999-01-01"}
    problem = refused(api, 422, f"/benefits/{benefit}/measurements", future)
    assert "must not be after today" in problem["detail"]
    refused(
        api, 403, f"/benefits/{benefit}/measurements", measurement, role="contributor"
    )
    linked = api.post(f"/benefits/{benefit}/changes", {"change_id": change})
    assert linked.status_code == 422  # already linked
    refused(api, 422, f"/benefits/{benefit}/not-realised")
    done = api.post(f"/benefits/{benefit}/not-realised", {"reason": "market moved"})
    assert done.status_code == 200
    state = api.get(f"/benefits/{benefit}").json
    assert (state["status"], state["change_ids"]) == ("not-realised", [change])
    history = api.get(f"/benefits/{benefit}/history").json["events"]
    assert [e["type"] for e in history] == [
        "Benefit.Identified",
        "Benefit.Planned",
        "Benefit.Measured",
        "Benefit.NotRealised",
    ]
    assert history[-1]["reason"] == "market moved"
    listed = rows(api, f"/projects/{project}/benefits", status="not-realised")
    assert [b["measurement_count"] for b in listed] == [1]
    figures = api.get(f"/projects/{project}/benefits/figures").json
    assert figures["suggested_rag"]["colour"] == "red"
    assert figures["benefits"][0]["measurements"][0]["value"] == "16500"
    portfolio = api.get("/portfolio/benefits", query_string={"min_position": 1}).json
    assert project in {p["project_id"] for p in portfolio["projects"]}


def test_budget_line_money_changes_and_finance(api: Api) -> None:
    project = api.project()
    change = approved_change(api, project)
    pending = api.post(
        f"/projects/{project}/changes",
        {"title": "t", "description": "d", "justification": "j"},
    ).json["id"]
    line = api.post(f"/projects/{project}/budgets", LINE, role="project-officer")
    assert line.status_code == 201
    line_id = line.json["id"]
    for bad in (
        {"currency": "EURO"},
        {"approved_budget": 100000.0},
        {"approved_budget": "1.001"},
        {"currency": "ABC"},
    ):
        refused(api, 422, f"/projects/{project}/budgets", LINE | bad)
    problem = refused(
        api,
        422,
        f"/budgets/{line_id}/changes",
        {"change_id": pending, "amount": "10.00"},
    )
    assert "must be a change request that is approved or implemented" in str(problem)
    refused(api, 422, f"/budgets/{line_id}/changes", {"amount": "10"})
    refused(
        api,
        403,
        f"/budgets/{line_id}/changes",
        {"change_id": change, "amount": "10"},
        role="contributor",
    )
    moved = api.post(
        f"/budgets/{line_id}/changes",
        {"change_id": change, "amount": "2500.50", "note": "n"},
    )
    assert moved.status_code == 201
    refused(
        api, 422, f"/budgets/{line_id}/changes", {"change_id": change, "amount": "1.00"}
    )
    assert (
        api.post(
            f"/budgets/{line_id}/forecasts", {"period": "2026-02", "amount": "60000"}
        ).status_code
        == 201
    )
    before_actual = datetime.now(UTC)
    assert (
        api.post(
            f"/budgets/{line_id}/actuals", {"period": "2026-01", "amount": "55000.25"}
        ).status_code
        == 201
    )
    refused(
        api, 422, f"/budgets/{line_id}/actuals", {"period": "2026-1", "amount": "1"}
    )
    problem = refused(
        api, 422, f"/budgets/{line_id}/actuals", {"period": "2999-01", "amount": "1"}
    )
    assert "must not be after this month" in problem["detail"]
    refused(
        api, 422, f"/budgets/{line_id}/actuals", {"period": "2026-01", "amount": "1"}
    )
    refused(
        api, 422, f"/budgets/{line_id}/forecasts", {"period": "2026-01", "amount": "1"}
    )
    refused(api, 422, f"/projects/{project}/cost-tolerance", {"percent": "101"})
    refused(
        api,
        403,
        f"/projects/{project}/cost-tolerance",
        {"percent": "5"},
        role="project-officer",
    )
    tolerance = api.post(f"/projects/{project}/cost-tolerance", {"percent": "10"})
    assert tolerance.status_code == 200
    finance = api.get(
        f"/projects/{project}/finance", query_string={"min_position": api.head()}
    ).json
    line_row = finance["lines"][0]
    assert line_row["approved_budget"] == "102500.50"
    assert line_row["forecast_at_completion"] == "115000.25"
    assert line_row["variance"] == "-12499.75"
    assert finance["cost_tolerance"] == "10"
    assert finance["suggested_rag"]["colour"] == "red"
    suggested = api.get(f"/projects/{project}/suggested-rag").json
    assert suggested["cost"] == finance["suggested_rag"]
    assert suggested["benefits"]["colour"] is None
    assert finance["totals"][0]["periods"] == [
        {"month": "2026-01", "actual": "55000.25", "forecast": "0.00"},
        {"month": "2026-02", "actual": "0.00", "forecast": "60000.00"},
    ]
    then = api.get(
        f"/projects/{project}/budgets",
        query_string={"as_of": before_actual.isoformat()},
    ).json["items"]
    assert then[0]["actual_to_date"] == "0.00"
    exported = api.get(f"/projects/{project}/budgets.csv")
    table = list(csv.DictReader(io.StringIO(exported.get_data(as_text=True))))
    assert table[0]["approved_budget"] == "102500.50"
    xlsx = api.get(f"/projects/{project}/budgets.xlsx")
    assert xlsx.status_code == 200 and xlsx.data[:2] == b"PK"
    assert api.post(f"/budgets/{line_id}/close").status_code == 200
    refused(api, 422, f"/budgets/{line_id}/reopen")
    refused(api, 409, f"/budgets/{line_id}/close")


def test_demand_capacity_and_the_portfolio_picture(api: Api) -> None:
    project = api.project()
    demand = api.post(
        f"/projects/{project}/demands",
        {"role": "Data engineer", "skill": "SQL", "person": None, "notes": ""},
        role="project-officer",
    )
    assert demand.status_code == 201
    demand_id = demand.json["id"]
    for month, fte in (("2031-01", "1.5"), ("2031-02", "2")):
        answer = api.post(f"/demands/{demand_id}/months", {"month": month, "fte": fte})
        assert answer.status_code == 201
    refused(api, 422, f"/demands/{demand_id}/months", {"month": "2031-13", "fte": "1"})
    refused(api, 422, f"/demands/{demand_id}/months", {"month": "2031-01", "fte": 1})
    named = api.post(f"/demands/{demand_id}/person", {"person": "Mia Novak"})
    assert named.status_code == 200
    refused(
        api,
        403,
        "/capacity",
        {"role": "Data engineer", "team": ""},
        role="project-officer",
    )
    capacity = api.post("/capacity", {"role": " data  ENGINEER", "team": "Data"})
    assert capacity.status_code == 201 and capacity.headers["Location"].endswith(
        f"/capacity/{capacity.json['id']}"
    )
    month = {"month": "2031-01", "fte": "1.5"}
    assert api.post(f"/capacity/{capacity.json['id']}/months", month).status_code == 201
    picture = api.get(
        "/portfolio/resources",
        query_string={"from": "2031-01", "to": "2031-03", "min_position": api.head()},
    ).json
    role = next(r for r in picture["roles"] if r["role"].casefold() == "data engineer")
    assert [
        (m["demand"], m["capacity"], m["over_allocated"]) for m in role["months"]
    ] == [
        ("1.5", "1.5", False),
        ("2", "0", True),
        ("0", "0", False),
    ]
    code = api.get(f"/projects/{project}").json["code"]
    assert role["months"][0]["by_project"] == {code: "1.5"}
    for query in (
        {"from": "2031-03", "to": "2031-01"},
        {"from": "2031"},
        {"from": "2020-01", "to": "2031-01"},
    ):
        answer = api.get("/portfolio/resources", query_string=query)
        assert answer.status_code == 422 and answer.content_type.startswith(
            "application/problem+json"
        )
    listed = rows(api, "/capacity")
    assert any(c["id"] == capacity.json["id"] for c in listed)
    exported = api.get("/capacity.csv")
    assert capacity.json["id"] in exported.get_data(as_text=True)
    refused(api, 422, f"/demands/{demand_id}/release")
    released = api.post(f"/demands/{demand_id}/release", {"reason": "descoped"})
    assert released.status_code == 200
    gone = api.get(
        "/portfolio/resources",
        query_string={"from": "2031-01", "to": "2031-01", "min_position": api.head()},
    ).json
    role = next(r for r in gone["roles"] if r["role"].casefold() == "data engineer")
    assert role["months"][0]["demand"] == "0"


def test_a_closed_project_takes_measurements_but_not_new_spend(api: Api) -> None:
    project = api.project()
    benefit = api.post(f"/projects/{project}/benefits", BENEFIT).json["id"]
    api.post(f"/benefits/{benefit}/plan", {"measurement_plan": "m"})
    line = api.post(f"/projects/{project}/budgets", LINE).json["id"]
    assert api.post(f"/projects/{project}/close").status_code == 200
    measured = api.post(
        f"/benefits/{benefit}/measurements",
        {
            "measured_on": "2026-01-31",
            "value": "12000",
            "source": "post-project review",
        },
    )
    assert measured.status_code == 201
    refused(api, 409, f"/budgets/{line}/actuals", {"period": "2026-01", "amount": "1"})
    refused(api, 409, f"/projects/{project}/benefits", BENEFIT)
    refused(api, 409, f"/projects/{project}/cost-tolerance", {"percent": "5"})


def test_figures_refuse_bad_reads(api: Api) -> None:
    project = api.project()
    for path in (
        f"/projects/{project}/finance",
        f"/projects/{project}/benefits/figures",
    ):
        assert api.get(path, query_string={"as_of": "yesterday"}).status_code == 422
        early = api.get(path, query_string={"as_of": "2001-01-01T00:00:00Z"})
        assert early.status_code == 200
        assert not early.json.get("lines") and not early.json.get("benefits")
        beyond = api.get(path, query_string={"min_position": api.head() + 100})
        assert beyond.status_code == 422
    missing = api.get("/projects/00000000-0000-4000-8000-000000000000/finance")
    assert missing.status_code == 404

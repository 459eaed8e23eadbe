"""Milestones, plan baselines and dependencies over HTTP, on both backends.

Every route through the role matrix; refusals are problem+json and write
nothing; dependency states follow forecast events across projects.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from api import create_app
from api.auth import allowed_roles
from service.domain.base import ROLES
from tests.api.conftest import Api, issue_tokens
from tests.conftest import BACKENDS, settings_for
from usecases.root import build_services

MILESTONE = {
    "title": "Design signed off",
    "owner": "Max",
    "baseline_date": "2027-03-01",
}
WRITES = {
    "milestones.plan_milestone": {"pmo-head", "project-officer"},
    "milestones.reforecast_milestone": {"pmo-head", "project-officer"},
    "milestones.achieve_milestone": {"pmo-head", "project-officer"},
    "milestones.cancel_milestone": {"pmo-head", "project-officer"},
    "baselines.approve_baseline": {"pmo-head", "project-officer"},
    "dependencies.record_dependency": {"pmo-head", "project-officer"},
    "dependencies.renegotiate_dependency": {"pmo-head", "project-officer"},
    "dependencies.reforecast_dependency": {"pmo-head", "project-officer"},
    "dependencies.resolve_dependency": {"pmo-head", "project-officer"},
    "dependencies.withdraw_dependency": {"pmo-head", "project-officer"},
}


@pytest.fixture(scope="module", params=BACKENDS)
def api(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Api]:
    """One app per backend whose read models follow the store in the background."""
    with settings_for(request.param, tmp_path_factory.mktemp("plans")) as settings:
        services = build_services(settings)
        services.runner.start()
        yield Api(create_app(services=services), issue_tokens(services))
        services.close()


def milestone(api: Api, project: str, **values: Any) -> str:
    response = api.post(f"/projects/{project}/milestones", MILESTONE | values)
    assert response.status_code == 201, response.json
    return str(response.json["id"])


def refused(api: Api, response: Any, status: int, head: int) -> dict[str, Any]:
    """A problem+json refusal that wrote nothing."""
    assert response.status_code == status, response.json
    assert response.mimetype == "application/problem+json"
    assert api.head() == head
    body: dict[str, Any] = response.json
    return body


def test_the_role_matrix_rows_follow_the_declarations() -> None:
    for endpoint, roles in WRITES.items():
        assert allowed_roles(endpoint, "POST") == roles, endpoint
    for endpoint in (
        "planning.project_schedule",
        "planning.suggested_rag",
        "planning.portfolio_dependencies",
        "milestones.list_milestones",
        "register_exports.export_milestones",
    ):
        assert allowed_roles(endpoint, "GET") == set(ROLES)


@pytest.mark.parametrize("role", ["contributor", "custodian", "auditor"])
def test_only_keepers_write_planning_registers(api: Api, role: str) -> None:
    project = api.project()
    ms = milestone(api, project)
    head = api.head()
    for path, body in (
        (f"/projects/{project}/milestones", MILESTONE),
        (f"/milestones/{ms}/forecasts", {"forecast_date": "2027-04-01", "reason": "x"}),
        (f"/milestones/{ms}/achievement", {"actual_date": "2027-03-01"}),
        (f"/milestones/{ms}/cancel", {"reason": "x"}),
        (f"/projects/{project}/baselines", {"name": "B", "tolerance_days": 5}),
        (
            f"/projects/{project}/dependencies",
            {"title": "T", "successor_id": ms, "need_by": "2027-01-01"},
        ),
    ):
        refused(api, api.post(path, body, role=role), 403, head)


def test_a_milestone_is_reforecast_with_reasons_achieved_and_read_as_of(
    api: Api,
) -> None:
    project = api.project()
    ms = milestone(api, project)
    head = api.head()
    late = {"forecast_date": "2027-03-20"}
    body = refused(api, api.post(f"/milestones/{ms}/forecasts", late), 422, head)
    assert "reason" in body["errors"]
    refused(
        api,
        api.post(f"/milestones/{ms}/forecasts", {"forecast_date": "20 March"}),
        422,
        head,
    )
    refused(
        api,
        api.post(f"/milestones/{ms}/forecasts", late | {"reason": "r", "x": 1}),
        422,
        head,
    )
    refused(
        api,
        api.post(
            f"/milestones/{ms}/forecasts",
            late | {"reason": "vendor late"},
            headers={"If-Match": '"7"'},
        ),
        412,
        head,
    )
    before = datetime.now(UTC)
    moved = api.post(
        f"/milestones/{ms}/forecasts",
        late | {"reason": "vendor late"},
        headers={"If-Match": '"1"', "Idempotency-Key": f"k-{ms}"},
    )
    assert moved.status_code == 201 and moved.headers["ETag"] == '"2"'
    again = api.post(
        f"/milestones/{ms}/forecasts",
        late | {"reason": "vendor late"},
        headers={"Idempotency-Key": f"k-{ms}"},
    )
    assert again.json == moved.json and api.head() == head + 1
    now = api.get(f"/milestones/{ms}", query_string={"min_position": 0}).json
    assert (now["status"], now["forecast_date"]) == ("slipped", "2027-03-20")
    then = api.get(f"/milestones/{ms}", query_string={"as_of": before.isoformat()})
    assert then.json["forecast_date"] == "2027-03-01"
    assert then.json["status"] == "planned"
    done = api.post(f"/milestones/{ms}/achievement", {"actual_date": "2027-03-18"})
    assert done.status_code == 200
    head = api.head()
    body = refused(
        api, api.post(f"/milestones/{ms}/cancel", {"reason": "x"}), 409, head
    )
    assert "cannot cancel a milestone that is achieved" in body["detail"]
    history = api.get(f"/milestones/{ms}/history").json["events"]
    assert [e["type"] for e in history] == [
        "Milestone.Planned",
        "Milestone.Reforecast",
        "Milestone.Achieved",
    ]
    assert history[1]["reason"] == "vendor late"
    listed = api.get(
        f"/projects/{project}/milestones",
        query_string={"min_position": done.json["position"], "status": "achieved"},
    ).json["items"]
    assert [(m["id"], m["slip_days"]) for m in listed] == [(ms, 17)]
    exported = api.get(f"/projects/{project}/milestones.csv")
    table = list(csv.reader(io.StringIO(exported.get_data(as_text=True))))
    assert table[0][:5] == ["id", "title", "description", "owner", "baseline_date"]
    assert table[1][0] == ms and "2027-03-18" in table[1]
    assert api.get(f"/projects/{project}/milestones.xlsx").status_code == 200


def test_a_baseline_is_approved_by_the_pmo_head_or_a_board_decision(api: Api) -> None:
    project, other = api.project(), api.project()
    first = milestone(api, project)
    second = milestone(api, project, title="Go live", baseline_date="2027-06-01")
    head = api.head()
    base = {"name": "Stage 2 plan", "tolerance_days": 10}
    officer = "project-officer"
    url = f"/projects/{project}/baselines"
    body = refused(
        api, api.post(url, base | {"approval": "pmo-head"}, role=officer), 403, head
    )
    assert "pmo-head" in body["detail"]
    body = refused(
        api,
        api.post(url, base | {"approval": "project-board"}, role=officer),
        422,
        head,
    )
    assert "board_decision_id" in body["errors"]
    refused(api, api.post(url, base | {"approval": "pmo-head", "dates": {}}), 422, head)
    refused(
        api,
        api.post(url, base | {"approval": "pmo-head", "tolerance_days": -1}),
        422,
        head,
    )
    foreign = decision(api, other)
    head = api.head()
    body = refused(
        api,
        api.post(
            url,
            base | {"approval": "project-board", "board_decision_id": foreign},
            role=officer,
        ),
        422,
        head,
    )
    assert "same project" in str(body["errors"])
    board = decision(api, project)
    approved = api.post(
        url,
        base | {"approval": "project-board", "board_decision_id": board},
        role=officer,
    )
    assert approved.status_code == 201, approved.json
    api.post(
        f"/milestones/{second}/forecasts",
        {"forecast_date": "2027-06-20", "reason": "late vendor"},
    )
    head = api.head()
    rebase = base | {"name": "Replan", "approval": "pmo-head", "tolerance_days": 5}
    body = refused(api, api.post(url, rebase), 422, head)
    assert "rebaseline" in str(body["errors"])
    again = api.post(url, rebase | {"reason": "vendor replan agreed"})
    assert again.status_code == 201, again.json
    stored = api.get(f"/baselines/{again.json['id']}").json
    assert stored["supersedes"] == approved.json["id"]
    assert stored["dates"] == {first: "2027-03-01", second: "2027-06-20"}
    api.post(
        f"/milestones/{second}/forecasts",
        {"forecast_date": "2027-07-01", "reason": "still late"},
    )
    plan = api.get(
        f"/projects/{project}/schedule", query_string={"min_position": api.head()}
    ).json
    assert plan["tolerance_days"] == 5
    assert plan["baseline"]["name"] == "Replan"
    go_live = next(m for m in plan["milestones"] if m["id"] == second)
    assert go_live["slip_days"] == 11 and go_live["beyond_tolerance"]
    assert [(b["name"], b["slip_days"]) for b in go_live["against_baselines"]] == [
        ("Stage 2 plan", 30),
        ("Replan", 11),
    ]
    rag = api.get(f"/projects/{project}/suggested-rag").json
    assert rag["time"]["colour"] == "red"
    assert any("Go live" in r for r in rag["time"]["reasons"])
    assert api.get(f"/projects/{project}/baselines.csv").status_code == 200
    missing = api.get("/projects/00000000-0000-0000-0000-000000000000/schedule")
    assert missing.status_code == 404


def decision(api: Api, project: str) -> str:
    response = api.post(
        f"/projects/{project}/decisions",
        {
            "title": "Approve the stage plan",
            "context": "End of stage 1",
            "outcome": "Approved",
            "rationale": "Within tolerance",
            "decided_by": "Project Board",
            "decided_on": "2026-11-02",
        },
    )
    assert response.status_code == 201, response.json
    return str(response.json["id"])


def test_dependency_states_follow_forecasts_across_projects(api: Api) -> None:
    needing, supplying = api.project(), api.project()
    successor = milestone(api, needing, title="Pilot starts")
    predecessor = milestone(
        api, supplying, title="Platform ready", baseline_date="2027-01-15"
    )
    url = f"/projects/{needing}/dependencies"
    given = {
        "title": "Pilot needs the platform",
        "successor_id": successor,
        "predecessor_id": predecessor,
        "need_by": "2027-02-01",
    }
    head = api.head()
    refused(api, api.post(url, given | {"successor_id": predecessor}), 422, head)
    refused(api, api.post(url, given | {"predecessor_id": "not-a-uuid"}), 422, head)
    unknown = "00000000-0000-0000-0000-000000000001"
    refused(api, api.post(url, given | {"predecessor_id": unknown}), 422, head)
    both = given | {"external_deliverable": "Kit", "external_owner": "Vendor"}
    refused(api, api.post(url, both), 422, head)
    refused(api, api.post(url, given | {"predecessor_id": successor}), 422, head)
    recorded = api.post(url, given)
    assert recorded.status_code == 201, recorded.json
    dependency = recorded.json["id"]
    before_slip = datetime.now(UTC)

    def state(**query: Any) -> str | None:
        query.setdefault("min_position", api.head())
        items = api.get("/portfolio/dependencies", query_string=query).json["items"]
        return next((d["state"] for d in items if d["id"] == dependency), None)

    assert state() == "on-track"
    slip = {"forecast_date": "2027-02-10", "reason": "capacity"}
    assert api.post(f"/milestones/{predecessor}/forecasts", slip).status_code == 201
    assert state() == "at-risk"
    assert state(state="at-risk") == "at-risk"
    assert state(state="on-track") is None
    assert state(as_of=before_slip.isoformat()) == "on-track"
    beyond_need_by = datetime(2027, 2, 2, tzinfo=UTC)
    assert state(as_of=beyond_need_by.isoformat()) == "broken"
    plan = api.get(f"/projects/{needing}/schedule").json
    (listed,) = plan["dependencies"]
    assert listed["cross_project"] and listed["state"] == "at-risk"
    assert api.get(f"/projects/{needing}/suggested-rag").json["time"]["colour"] in (
        "amber",
        "red",
    )
    done = {"actual_date": "2027-02-09"}
    assert api.post(f"/milestones/{predecessor}/achievement", done).status_code == 200
    assert state() == "resolved"
    assert state(as_of=(datetime.now(UTC) + timedelta(days=900)).isoformat()) == (
        "resolved"
    )
    head = api.head()
    body = refused(
        api,
        api.post(
            f"/dependencies/{dependency}/delivery",
            {"delivered_on": "2027-01-01", "reason": "x"},
        ),
        422,
        head,
    )
    assert "predecessor_id" in body["errors"]
    refused(api, api.get("/portfolio/dependencies?state=late"), 422, head)


def test_a_dependency_on_an_external_deliverable(api: Api) -> None:
    project = api.project()
    successor = milestone(api, project)
    url = f"/projects/{project}/dependencies"
    head = api.head()
    external = {
        "title": "Data centre power",
        "successor_id": successor,
        "external_deliverable": "New feed",
        "need_by": "2027-02-01",
    }
    body = refused(api, api.post(url, external), 422, head)
    assert "external_owner" in body["errors"]
    recorded = api.post(url, external | {"external_owner": "Utility Co"})
    assert recorded.status_code == 201, recorded.json
    dep = recorded.json["id"]
    head = api.head()
    moved = {"external_forecast": "2027-03-01"}
    refused(api, api.post(f"/dependencies/{dep}/forecasts", moved), 422, head)
    assert (
        api.post(
            f"/dependencies/{dep}/forecasts", moved | {"reason": "utility said so"}
        ).status_code
        == 201
    )
    plan = api.get(
        f"/projects/{project}/schedule", query_string={"min_position": api.head()}
    ).json
    assert plan["dependencies"][0]["state"] == "at-risk"
    assert not plan["dependencies"][0]["cross_project"]
    renegotiated = api.post(
        f"/dependencies/{dep}/need-by",
        {"need_by": "2027-03-15", "reason": "pilot moved"},
    )
    assert renegotiated.status_code == 200
    plan = api.get(
        f"/projects/{project}/schedule", query_string={"min_position": api.head()}
    ).json
    assert plan["dependencies"][0]["state"] == "on-track"
    delivered = api.post(
        f"/dependencies/{dep}/delivery", {"delivered_on": "2027-02-27"}
    )
    assert delivered.status_code == 200
    head = api.head()
    refused(api, api.post(f"/dependencies/{dep}/withdraw", {"reason": "x"}), 409, head)
    plan = api.get(
        f"/projects/{project}/schedule", query_string={"min_position": api.head()}
    ).json
    assert plan["dependencies"][0]["state"] == "resolved"
    assert api.get(f"/projects/{project}/dependencies.csv").status_code == 200

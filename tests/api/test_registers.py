"""Projects and the four registers over HTTP: every command, reads, history, as_of."""

from __future__ import annotations

import time
from datetime import UTC, datetime

from tests.api.conftest import RISK, Api


def test_project_lifecycle_with_etag_location_and_position(api: Api) -> None:
    created = api.post(
        "/projects",
        {
            "code": "alpha-1",
            "name": "Alpha",
            "sponsor": "S",
            "manager": "M",
            "reason": "new programme",
        },
    )
    assert created.status_code == 201
    pid = created.json["id"]
    assert created.headers["Location"] == f"/api/v1/projects/{pid}"
    assert created.headers["ETag"] == '"1"'
    assert created.json["position"] == api.head()
    stage = api.post(
        f"/projects/{pid}/stage", {"stage": "Initiation"}, headers={"If-Match": '"1"'}
    )
    assert (stage.status_code, stage.headers["ETag"]) == (200, '"2"')
    details = api.post(
        f"/projects/{pid}/details", {"name": "Alpha 2", "sponsor": "S", "manager": "M"}
    )
    assert details.json["version"] == 3
    report = api.post(
        f"/projects/{pid}/status-reports",
        {
            "period_start": "2026-01-01",
            "period_end": "2026-01-31",
            "rag": dict.fromkeys(
                ("time", "cost", "scope", "quality", "benefits", "risk"), "green"
            ),
            "summary": "on track",
            "tolerance_status": "within",
        },
        role="project-officer",
    )
    assert report.status_code == 201
    assert api.post(f"/projects/{pid}/close", role="project-officer").status_code == 200
    reopened = api.post(f"/projects/{pid}/reopen", {"reason": "more work"})
    assert reopened.json["version"] == 6
    got = api.get(f"/projects/{pid}")
    assert (got.json["code"], got.json["name"], got.json["stage"]) == (
        "ALPHA-1",
        "Alpha 2",
        "Initiation",
    )
    assert got.json["last_report"]["rag"]["time"] == "green"
    assert got.headers["ETag"] == '"6"'
    events = api.get(f"/projects/{pid}/history").json["events"]
    assert [e["type"] for e in events] == [
        "Project.Registered",
        "Project.StageChanged",
        "Project.DetailsChanged",
        "Project.StatusReported",
        "Project.Closed",
        "Project.Reopened",
    ]
    assert events[0]["reason"] == "new programme"
    assert events[0]["actor"] == "pmo-head-user"
    assert events[4]["role"] == "project-officer"


def test_request_id_and_x_reason_are_recorded(api: Api) -> None:
    pid = api.project()
    response = api.post(
        f"/projects/{pid}/close", headers={"X-Request-ID": "req-42", "X-Reason": "done"}
    )
    assert response.headers["X-Request-ID"] == "req-42"
    last = api.get(f"/projects/{pid}/history").json["events"][-1]
    assert (last["request_id"], last["reason"]) == ("req-42", "done")


def test_as_of_returns_the_state_at_a_moment(api: Api) -> None:
    pid = api.project()
    rid = api.risk(pid)
    time.sleep(0.01)
    moment = datetime.now(UTC).isoformat()
    time.sleep(0.01)
    api.post(f"/risks/{rid}/close")
    assert api.get(f"/risks/{rid}").json["status"] == "closed"
    then = api.get(f"/risks/{rid}", query_string={"as_of": moment})
    assert (then.json["status"], then.json["version"]) == ("open", 1)
    before = api.get(f"/risks/{rid}", query_string={"as_of": "2000-01-01T00:00:00Z"})
    assert before.status_code == 404
    bad = api.get(f"/risks/{rid}", query_string={"as_of": "yesterday"})
    assert bad.status_code == 422 and "as_of" in bad.json["errors"]


def test_risk_commands(api: Api) -> None:
    rid = api.risk(api.project())
    assessed = api.post(
        f"/risks/{rid}/assessments",
        {
            "inherent_probability": 4,
            "inherent_impact": 5,
            "residual_probability": 2,
            "residual_impact": 3,
        },
    )
    assert assessed.status_code == 201
    responded = api.post(
        f"/risks/{rid}/responses",
        {"response": "reduce", "actions": "second supplier", "actionee": "Olivia"},
    )
    assert responded.json["version"] == 3
    assert api.post(f"/risks/{rid}/close").status_code == 200
    assert api.post(f"/risks/{rid}/reopen").status_code == 200
    risk = api.get(f"/risks/{rid}").json
    assert (risk["residual_probability"], risk["response"], risk["status"]) == (
        2,
        "reduce",
        "open",
    )
    assert len(api.get(f"/risks/{rid}/history").json["events"]) == 5


def test_issue_commands(api: Api) -> None:
    pid = api.project()
    raised = api.post(
        f"/projects/{pid}/issues",
        {
            "issue_type": "problem-concern",
            "title": "Server down",
            "description": "It is down",
            "priority": "high",
            "severity": "major",
        },
        role="contributor",
    )
    assert raised.status_code == 201
    iid = raised.json["id"]
    assert (
        api.post(
            f"/issues/{iid}/examination",
            {"impact_analysis": "a", "options": "b", "recommendation": "c"},
        ).status_code
        == 200
    )
    assert (
        api.post(f"/issues/{iid}/resolution", {"resolution": "fixed"}).status_code
        == 200
    )
    assert api.post(f"/issues/{iid}/close").status_code == 200
    assert api.get(f"/issues/{iid}").json["status"] == "closed"


def test_unresolved_issue_needs_a_reason_to_close(api: Api) -> None:
    pid = api.project()
    iid = api.post(
        f"/projects/{pid}/issues",
        {
            "issue_type": "off-specification",
            "title": "t",
            "description": "d",
            "priority": "low",
            "severity": "minor",
        },
    ).json["id"]
    head = api.head()
    refused = api.post(f"/issues/{iid}/close")
    assert refused.status_code == 422 and "reason" in refused.json["errors"]
    assert api.head() == head
    assert api.post(f"/issues/{iid}/close", {"reason": "duplicate"}).status_code == 200


def test_change_request_through_every_step(api: Api) -> None:
    pid = api.project()
    cid = api.post(
        f"/projects/{pid}/changes",
        {"title": "Add a feature", "description": "d", "justification": "j"},
        role="contributor",
    ).json["id"]
    assert (
        api.post(
            f"/changes/{cid}/assessments",
            {"cost_impact": "1500.50", "time_impact_days": 10},
        ).status_code
        == 201
    )
    assert (
        api.post(
            f"/changes/{cid}/decisions",
            {"decision": "approve", "authority": "Board", "rationale": "worth it"},
        ).status_code
        == 201
    )
    assert (
        api.post(f"/changes/{cid}/implementation", {"notes": "done"}).status_code == 200
    )
    assert api.post(f"/changes/{cid}/close").status_code == 200
    change = api.get(f"/changes/{cid}").json
    assert (change["status"], change["impact"]["cost_impact"]) == ("closed", "1500.50")


def test_decisions_record_and_supersede(api: Api) -> None:
    pid = api.project()
    body = {
        "title": "Use X",
        "context": "c",
        "options": ["X", "Y"],
        "outcome": "X",
        "rationale": "r",
        "decided_by": "Board",
        "decided_on": "2026-02-01",
    }
    first = api.post(f"/projects/{pid}/decisions", body).json["id"]
    second = api.post(f"/projects/{pid}/decisions", body).json["id"]
    superseded = api.post(f"/decisions/{first}/supersede", {"superseded_by": second})
    assert superseded.status_code == 200
    decision = api.get(f"/decisions/{first}").json
    assert (decision["status"], decision["superseded_by"]) == ("superseded", second)
    head = api.head()
    again = api.post(f"/decisions/{first}/supersede", {"superseded_by": second})
    assert again.status_code == 409 and again.json["state"] == "superseded"
    assert api.head() == head


def test_refusals_change_nothing(api: Api) -> None:
    pid = api.project()
    code = api.get(f"/projects/{pid}").json["code"]
    rid = api.risk(pid)
    head = api.head()
    cases = [
        (api.post(f"/risks/{rid}/close", headers={"If-Match": '"7"'}), 412),
        (api.post(f"/risks/{rid}/close", headers={"If-Match": 'W/"1"'}), 412),
        (api.post(f"/projects/{pid}/risks", RISK, headers={"If-Match": '"9"'}), 412),
        (api.post(f"/risks/{pid}/close"), 404),
        (api.post("/projects/00000000-0000-0000-0000-000000000001/risks", RISK), 404),
        (api.post(f"/projects/{pid}/risks", RISK | {"probability": 6}), 422),
        (api.post(f"/projects/{pid}/risks", RISK | {"probability": "3"}), 422),
        (api.post(f"/projects/{pid}/risks", RISK | {"colour": "red"}), 422),
        (api.post(f"/projects/{pid}/risks", RISK | {"title": "\x00"}), 422),
        (
            api.post(
                f"/risks/{rid}/responses",
                {"response": "exploit", "actions": "a", "actionee": "b"},
            ),
            422,
        ),
        (
            api.post(
                "/projects",
                {"code": code, "name": "n", "sponsor": "s", "manager": "m"},
            ),
            409,
        ),
        (api.post(f"/risks/{rid}/reopen"), 409),
        (
            api.post(
                f"/projects/{pid}/risks",
                data=b"{",
                headers={"Content-Type": "application/json"},
            ),
            400,
        ),
        (
            api.post(
                f"/projects/{pid}/risks",
                data=b"a=1",
                headers={"Content-Type": "application/x-www-form-urlencoded"},
            ),
            415,
        ),
        (
            api.post(
                f"/projects/{pid}/risks",
                data=b"[" * (1024 * 1024 + 1),
                headers={"Content-Type": "application/json"},
            ),
            413,
        ),
        (api.client.put(f"/api/v1/risks/{rid}"), 405),
    ]
    for response, status in cases:
        assert response.status_code == status, response.json
        assert response.content_type == "application/problem+json"
        assert {"type", "title", "status", "detail"} <= set(response.json)
        assert response.json["status"] == status
    assert api.head() == head


def test_validation_names_each_bad_field(api: Api) -> None:
    pid = api.project()
    response = api.post(
        f"/projects/{pid}/risks", RISK | {"impact": 0, "kind": "x", "extra": 1}
    )
    assert set(response.json["errors"]) == {"impact", "kind", "extra"}


def test_conflict_names_the_current_state(api: Api) -> None:
    pid = api.project()
    api.post(f"/projects/{pid}/close")
    head = api.head()
    refused = api.post(f"/projects/{pid}/risks", RISK)
    assert refused.status_code == 409
    assert refused.json["state"] == "closed" and "closed" in refused.json["detail"]
    assert api.head() == head

"""Quality-gated approval, links, lessons search, overdue actions, contracts ending.

Each refusal is problem+json and writes nothing (the store's head stays put).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from tests.api.conftest import Api

REVIEW = {
    "method": "review",
    "producer": "Pat Producer",
    "reviewers": ["Rita Reviewer", "Ravi Reviewer"],
    "chair": "Chris Chair",
    "approver": "Alex Approver",
    "planned_on": "2026-01-12",
}
LESSON = {
    "observation": "Supplier onboarding took six weeks",
    "recommendation": "Start onboarding at contract award",
    "category": "commercial",
    "priority": "high",
    "raised_by": "Olivia",
}


def refused(api: Api, path: str, body: Any, status: int, **kwargs: Any) -> Any:
    """Post, expect a problem of this status, and check nothing was written."""
    head = api.head()
    response = api.post(path, body, **kwargs)
    assert response.status_code == status, response.json
    assert response.mimetype == "application/problem+json"
    assert api.head() == head
    return response.json


def document_with_version(api: Api, project: str, doc_type: str) -> str:
    """A document of a type with one version in review."""
    body = {
        "title": f"{doc_type} document",
        "doc_type": doc_type,
        "classification": "internal",
        "retention_class": "project-record",
        "owner": "Max",
    }
    doc = api.post(f"/projects/{project}/documents", body).json["id"]
    for _ in range(2):
        uploaded = api.post(
            f"/documents/{doc}/versions",
            data=b"content",
            headers={"Content-Type": "text/plain", "X-Filename": "d.txt"},
            role="custodian",
        )
        assert uploaded.status_code == 201, uploaded.json
    return str(doc)


def signed_off_review(api: Api, project: str, doc: str, version: int) -> str:
    """A review of one version, held with one action, done, then signed off."""
    body = REVIEW | {"title": "Review", "document_id": doc, "document_version": version}
    review = api.post(f"/projects/{project}/reviews", body).json["id"]
    held = {"held_on": "2026-01-14", "result": "pass-with-actions"}
    assert api.post(f"/reviews/{review}/result", held).status_code == 200
    action = {"action": "Fix table 3", "owner": "Pat Producer"}
    assert api.post(f"/reviews/{review}/follow-ups", action).status_code == 201
    refused(api, f"/reviews/{review}/sign-off", None, 409)
    done = api.post(f"/reviews/{review}/follow-ups-done", {"number": 1})
    assert done.status_code == 200, done.json
    signed = api.post(f"/reviews/{review}/sign-off", {"sign_off_note": "ok"})
    assert signed.status_code == 200, signed.json
    return str(review)


def test_approval_needs_a_signed_off_review_of_that_exact_version(live: Api) -> None:
    project = live.project()
    doc_type = f"plan-{project[:8]}"
    doc = document_with_version(live, project, doc_type)
    before_policy = datetime.now(UTC)
    rule = {"doc_type": doc_type, "required": True, "reason": "ISO 9001 7.5"}
    assert live.post("/quality-policy", rule, role="custodian").status_code == 403
    assert live.post("/quality-policy", rule).status_code == 200
    refused(live, "/quality-policy", rule, 422)
    for number in (1, 2):
        assert live.post(f"/documents/{doc}/versions/{number}/review").status_code
    problem = refused(
        live, f"/documents/{doc}/versions/2/approve", None, 409, role="custodian"
    )
    assert "signed-off quality review of version 2" in problem["detail"]
    assert "none is planned" in problem["detail"]
    signed_off_review(live, project, doc, 1)
    problem = refused(
        live, f"/documents/{doc}/versions/2/approve", None, 409, role="custodian"
    )
    assert "version 2" in problem["detail"]
    review = signed_off_review(live, project, doc, 2)
    approved = live.post(f"/documents/{doc}/versions/2/approve", role="custodian")
    assert approved.status_code == 200, approved.json
    policy = live.get("/quality-policy", query_string={"as_of": before_policy})
    assert doc_type not in policy.json["required"]
    assert live.get("/quality-policy").json["required"][doc_type] is True
    record = live.get(
        f"/documents/{doc}/quality-reviews",
        query_string={"min_position": approved.json["position"]},
    ).json
    by_number = {v["number"]: v for v in record["versions"]}
    assert [r["id"] for r in by_number[2]["reviews"]] == [review]
    assert by_number[2]["status"] == "approved"


def test_a_type_without_a_rule_is_approved_as_before(live: Api) -> None:
    project = live.project()
    doc = document_with_version(live, project, "memo")
    assert live.post(f"/documents/{doc}/versions/1/review").status_code == 200
    approved = live.post(f"/documents/{doc}/versions/1/approve", role="custodian")
    assert approved.status_code == 200, approved.json


def test_a_review_names_a_version_the_document_has(live: Api) -> None:
    project = live.project()
    doc = document_with_version(live, project, "brief")
    body = REVIEW | {"title": "R", "document_id": doc, "document_version": 3}
    problem = refused(live, f"/projects/{project}/reviews", body, 422)
    assert "document_version" in problem["errors"]
    other = live.project()
    body = REVIEW | {"title": "R", "document_id": doc}
    problem = refused(live, f"/projects/{other}/reviews", body, 422)
    assert "same project" in problem["errors"]["document_id"][0]
    body = REVIEW | {"title": "R", "document_version": 1}
    refused(live, f"/projects/{project}/reviews", body, 422)


def test_a_failed_review_is_re_planned_and_its_failure_kept(live: Api) -> None:
    project = live.project()
    review = live.post(f"/projects/{project}/reviews", REVIEW | {"title": "R"}).json
    failed = {"held_on": "2026-01-14", "result": "fail"}
    written = live.post(f"/reviews/{review['id']}/result", failed).json
    refused(live, f"/reviews/{review['id']}/sign-off", None, 409)
    again = {"planned_on": "2026-02-01"}
    assert live.post(f"/reviews/{review['id']}/re-review", again).status_code == 200
    now = live.get(f"/reviews/{review['id']}").json
    assert now["status"] == "re-planned"
    assert now["rounds"] == 2
    assert now["result"] is None
    history = live.get(f"/reviews/{review['id']}/history").json["events"]
    assert [e["fields"].get("result") for e in history][1] == "fail"
    assert written["version"] == 2


def test_links_are_kept_within_one_project_and_shown_on_both_ends(live: Api) -> None:
    project = live.project()
    risk = live.risk(project)
    action = live.post(
        f"/projects/{project}/actions",
        {"title": "Call supplier", "owner": "Olivia", "due_on": "2026-03-01"},
    ).json["id"]
    link = {
        "from_register": "actions",
        "from_id": action,
        "relation": "action-on",
        "to_register": "risks",
        "to_id": risk,
    }
    made = live.post(f"/projects/{project}/links", link)
    assert made.status_code == 201, made.json
    other = live.project()
    foreign = live.risk(other)
    refused(live, f"/projects/{project}/links", link | {"to_id": foreign}, 422)
    refused(live, f"/projects/{other}/links", link | {"to_id": foreign}, 422)
    unknown = "00000000-0000-4000-8000-000000000001"
    refused(live, f"/projects/{project}/links", link | {"to_id": unknown}, 422)
    refused(live, f"/projects/{project}/links", link | {"to_register": "issues"}, 422)
    refused(live, f"/projects/{project}/links", link | {"to_id": action}, 422)
    refused(live, f"/projects/{project}/links", link | {"to_register": "x"}, 422)
    seen = live.get(
        f"/projects/{project}/entries/{risk}/links",
        query_string={"min_position": made.json["position"]},
    ).json
    assert [x["from_id"] for x in seen["links_to"]] == [action]
    assert live.get(f"/projects/{project}/entries/{action}/links").json["links_from"]
    between = datetime.now(UTC)
    removed = live.post(f"/links/{made.json['id']}/remove", {"reason": "done"})
    assert removed.status_code == 200
    now = live.get(
        f"/projects/{project}/entries/{risk}/links",
        query_string={"min_position": removed.json["position"]},
    ).json
    assert now["links_to"] == []
    then = live.get(
        f"/projects/{project}/entries/{risk}/links",
        query_string={"as_of": between.isoformat()},
    ).json
    assert [x["from_id"] for x in then["links_to"]] == [action]


def test_an_action_names_its_subject_in_its_project(live: Api) -> None:
    project = live.project()
    risk = live.risk(project)
    base = {"title": "t", "owner": "o", "due_on": "2026-03-01"}
    refused(live, f"/projects/{project}/actions", base | {"subject_id": risk}, 422)
    wrong = base | {"subject_register": "issues", "subject_id": risk}
    refused(live, f"/projects/{project}/actions", wrong, 422)
    right = base | {"subject_register": "risks", "subject_id": risk}
    assert live.post(f"/projects/{project}/actions", right).status_code == 201


def test_lessons_are_searched_across_projects(live: Api) -> None:
    word = f"zebra{live.project()[:6]}"
    first, second = live.project(), live.project()
    ids = []
    for project, category in ((first, "commercial"), (second, "technical")):
        body = LESSON | {"title": f"{word} onboarding", "category": category}
        ids.append(live.post(f"/projects/{project}/lessons", body).json)
    live.post(f"/projects/{first}/lessons", LESSON | {"title": "unrelated"})
    found = live.get(
        "/lessons/search",
        query_string={"q": word, "min_position": ids[-1]["position"]},
    ).json
    assert {i["project_id"] for i in found["items"]} == {first, second}
    only = live.get(
        "/lessons/search", query_string={"q": word, "category": "technical"}
    )
    assert [i["id"] for i in only.json["items"]] == [ids[1]["id"]]
    review = {"review_note": "good", "scope": "corporate"}
    assert live.post(f"/lessons/{ids[0]['id']}/review", review).status_code == 200
    refused(live, f"/lessons/{ids[0]['id']}/accept", None, 403, role="project-officer")
    accepted = live.post(f"/lessons/{ids[0]['id']}/accept")
    library = live.get(
        "/lessons/search",
        query_string={
            "q": word,
            "status": "accepted",
            "min_position": accepted.json["position"],
        },
    ).json
    assert [i["id"] for i in library["items"]] == [ids[0]["id"]]
    assert (
        live.get("/lessons/search", query_string={"category": "x"}).status_code == 422
    )


def test_overdue_actions_and_contracts_ending(live: Api) -> None:
    project = live.project()
    late = {"title": "Late", "owner": "o", "due_on": "2020-01-01"}
    ahead = {"title": "Ahead", "owner": "o", "due_on": "2999-01-01"}
    first = live.post(f"/projects/{project}/actions", late).json
    live.post(f"/projects/{project}/actions", ahead)
    last = live.post(f"/projects/{project}/actions", late | {"title": "Done"}).json
    done = live.post(f"/actions/{last['id']}/done", {"outcome": "sent"}).json
    overdue = live.get(
        f"/projects/{project}/actions/overdue",
        query_string={"min_position": done["position"]},
    ).json
    assert [a["id"] for a in overdue["items"]] == [first["id"]]
    assert overdue["items"][0]["days_overdue"] > 0
    portfolio = live.get("/actions/overdue").json["items"]
    assert first["id"] in {a["id"] for a in portfolio}
    today = datetime.now(UTC).date()
    contract = {
        "title": "Hosting",
        "supplier": "Acme",
        "reference": "C-1",
        "scope": "hosting",
        "value": "1200.50",
        "currency": "EUR",
        "starts_on": "2020-01-01",
        "ends_on": today.replace(year=today.year + 1).isoformat(),
        "owner": "o",
    }
    refused(live, f"/projects/{project}/contracts", contract | {"value": "1.505"}, 422)
    refused(live, f"/projects/{project}/contracts", contract | {"currency": "XXX"}, 422)
    refused(live, f"/projects/{project}/contracts", contract | {"value": 1200.5}, 422)
    made = live.post(f"/projects/{project}/contracts", contract).json
    award = {"supplier": "Acme", "value": "1100.00", "awarded_on": "2020-01-02"}
    assert live.post(f"/contracts/{made['id']}/award", award).status_code == 200
    started = live.post(f"/contracts/{made['id']}/start", {"starts_on": "2020-01-03"})
    assert started.status_code == 200, started.json
    soon = live.get(
        f"/projects/{project}/contracts/ending",
        query_string={"within": 400, "min_position": started.json["position"]},
    ).json
    assert [c["id"] for c in soon["items"]] == [made["id"]]
    assert (
        live.get(f"/projects/{project}/contracts/ending?within=30").json["items"] == []
    )
    assert live.get("/contracts/ending?within=-1").status_code == 422


@pytest.mark.parametrize(
    ("path", "role"),
    [
        ("/quality-policy", "project-officer"),
        ("/quality-policy", "auditor"),
    ],
)
def test_only_the_pmo_head_sets_the_quality_policy(
    live: Api, path: str, role: str
) -> None:
    refused(live, path, {"doc_type": "x", "required": True}, 403, role=role)


def test_the_daily_log_is_never_changed(live: Api) -> None:
    project = live.project()
    note = live.post(
        f"/projects/{project}/diary", {"entry_kind": "problem", "text": "Server down"}
    ).json
    correction = {
        "entry_kind": "note",
        "text": "It was the test server",
        "corrects_id": note["id"],
    }
    assert live.post(f"/projects/{project}/diary", correction).status_code == 201
    other = live.project()
    refused(live, f"/projects/{other}/diary", correction, 422)
    assert live.post(f"/diary/{note['id']}/anything", {}).status_code == 404

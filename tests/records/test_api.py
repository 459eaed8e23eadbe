"""The records resources over HTTP: roles, refusals as problems, the review flow."""

from __future__ import annotations

import csv
import hashlib
import io
import zipfile
from collections.abc import Iterator
from typing import Any

import pytest
from flask.testing import FlaskClient

from api import create_app
from service.domain.base import Meta
from tests.custody.conftest import submit
from tests.records.conftest import cut_short, new_project, new_record
from usecases.membership import grant_existing_tokens
from usecases.root import Services

PEOPLE = {
    "cara": "custodian",
    "dora": "custodian",
    "hana": "pmo-head",
    "aldo": "auditor",
    "colin": "contributor",
}
PROBLEM = "application/problem+json"


class Caller:
    """A client speaking as one named person at a time."""

    def __init__(self, services: Services) -> None:
        self.services = services
        self.client: FlaskClient = create_app(services=services).test_client()
        meta = Meta("setup", "pmo-head")
        self.secrets = {
            name: services.app.issue_token(name, role, meta).secret
            for name, role in PEOPLE.items()
        }
        grant_existing_tokens(services, meta)

    def __call__(self, who: str, method: str, path: str, body: Any = None) -> Any:
        headers = {"Authorization": f"Bearer {self.secrets[who]}"}
        return self.client.open(
            "/api/v1" + path, method=method, headers=headers, json=body
        )


@pytest.fixture
def call(services: Services) -> Iterator[Caller]:
    """Named callers over the records store."""
    yield Caller(services)


def refused(response: Any, status: int) -> None:
    assert response.status_code == status, response.text
    assert response.content_type == PROBLEM


def test_refusals_are_problems_and_write_nothing(call: Caller) -> None:
    app = call.services.app
    project = new_project(app, "REF")
    document = new_record(app, project, "Brief")
    head = app.head_position()
    good = {
        "code": "NEW",
        "title": "New",
        "retention_class": "scratch",
        "classification": "internal",
        "owner": "PMO",
    }
    cases = [
        ("colin", "POST", "/records/plan/classes", good, 403),
        ("cara", "POST", "/records/plan/classes", good | {"colour": "red"}, 422),
        ("cara", "POST", "/records/plan/classes", good | {"code": "bad code"}, 422),
        ("cara", "POST", "/records/plan/classes", good | {"parent": "NOPE"}, 422),
        ("cara", "POST", "/records/plan/classes", good | {"retention_class": "x"}, 422),
        (
            "cara",
            "POST",
            f"/documents/{document}/reclassify",
            {"record_class": "WORK"},
            422,
        ),
        (
            "cara",
            "POST",
            "/records/holds",
            {"matter": "M", "title": "t", "mandate": "m"},
            422,
        ),
        (
            "cara",
            "POST",
            "/records/reviews",
            {"action": "burn", "document_ids": [str(document)], "note": "n"},
            422,
        ),
        (
            "cara",
            "POST",
            "/records/reviews",
            {"action": "destroy", "document_ids": [], "note": "n"},
            422,
        ),
        ("colin", "GET", "/records/worklist", None, 403),
        ("aldo", "GET", "/records/worklist?within_days=-3", None, 422),
        ("aldo", "GET", "/records/worklist?as_of=yesterday", None, 422),
        ("aldo", "GET", f"/records/reviews/{document}", None, 404),
        ("aldo", "GET", "/records/reports/secrets", None, 404),
        ("aldo", "GET", "/records/reports/holds.pdf", None, 404),
    ]
    for who, method, path, body, status in cases:
        refused(call(who, method, path, body), status)
    assert app.head_position() == head
    assert call("colin", "GET", "/records/plan").status_code == 200


def test_worklist_review_and_certificate_over_http(call: Caller) -> None:
    app = call.services.app
    project = new_project(app, "FLOW")
    made = [new_record(app, project, t) for t in ("Alpha brief", "Beta brief")]
    submit(app, made[0], b"alpha bytes")
    ids = [str(d) for d in made]
    due = call(
        "aldo", "GET", f"/records/worklist?record_class=GOV&project_id={project}"
    )
    assert sorted(r["document_id"] for r in due.json["items"]) == sorted(ids)
    assert all(r["action"] == "destroy" for r in due.json["items"])
    proposal = {"action": "destroy", "document_ids": ids, "note": "due briefs"}
    created = call("cara", "POST", "/records/reviews", proposal)
    assert created.status_code == 201
    review = created.json["id"]
    one = f"/records/reviews/{review}"
    refused(call("cara", "POST", one + "/execute"), 409)
    refused(call("dora", "POST", one + "/review"), 422)  # the outcome is required
    assert (
        call("dora", "POST", one + "/review", {"reason": "all due"}).status_code == 200
    )
    for same in ("cara", "dora"):
        refused(call(same, "POST", one + "/approve"), 409)
    refused(call("aldo", "POST", one + "/approve"), 403)
    assert call("hana", "POST", one + "/approve").status_code == 200
    done = call("cara", "POST", one + "/execute")
    assert done.status_code == 200, done.text
    certificate = call("aldo", "GET", one + "/certificate")
    assert certificate.content_type == "application/json"
    digest = hashlib.sha256(certificate.data).hexdigest()
    assert digest == done.json["certificate_sha256"]
    assert certificate.json["approved"]["by"] == "hana"
    assert call("aldo", "GET", one + "/certificate/verify").json["ok"] is True
    refused(call("aldo", "GET", one + "/package"), 404)  # destroyed: no package
    assert call("aldo", "GET", one).json["status"] == "executed"
    assert call("aldo", "GET", "/records/worklist").json["items"] == []
    report = call("aldo", "GET", "/records/reports/disposals").json
    assert sorted(r["document_id"] for r in report["items"]) == sorted(ids)
    exported = call("aldo", "GET", "/records/reports/records.csv")
    rows = list(csv.DictReader(io.StringIO(exported.text)))
    assert {"record_class": "GOV.BRIEF", "status": "disposed", "count": "2"} in rows
    workbook = call("aldo", "GET", "/records/reports/schedule.xlsx")
    with zipfile.ZipFile(io.BytesIO(workbook.data)) as archive:
        assert b"scratch" in archive.read("xl/worksheets/sheet1.xml")


def test_holds_over_http_cover_later_records(call: Caller) -> None:
    app = call.services.app
    project = new_project(app, "HOLDS")
    body = {
        "matter": "LIT-9",
        "title": "Claim",
        "mandate": "Counsel",
        "project_id": str(project),
    }
    placed = call("cara", "POST", "/records/holds", body)
    assert placed.status_code == 201
    hold = placed.json["id"]
    later = new_record(app, project, "Later brief")
    covered = call("aldo", "GET", f"/records/holds/{hold}").json["records"]
    assert [r["document_id"] for r in covered] == [str(later)]
    refused(call("cara", "POST", f"/documents/{later}/dispose"), 409)
    refused(call("cara", "POST", f"/records/holds/{hold}/release"), 422)
    released = call(
        "cara", "POST", f"/records/holds/{hold}/release", {"reason": "settled"}
    )
    assert released.status_code == 200
    listed = call("aldo", "GET", "/records/reports/holds").json["items"]
    assert [(h["matter"], h["status"]) for h in listed] == [("LIT-9", "released")]
    moved = call(
        "cara",
        "POST",
        f"/documents/{later}/reclassify",
        {"record_class": "WORK", "reason": "a working paper after all"},
    )
    assert moved.status_code == 200
    plan = call("colin", "GET", "/records/plan").json
    assert plan["reclassified"] == {str(later): "WORK"}


def test_cross_project_lists_leave_out_what_the_caller_does_not_reach(
    call: Caller,
) -> None:
    app = call.services.app
    mine, theirs = new_project(app, "MINE"), new_project(app, "THEIRS")
    seen = new_record(app, mine, "Mine brief")
    hidden = new_record(app, theirs, "Their brief")
    meta = Meta("setup", "pmo-head")
    nina = app.issue_token("nina", "custodian", meta)
    app.grant_membership(f"token:{nina.token_id}", mine, "custodian", meta)
    call.secrets["nina"] = nina.secret
    listed = call("nina", "GET", "/records/worklist").json["items"]
    assert [r["document_id"] for r in listed] == [str(seen)]
    everything = call("aldo", "GET", "/records/worklist").json["items"]
    assert len(everything) == 2
    head = app.head_position()
    named = {"document_ids": [str(hidden)]}
    for path, body in (
        ("/records/holds", {"matter": "M", "title": "t", "mandate": "m", **named}),
        (
            "/records/holds",
            {"matter": "M", "title": "t", "mandate": "m", "project_id": str(theirs)},
        ),
        ("/records/reviews", {"action": "destroy", "note": "n", **named}),
    ):
        answer = call("nina", "POST", path, body)
        refused(answer, 404)
        assert "not found" in answer.json["title"].lower() or answer.json["detail"]
    assert app.head_position() == head


def test_a_review_cut_short_is_finished_over_http(
    call: Caller, monkeypatch: pytest.MonkeyPatch
) -> None:
    review = cut_short(call.services, monkeypatch, ("One brief", "Two brief"))
    one = f"/records/reviews/{review}"
    shown = call("aldo", "GET", one).json
    assert (shown["status"], shown["started_by"]) == ("executing", "cara")
    refused(call("hana", "POST", one + "/reject", {"reason": "stop"}), 409)
    refused(call("aldo", "POST", one + "/execute"), 403)
    done = call("dora", "POST", one + "/execute")
    assert done.status_code == 200, done.text
    assert call("aldo", "GET", one).json["executed_by"] == "dora"
    assert call("aldo", "GET", one + "/certificate/verify").json["ok"] is True
    listed = call("aldo", "GET", one + "/certificate").json["records"]
    assert sorted(r["title"] for r in listed) == ["One brief", "Two brief"]
    refused(call("dora", "POST", one + "/execute"), 409)

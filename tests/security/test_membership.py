"""Project membership: reads and writes reach only one's projects; refusals recorded."""

from __future__ import annotations

import time
import uuid
from datetime import UTC, datetime
from typing import Any

from service.domain.base import Meta
from service.domain.membership import Refusal
from tests.api.conftest import RISK, Api

REFUSED: type = Refusal.Recorded  # type: ignore[attr-defined]
SETUP = Meta("setup", "pmo-head")


def person(api: Api, role: str) -> tuple[str, str]:
    """A fresh token of a role with no memberships: its key in api.tokens, subject."""
    issued = api.services.app.issue_token(f"new {role}", role, SETUP)
    key = f"{role}-{issued.token_id}"
    api.tokens[key] = issued.secret
    return key, f"token:{issued.token_id}"


def grant(api: Api, subject: str, project_id: str | None, role: str) -> Any:
    body = {"subject": subject, "project_id": project_id, "role": role}
    return api.post("/access/memberships", body | {"reason": "joins the team"})


def last_refusal(api: Api) -> Any:
    found = list(api.services.app.iter_events_of(REFUSED))
    return found[-1] if found else None


def refused_once(api: Api, before: int, project_id: str, subject: str) -> None:
    """Exactly one event was written since `before`: the refusal."""
    assert api.head() == before + 1
    event, position = last_refusal(api)
    assert position == before + 1
    assert str(event.project_id) == project_id and event.subject == subject


def test_a_token_without_memberships_reaches_no_project(live: Api) -> None:
    api = live
    project = api.project()
    risk = api.risk(project)
    key, subject = person(api, "contributor")
    listed = api.get("/projects", role=key, query_string={"min_position": api.head()})
    assert listed.status_code == 200
    assert project not in {p["id"] for p in listed.json["items"]}
    for path in (f"/projects/{project}", f"/risks/{risk}", f"/risks/{risk}/history"):
        before = api.head()
        response = api.get(path, role=key)
        assert response.status_code == 404, (path, response.json)
        assert response.content_type == "application/problem+json"
        refused_once(api, before, project, subject)
    unknown = uuid.uuid4()
    gone = api.get(f"/projects/{unknown}", role=key)
    hidden = api.get(f"/projects/{project}", role=key)
    assert set(gone.json) == set(hidden.json)
    assert gone.json["detail"].replace(str(unknown), "X") == hidden.json[
        "detail"
    ].replace(project, "X")


def test_a_member_reaches_its_project_and_no_other(live: Api) -> None:
    api = live
    mine, theirs = api.project(), api.project()
    their_risk = api.risk(theirs)
    key, subject = person(api, "contributor")
    assert grant(api, subject, mine, "contributor").status_code == 200
    fresh = {"min_position": api.head()}
    found = api.get("/projects", role=key, query_string=fresh).json["items"]
    listed = {p["id"] for p in found}
    assert mine in listed and theirs not in listed
    assert api.get(f"/projects/{mine}/risks", role=key).status_code == 200
    created = api.post(f"/projects/{mine}/risks", RISK, role=key)
    assert created.status_code == 201, created.json
    before = api.head()
    refused = api.post(f"/projects/{theirs}/risks", RISK, role=key)
    assert refused.status_code == 404
    refused_once(api, before, theirs, subject)
    before = api.head()
    closing = api.post(f"/risks/{their_risk}/close", {"reason": "x"}, role=key)
    assert closing.status_code == 404
    refused_once(api, before, theirs, subject)
    assert api.get(f"/risks/{their_risk}").json["status"] != "closed"


def test_the_role_is_the_one_held_in_the_project(live: Api) -> None:
    api = live
    led, joined = api.project(), api.project()
    key, subject = person(api, "contributor")
    grant(api, subject, led, "project-officer")
    grant(api, subject, joined, "contributor")
    details = {"name": "N", "description": "", "sponsor": "S", "manager": "M"}
    assert api.post(f"/projects/{led}/details", details, role=key).status_code == 200
    before = api.head()
    refused = api.post(f"/projects/{joined}/details", details, role=key)
    assert refused.status_code == 403 and refused.json["roles"]
    assert api.head() == before


def test_a_portfolio_wide_membership_reaches_every_project(live: Api) -> None:
    api = live
    key, subject = person(api, "custodian")
    grant(api, subject, None, "custodian")
    project = api.project()
    assert api.get(f"/projects/{project}", role=key).status_code == 200


def test_only_the_pmo_head_manages_memberships(live: Api) -> None:
    api = live
    project = api.project()
    _, subject = person(api, "contributor")
    for role in ("project-officer", "custodian", "contributor", "auditor"):
        before = api.head()
        body = {"subject": subject, "project_id": project, "role": "contributor"}
        response = api.post("/access/memberships", body, role=role)
        assert response.status_code in (403, 404), role
        assert api.head() == before
    bad = grant(api, "nobody", project, "contributor")
    assert bad.status_code == 422 and "subject" in bad.json["errors"]
    assert grant(api, subject, str(uuid.uuid4()), "contributor").status_code == 404
    assert grant(api, subject, project, "pmo-head").status_code == 422


def test_memberships_are_events_with_who_and_why(live: Api) -> None:
    api = live
    project = api.project()
    _, subject = person(api, "contributor")
    written = grant(api, subject, project, "contributor")
    history = api.get(f"/projects/{project}/readers").json["items"]
    assert subject in {r["subject"] for r in history}
    events = list(api.services.app.events.get(uuid.UUID(written.json["id"])))
    granted = events[-1]
    assert type(granted).__name__ == "MembershipGranted"
    assert granted.meta.actor == "pmo-head-user" and granted.meta.reason == (
        "joins the team"
    )
    assert grant(api, subject, project, "contributor").status_code == 409


def test_revoking_a_membership_takes_effect_at_once(live: Api) -> None:
    api = live
    project = api.project()
    key, subject = person(api, "contributor")
    grant(api, subject, project, "contributor")
    assert api.get(f"/projects/{project}", role=key).status_code == 200
    body = {"subject": subject, "project_id": project, "reason": "left"}
    assert api.post("/access/memberships/revoke", body).status_code == 200
    assert api.get(f"/projects/{project}", role=key).status_code == 404
    assert api.post("/access/memberships/revoke", body).status_code == 409


def test_who_could_read_a_project_on_a_date(live: Api) -> None:
    api = live
    project = api.project()
    _, subject = person(api, "contributor")
    before_grant = _now()
    grant(api, subject, project, "contributor")
    while_member = _now()
    body = {"subject": subject, "project_id": project}
    api.post("/access/memberships/revoke", body)

    def readers(moment: datetime | None) -> set[str]:
        query = {"as_of": moment.isoformat()} if moment else {}
        response = api.get(f"/projects/{project}/readers", query_string=query)
        assert response.status_code == 200, response.json
        return {r["subject"] for r in response.json["items"]}

    assert subject not in readers(before_grant)
    assert subject in readers(while_member)
    assert subject not in readers(None)
    everyone = api.get(f"/projects/{project}/readers").json["items"]
    roles = {r["role"] for r in everyone if r["via"] == "portfolio role"}
    assert roles == {"pmo-head", "auditor"}
    for role in ("contributor", "custodian", "project-officer"):
        denied = api.get(f"/projects/{project}/readers", role=role)
        assert denied.status_code == 403


def _now() -> datetime:
    moment = datetime.now(UTC)
    time.sleep(0.01)
    return moment

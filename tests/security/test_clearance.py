"""Document clearance: above it, a document's metadata and content are not there."""

from __future__ import annotations

import time
from datetime import UTC, datetime

from tests.api.conftest import DOCUMENT, Api
from tests.security.test_membership import grant, person, refused_once


def document(api: Api, project: str, classification: str) -> str:
    body = DOCUMENT | {"classification": classification, "title": classification}
    response = api.post(f"/projects/{project}/documents", body)
    assert response.status_code == 201, response.json
    version = api.post(
        f"/documents/{response.json['id']}/versions",
        role="pmo-head",
        data=b"%PDF- secret",
        headers={"Content-Type": "application/pdf", "X-Filename": "d.pdf"},
    )
    assert version.status_code == 201, version.json
    return str(response.json["id"])


def clear(api: Api, subject: str, level: str) -> None:
    body = {"subject": subject, "clearance": level, "reason": "vetted"}
    response = api.post("/access/clearances", body)
    assert response.status_code == 200, response.json


def test_above_ones_clearance_a_document_is_not_found(live: Api) -> None:
    api = live
    project = api.project()
    internal = document(api, project, "internal")
    secret = document(api, project, "confidential")
    key, subject = person(api, "custodian")
    grant(api, subject, project, "custodian")
    fresh = {"min_position": api.head()}
    listed = api.get(f"/projects/{project}/documents", role=key, query_string=fresh)
    assert [d["id"] for d in listed.json["items"]] == [internal]
    assert api.get(f"/documents/{internal}", role=key).status_code == 200
    for path in (
        f"/documents/{secret}",
        f"/documents/{secret}/history",
        f"/documents/{secret}/content",
        f"/documents/{secret}/versions/1/content",
        f"/documents/{secret}/authoritative",
    ):
        before = api.head()
        response = api.get(path, role=key)
        assert response.status_code == 404, path
        assert b"secret" not in response.data
        refused_once(api, before, project, subject)
    before = api.head()
    upload = api.post(
        f"/documents/{secret}/versions",
        role=key,
        data=b"more",
        headers={"Content-Type": "text/plain", "X-Filename": "x.txt"},
    )
    assert upload.status_code == 404
    refused_once(api, before, project, subject)
    clear(api, subject, "confidential")
    assert (
        api.get(f"/documents/{secret}/versions/1/content", role=key).status_code == 200
    )
    clear(api, subject, "public")
    assert api.get(f"/documents/{internal}", role=key).status_code == 404


def test_no_one_registers_a_document_above_their_clearance(live: Api) -> None:
    api = live
    project = api.project()
    key, subject = person(api, "custodian")
    grant(api, subject, project, "custodian")
    before = api.head()
    body = DOCUMENT | {"classification": "restricted"}
    refused = api.post(f"/projects/{project}/documents", body, role=key)
    assert refused.status_code == 403 and "clearance" in refused.json["detail"]
    assert api.head() == before
    body = DOCUMENT | {"classification": "internal"}
    assert api.post(f"/projects/{project}/documents", body, role=key).status_code == 201


def test_who_could_read_a_document_on_a_date(live: Api) -> None:
    api = live
    project = api.project()
    secret = document(api, project, "restricted")
    _, subject = person(api, "contributor")
    grant(api, subject, project, "contributor")
    member_only = _now()
    clear(api, subject, "restricted")
    cleared = _now()
    clear(api, subject, "internal")

    def readers(moment: datetime | None) -> dict[str, str]:
        query = {"as_of": moment.isoformat()} if moment else {}
        response = api.get(f"/documents/{secret}/readers", query_string=query)
        assert response.status_code == 200, response.json
        return {r["subject"]: r["clearance"] for r in response.json["items"]}

    assert subject not in readers(member_only)
    assert readers(cleared)[subject] == "restricted"
    assert subject not in readers(None)
    project_readers = api.get(f"/projects/{project}/readers").json["items"]
    assert subject in {r["subject"] for r in project_readers}
    wrong_kind = api.get(f"/documents/{project}/readers")
    assert wrong_kind.status_code == 404


def _now() -> datetime:
    moment = datetime.now(UTC)
    time.sleep(0.01)
    return moment

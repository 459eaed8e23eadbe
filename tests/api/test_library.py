"""The PMO library over HTTP: templates, starting from one, nominating, the listing.

The custody rules of a library document are the project documents' tests
(`tests/custody/test_api.py` runs them on both); here what only the library
has: where a document came from, and what the library lists.
"""

from __future__ import annotations

import hashlib
from typing import Any

import pytest

from tests.api.conftest import DOCUMENT, Api
from tests.api.test_issued_reports import EXCEPTION
from tests.api.test_value_registers import refused

TEMPLATE = DOCUMENT | {"title": "Highlight report template", "doc_type": "template"}
BODY = b"# Highlight report\n\n## Status summary\n"


@pytest.fixture(scope="module")
def api(live: Api) -> Api:
    """The app with its read models running, on each backend."""
    return live


def read(api: Api, path: str, role: str = "auditor") -> Any:
    response = api.get(path, role=role, query_string={"min_position": api.head()})
    assert response.status_code == 200, response.json
    return response.json


def library_document(api: Api, body: dict[str, Any], content: bytes) -> str:
    made = api.post("/library/documents", body, role="custodian")
    assert made.status_code == 201, made.json
    found = str(made.json["id"])
    upload = api.post(
        f"/documents/{found}/versions",
        data=content,
        headers={"Content-Type": "text/markdown", "X-Filename": "template.md"},
    )
    assert upload.status_code == 201, upload.json
    return found


def approve(api: Api, document: str, number: int) -> None:
    for step in ("review", "approve"):
        answer = api.post(f"/documents/{document}/versions/{number}/{step}", {})
        assert answer.status_code == 200, answer.json


def test_a_document_started_from_a_template_records_the_template_version(
    api: Api,
) -> None:
    template = library_document(api, TEMPLATE, BODY)
    project = api.project()
    start = DOCUMENT | {"title": "Highlight week 1", "template_id": template}
    path = f"/projects/{project}/documents/from-template"
    assert refused(api, 409, path, start)["detail"]  # no approved version yet
    approve(api, template, 1)
    api.post(
        f"/documents/{template}/versions",
        data=BODY + b"## Tolerances\n",
        headers={"Content-Type": "text/markdown", "X-Filename": "template.md"},
    )
    made = api.post(path, start, role="custodian")
    assert made.status_code == 201, made.json
    document = read(api, f"/documents/{made.json['id']}")
    assert document["project_id"] == project
    assert document["origin"] == {
        "relation": "template",
        "document_id": template,
        "version": 1,
        "sha256": hashlib.sha256(BODY).hexdigest(),
    }
    [first] = document["versions"]
    assert (first["sha256"], first["status"]) == (
        hashlib.sha256(BODY).hexdigest(),
        "draft",
    )
    content = api.get(f"/documents/{made.json['id']}/versions/1/content")
    assert content.data == BODY
    # A later version of the template, once approved, is what the next one starts from.
    approve(api, template, 2)
    again = api.post(path, start, role="pmo-head")
    assert read(api, f"/documents/{again.json['id']}")["origin"]["version"] == 2

    refused(api, 403, path, start, role="contributor")
    refused(api, 422, path, start | {"number": 0})
    refused(api, 422, path, start | {"number": 9})
    refused(api, 422, path, start | {"template_id": "not-an-id"})
    refused(api, 422, path, start | {"retention_class": "forever"})
    refused(api, 404, path, start | {"template_id": project})
    other = api.document(project)  # a project's document is no template
    assert (
        "template_id"
        in refused(api, 422, path, start | {"template_id": other})["errors"]
    )
    api.post(f"/projects/{project}/close", {"reason": "done"})
    refused(api, 409, path, start)


def test_a_nominated_version_keeps_its_link_and_is_accepted_by_approval(
    api: Api,
) -> None:
    project = api.project()
    original = api.document(project)
    api.post(
        f"/documents/{original}/versions",
        data=b"lessons that worked\n",
        headers={"Content-Type": "text/plain", "X-Filename": "lessons.txt"},
    )
    path = f"/documents/{original}/versions/1/nominate"
    body = {"title": "A lessons report worth copying"}
    refused(api, 403, path, body, role="contributor")
    refused(api, 422, path, {})
    refused(api, 422, f"/documents/{original}/versions/2/nominate", body)
    made = api.post(path, body, role="project-officer")
    assert made.status_code == 201, made.json
    nominated = made.json["id"]
    document = read(api, f"/documents/{nominated}")
    assert document["project_id"] != project and document["doc_type"] == "good-practice"
    assert document["origin"]["relation"] == "nominated"
    assert (document["origin"]["document_id"], document["origin"]["version"]) == (
        original,
        1,
    )
    again = f"/documents/{nominated}/versions/1/nominate"
    assert "document_id" in refused(api, 422, again, body)["errors"]
    listed = read(api, "/library")["documents"]["good-practice"]
    assert [d["status"] for d in listed if d["id"] == nominated] == ["active"]
    approve(api, nominated, 1)
    listed = read(api, "/library")["documents"]["good-practice"]
    accepted = [d for d in listed if d["id"] == nominated]
    assert accepted[0]["authoritative_version"] == 1


def test_the_library_lists_its_documents_by_kind_and_the_issued_reports(
    api: Api,
) -> None:
    before = read(api, "/library")
    terms = library_document(
        api,
        DOCUMENT | {"title": "Terms of reference", "doc_type": "terms-of-reference"},
        b"The PMO exists to...\n",
    )
    refused(api, 422, "/library/documents", DOCUMENT)  # "brief": not a library kind
    refused(api, 403, "/library/documents", TEMPLATE, role="project-officer")
    project = api.project()
    issued = api.post(f"/projects/{project}/reports", EXCEPTION)
    assert issued.status_code == 201, issued.json
    after = read(api, "/library")
    assert after["kinds"][0] == "terms-of-reference"
    assert terms in [d["id"] for d in after["documents"]["terms-of-reference"]]
    assert [d["id"] for d in before["documents"]["terms-of-reference"]] == [
        d["id"] for d in after["documents"]["terms-of-reference"] if d["id"] != terms
    ]
    [report] = [r for r in after["reports"] if r["project_id"] == project]
    assert (report["report_type"], len(report["issues"])) == ("exception", 1)
    early = api.get("/library", query_string={"as_of": "2000-01-01T00:00:00Z"})
    assert early.status_code == 200, early.json
    assert early.json["reports"] == [] and not any(early.json["documents"].values())
    assert api.get("/library", query_string={"as_of": "yesterday"}).status_code == 422
    assert api.get("/library", query_string={"kind": "x"}).status_code == 400


def test_records_management_covers_the_library(api: Api) -> None:
    """The office's documents are records too: due, listed and counted by class."""
    paper = TEMPLATE | {"title": "Retired procedure", "doc_type": "procedure"}
    found = library_document(api, paper | {"retention_class": "working-paper"}, BODY)
    got = api.get(
        "/records/worklist",
        role="auditor",
        query_string={"within_days": 400},  # read from the events: no wait
    )
    assert got.status_code == 200, got.json
    worklist = got.json["items"]
    [row] = [r for r in worklist if r["document_id"] == found]
    assert (row["project"], row["action"]) == ("PMO", "destroy")
    counted = api.get("/records/reports/records", role="auditor")
    assert counted.status_code == 200, counted.json
    assert any(r["status"] == "active" for r in counted.json["items"])

"""The register of approved training courses over HTTP, on each backend.

The portfolio's own register: no project in its paths; officers propose, the
PMO head approves, reviews and withdraws; as_of reads equal the replay;
refusals are problem+json and write nothing.
"""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from typing import Any
from uuid import UUID

import pytest

from tests.api.conftest import Api
from tests.api.test_value_registers import refused

COURSE = {
    "title": "Agile Project Management Foundation",
    "provider": "Northwind Learning",
    "level": "foundation",
    "qualification": "AgilePM Foundation",
    "for_roles": ["Project manager", "Team manager"],
}


@pytest.fixture(scope="module")
def api(live: Api) -> Api:
    """The app with its read models running, on each backend."""
    return live


def read(api: Api, path: str, **query: Any) -> Any:
    response = api.get(path, query_string={"min_position": api.head(), **query})
    assert response.status_code == 200, response.json
    return response.json


def test_a_course_is_proposed_approved_reviewed_and_withdrawn(api: Api) -> None:
    proposed = api.post("/courses", COURSE, role="project-officer")
    assert proposed.status_code == 201, proposed.json
    course = proposed.json["id"]
    assert proposed.headers["Location"].endswith(f"/courses/{course}")
    refused(api, 422, "/courses", COURSE | {"for_roles": []})
    refused(api, 422, "/courses", COURSE | {"level": "expert"})
    refused(api, 403, "/courses", COURSE, role="contributor")
    approval = {"approved_on": "2026-02-01", "review_by": "2027-02-01"}
    refused(api, 403, f"/courses/{course}/approval", approval, role="project-officer")
    refused(api, 422, f"/courses/{course}/approval", approval | {"review_by": "2026"})
    refused(
        api,
        422,
        f"/courses/{course}/approval",
        approval | {"review_by": "2026-01-01"},
    )
    early = {"reviewed_on": "2026-03-01", "review_by": "2027-03-01"}
    refused(api, 409, f"/courses/{course}/reviews", early)
    assert api.post(f"/courses/{course}/approval", approval).status_code == 200
    review = {"reviewed_on": "2026-09-01", "review_by": "2027-09-01"}
    assert api.post(f"/courses/{course}/reviews", review).status_code == 201
    found = read(api, f"/courses/{course}")
    assert (found["status"], found["review_by"], found["for_roles"]) == (
        "approved",
        "2027-09-01",
        COURSE["for_roles"],
    )
    listed = read(api, "/courses", status="approved")["items"]
    assert course in {c["id"] for c in listed}
    refused(api, 422, f"/courses/{course}/withdraw")
    withdrawn = api.post(f"/courses/{course}/withdraw", {"reason": "superseded"})
    assert withdrawn.status_code == 200
    refused(api, 409, f"/courses/{course}/approval", approval)
    assert read(api, f"/courses/{course}")["status"] == "withdrawn"


def test_as_of_reads_equal_the_replay(api: Api) -> None:
    course = api.post("/courses", COURSE).json["id"]
    approval = {"approved_on": "2026-02-01", "review_by": "2027-02-01"}
    api.post(f"/courses/{course}/approval", approval)
    api.post(f"/courses/{course}/withdraw", {"reason": "provider gone"})
    read(api, "/courses")
    events = list(api.services.app.events.get(UUID(course)))
    assert [type(e).__name__ for e in events] == ["Proposed", "Approved", "Withdrawn"]
    for event in events:
        when = event.timestamp.isoformat()
        entry = api.services.app.repository.get(
            event.originator_id, version=event.originator_version
        )
        one = read(api, f"/courses/{course}", as_of=when)
        assert (one["status"], one["approved_on"]) == (
            entry.status,
            entry.approved_on and entry.approved_on.isoformat(),
        )
        listed = read(api, "/courses", as_of=when)["items"]
        assert {c["id"]: c["status"] for c in listed}[course] == entry.status
    before = (events[0].timestamp - timedelta(seconds=1)).isoformat()
    assert course not in {c["id"] for c in read(api, "/courses", as_of=before)["items"]}
    gone = api.get(f"/courses/{course}", query_string={"as_of": before})
    assert gone.status_code == 404 and gone.content_type.startswith(
        "application/problem+json"
    )


def test_the_register_exports_as_csv(api: Api) -> None:
    course = api.post("/courses", COURSE | {"title": "Risk management"}).json["id"]
    read(api, "/courses")
    exported = api.get("/courses.csv", query_string={"min_position": api.head()})
    assert exported.status_code == 200
    rows = list(csv.DictReader(io.StringIO(exported.get_data(as_text=True))))
    row = next(r for r in rows if r["id"] == course)
    assert (row["title"], row["level"], row["status"]) == (
        "Risk management",
        "foundation",
        "proposed",
    )
    assert "Project manager" in row["for_roles"]

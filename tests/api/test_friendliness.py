"""Refusals that say what was wrong: If-Match, unknown query parameters, GET /."""

from __future__ import annotations

import uuid
from datetime import datetime

import pytest

from tests.api.conftest import RISK, Api


@pytest.mark.parametrize("header", ["3", "abc", '"3', "W/3", '"1", 2'])
def test_a_malformed_if_match_is_a_400_and_writes_nothing(
    api: Api, header: str
) -> None:
    risk = api.risk(api.project())
    head = api.head()
    refused = api.post(f"/risks/{risk}/close", headers={"If-Match": header})
    assert refused.status_code == 400, refused.json
    assert refused.content_type == "application/problem+json"
    assert "If-Match" in refused.json["errors"]
    assert api.head() == head


@pytest.mark.parametrize("header", ['"9"', 'W/"1"', '"1", "x"'])
def test_a_well_formed_if_match_that_cannot_match_is_still_412(
    api: Api, header: str
) -> None:
    risk = api.risk(api.project())
    refused = api.post(f"/risks/{risk}/close", headers={"If-Match": header})
    assert refused.status_code == 412, refused.json


def test_unknown_query_parameters_are_refused_by_name(api: Api) -> None:
    project = api.project()
    api.risk(project)
    assert (
        api.get(
            f"/projects/{project}/risks", query_string={"status": "open"}
        ).status_code
        == 200
    )
    refused = api.get(
        f"/projects/{project}/risks", query_string={"stauts": "open", "zz": "1"}
    )
    assert refused.status_code == 400
    assert refused.content_type == "application/problem+json"
    assert set(refused.json["errors"]) == {"stauts", "zz"}
    assert "stauts, zz" in refused.json["detail"]
    history = api.get(f"/projects/{project}/history", query_string={"limit": "5"})
    assert history.status_code == 400 and "limit" in history.json["errors"]


def test_the_root_sends_a_browser_to_the_ui(api: Api) -> None:
    response = api.client.get("/")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/ui/")


def test_every_read_names_its_instants_alike(live: Api) -> None:
    """created_at and recorded_at in entity reads, as of a moment too, as in the
    register and the history; 0.1's created_on and modified_on still served."""
    project = live.project()
    written = live.post(f"/projects/{project}/risks", RISK).json
    risk, position = written["id"], written["position"]
    current = live.get(f"/risks/{risk}").json
    as_of = live.get(
        f"/risks/{risk}",
        query_string={"as_of": "9000-01-01T00:00:00Z", "min_position": position},
    ).json
    [row] = live.get(
        f"/projects/{project}/risks", query_string={"min_position": position}
    ).json["items"]
    [event] = live.get(f"/risks/{risk}/history").json["events"]
    for answer in (current, as_of):
        assert answer["created_on"] == answer["created_at"]
        assert answer["modified_on"] == answer["recorded_at"]
    moments = {
        when(answer[name])
        for answer in (current, as_of, row)
        for name in ("created_at", "recorded_at")
    }
    assert moments == {when(event["recorded_at"])}


def when(text: str) -> datetime:
    """An instant from an answer, which always carries its offset."""
    moment = datetime.fromisoformat(text)
    assert moment.tzinfo is not None, text
    return moment


def test_a_project_code_is_accepted_wherever_its_id_is(live: Api) -> None:
    """Reads, writes and exports by code (any case) answer as by id; an unknown
    code answers exactly as an unknown id does."""
    code = "C-" + uuid.uuid4().hex[:8].upper()
    project = live.project(code)
    by_id = live.get(f"/projects/{project}").json
    assert live.get(f"/projects/{code}").json == by_id
    assert live.get(f"/projects/{code.lower()}").json == by_id
    written = live.post(f"/projects/{code}/risks", RISK)
    assert written.status_code == 201, written.json
    page = live.get(
        f"/projects/{code}/risks",
        query_string={"min_position": written.json["position"]},
    )
    assert [row["id"] for row in page.json["items"]] == [written.json["id"]]
    export = live.get(f"/projects/{code}/risks.csv")
    assert export.status_code == 200 and written.json["id"] in export.text
    unknown_id = live.get(f"/projects/{uuid.uuid4()}")
    unknown_code = live.get("/projects/NO-SUCH-CODE")
    assert unknown_code.status_code == unknown_id.status_code == 404
    assert unknown_code.content_type == "application/problem+json"
    assert set(unknown_code.json) == set(unknown_id.json)
    assert live.get(f"/projects/{code}.x/risks").status_code == 404
    spec = live.client.get("/openapi.json").json
    [parameter] = spec["paths"]["/api/v1/projects/{project_id}"]["parameters"]
    assert parameter["schema"]["format"] == "uuid"
    assert "code" in parameter["schema"]["description"]

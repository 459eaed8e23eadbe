"""Refusals that say what was wrong: If-Match, unknown query parameters, GET /."""

from __future__ import annotations

import pytest

from tests.api.conftest import Api


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

"""GET /portfolio over HTTP: each section, as at a moment, in the caller's reach."""

from __future__ import annotations

from uuid import UUID

import pytest

from service.domain.base import Meta
from tests.api.conftest import Api


@pytest.fixture(scope="module")
def api(live: Api) -> Api:
    """The app with its read models running, on each backend."""
    return live


def test_the_portfolio_answers_each_section(api: Api) -> None:
    project = api.project()
    api.risk(project)
    answer = api.get("/portfolio", query_string={"min_position": api.head()})
    assert answer.status_code == 200, answer.json
    sections = set(answer.json)
    assert {
        "projects",
        "top_risks",
        "dependencies_at_risk",
        "benefits",
        "milestones_slipping",
        "documents_awaiting_approval",
        "actions_overdue",
        "contracts_ending",
    } <= sections
    row = next(p for p in answer.json["projects"] if p["project_id"] == project)
    assert (row["reported_rag"], row["last_report_on"], row["stale"]) == (
        {},
        None,
        True,
    )
    assert project in {r["project_id"] for r in answer.json["top_risks"]}
    early = api.get("/portfolio", query_string={"as_of": "2001-01-01T00:00:00Z"})
    assert early.status_code == 200 and early.json["projects"] == []


@pytest.mark.parametrize(
    "query",
    [
        {"as_of": "yesterday"},
        {"stale_days": 0},
        {"top_risks": 1000},
        {"top_risks": "x"},
        {"ending_within": -1},
        {"ending_within": 4000},
    ],
)
def test_bad_reads_are_problems(api: Api, query: dict[str, object]) -> None:
    answer = api.get("/portfolio", query_string=query)
    assert answer.status_code == 422
    assert answer.content_type.startswith("application/problem+json")


def test_a_member_sees_only_their_projects(api: Api) -> None:
    mine, other = api.project(), api.project()
    setup = Meta("setup", "pmo-head", "test")
    token = api.services.app.issue_token("member", "contributor", setup)
    api.services.app.grant_membership(
        f"token:{token.token_id}", UUID(mine), "contributor", setup
    )
    api.tokens["member"] = token.secret
    answer = api.get(
        "/portfolio", role="member", query_string={"min_position": api.head()}
    )
    assert answer.status_code == 200, answer.json
    assert [p["project_id"] for p in answer.json["projects"]] == [mine]
    assert other not in {r["project_id"] for r in answer.json["top_risks"]}

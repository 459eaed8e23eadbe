"""Register lists from the read models: read-your-writes, filters, cursor pages."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from api import create_app
from service.config import Settings
from tests.api.conftest import RISK, Api, issue_tokens
from usecases.root import build_services


@pytest.fixture
def live(settings: Settings) -> Iterator[Api]:
    """An app whose read models follow the store in the background."""
    services = build_services(settings)
    services.runner.start()  # only the read models; the ledger is not needed here
    yield Api(create_app(services=services), issue_tokens(services))
    services.close()


def test_risks_list_reads_its_own_writes_and_pages(live: Api) -> None:
    pid = live.project()
    positions = [
        live.post(f"/projects/{pid}/risks", RISK | {"title": f"Risk {i}"}).json[
            "position"
        ]
        for i in range(5)
    ]
    closed = live.post(f"/risks/{live.risk(pid)}/close").json["position"]
    query = {"min_position": closed, "limit": 2}
    first = live.get(f"/projects/{pid}/risks", query_string=query)
    assert first.status_code == 200, first.json
    assert len(first.json["items"]) == 2
    seen = [item["id"] for item in first.json["items"]]
    cursor = first.json["next_cursor"]
    while cursor:
        page = live.get(
            f"/projects/{pid}/risks", query_string={"after": cursor, "limit": 2}
        )
        seen += [item["id"] for item in page.json["items"]]
        cursor = page.json["next_cursor"]
    assert len(seen) == len(set(seen)) == 6
    only_closed = live.get(f"/projects/{pid}/risks", query_string={"status": "closed"})
    assert [item["status"] for item in only_closed.json["items"]] == ["closed"]
    assert max(positions) < closed


def test_projects_and_documents_lists(live: Api) -> None:
    pid = live.project()
    position = live.post(
        f"/projects/{pid}/documents",
        {
            "title": "Brief",
            "doc_type": "brief",
            "classification": "internal",
            "retention_class": "project-record",
            "owner": "Max",
        },
    ).json["position"]
    projects = live.get("/projects", query_string={"min_position": position})
    assert projects.status_code == 200, (projects.json, live.services.views.status())
    assert [p["id"] for p in projects.json["items"]] == [pid]
    documents = live.get(
        f"/projects/{pid}/documents", query_string={"min_position": position}
    )
    assert [d["title"] for d in documents.json["items"]] == ["Brief"]


def test_bad_cursor_and_future_position_are_422(live: Api) -> None:
    pid = live.project()
    bad = live.get(f"/projects/{pid}/risks", query_string={"after": "zzz"})
    assert bad.status_code == 422
    future = live.get("/projects", query_string={"min_position": 10**9})
    assert future.status_code == 422 and "min_position" in future.json["errors"]


def test_lagging_read_models_answer_503_with_retry_after(settings: Settings) -> None:
    services = build_services(settings)  # no processors: the views never catch up
    try:
        api = Api(create_app(services=services), issue_tokens(services))
        api.services.views.wait_for = lambda position, timeout: False  # type: ignore[method-assign]
        position = api.head()
        response = api.get("/projects", query_string={"min_position": position})
        assert response.status_code == 503
        assert response.headers["Retry-After"] == "1"
    finally:
        services.close()

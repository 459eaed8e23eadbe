"""Hostile input is refused (400/422, or the UI's error page), never a 500.

JSON the standard decoder cannot hold, and moments at the ends of the
datetime range on every endpoint that takes a time: the API's are found in
its OpenAPI document, so a new one is covered without editing this file.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

from service.domain import catalogue
from tests.api.conftest import Api
from tests.records.conftest import records_ids
from usecases import records_reports

# The first and last moments UTC can hold: valid, and answered.
IN_RANGE = ("0001-01-01T00:00:00Z", "9999-12-31T23:59:59.999999Z", "0001-01-01")
# The same calendar ends with an offset: before year 1 or after 9999 in UTC.
OUT_OF_RANGE = ("0001-01-01T00:00:05+04:00", "9999-12-31T23:59:59-05:00")
UI_PAGES = (
    ("/ui/projects/{project_id}/{kind}", "as_of"),
    ("/ui/projects/{project_id}/{kind}.csv", "as_of"),
    ("/ui/projects/{project_id}/{kind}.xlsx", "as_of"),
    ("/ui/documents/{document_id}", "as_of"),
    ("/ui/capacity", "as_of"),
    ("/ui/courses.csv", "as_of"),
    ("/ui/quality-policy", "as_of"),
    ("/ui/audit", "since"),
    ("/ui/audit", "until"),
    ("/ui/audit.csv", "since"),
    ("/ui/audit.ndjson", "until"),
)
KINDS = ("risks", "issues", "changes", "decisions")


def test_an_integer_of_5000_digits_is_400(api: Api) -> None:
    head = api.head()
    body = '{"code": "BIG", "name": ' + "9" * 5000 + "}"
    response = api.post(
        "/projects", data=body, headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 400
    assert response.headers["Content-Type"] == "application/problem+json"
    assert api.head() == head


def test_100k_nested_brackets_are_400(api: Api) -> None:
    head = api.head()
    for body in ("[" * 100_000 + "]" * 100_000, '{"a":' * 100_000 + "1"):
        response = api.post(
            "/projects", data=body, headers={"Content-Type": "application/json"}
        )
        assert response.status_code == 400, body[:10]
        assert response.headers["Content-Type"] == "application/problem+json"
    assert api.head() == head


def test_huge_numbers_in_queries_are_422(api: Api) -> None:
    pid = api.project()
    for path, query in (
        (f"/projects/{pid}", {"min_position": "9" * 5000}),
        (f"/projects/{pid}/risks", {"limit": "9" * 5000}),
        ("/audit/events", {"after_position": "1" * 30}),
    ):
        response = api.get(path, query_string=query)
        assert response.status_code == 422, query


def time_taking_operations(api: Api) -> list[tuple[str, str]]:
    """(path template, parameter) for every GET taking a date-time in the query."""
    spec = api.client.get("/openapi.json").json
    found = []
    for path, operations in spec["paths"].items():
        for parameter in operations.get("get", {}).get("parameters", []):
            if parameter.get("schema", {}).get("format") == "date-time":
                found.append((path, parameter["name"]))
    return found


def concrete_paths(api: Api, template: str) -> list[str]:
    """The template with real ids, once per value of each enumerated segment."""
    ids = demo_ids(api)
    paths = [template]
    for name in re.findall(r"{(\w+)}", template):
        if name == "fmt":
            values = ["csv", "ndjson"] if "/audit/" in template else ["csv", "xlsx"]
        elif name == "kind":
            values = list(KINDS)
        elif name == "report":
            values = list(records_reports.COLUMNS)
        else:
            values = [ids[name]]
        paths = [p.replace(f"{{{name}}}", v) for p in paths for v in values]
    return paths


def demo_ids(api: Api) -> dict[str, str]:
    """An id of every register's entries and of a document in the demo store."""
    projects = [p["id"] for p in api.get("/projects").json["items"]]
    ids = {"project_id": projects[0]}
    names = [k.name for k in catalogue.project_kinds()]
    for name in (*names, "documents"):
        for project_id in projects:
            items = api.get(f"/projects/{project_id}/{name}").json["items"]
            if items:
                ids[f"{name.removesuffix('s')}_id"] = items[0]["id"]
                break
    for kind in catalogue.kinds():
        if kind.portfolio:  # the portfolio's registers are listed at /<register>
            items = api.get(f"/{kind.name}").json["items"]
            ids[f"{kind.name.removesuffix('s')}_id"] = items[0]["id"]
    ids["entry_id"] = ids["risk_id"]  # links of any entry: a risk's will do
    ids["report_id"] = issued_report(api, projects[0])
    ids.update(records_ids(api, ids["document_id"]))
    return ids


def issued_report(api: Api, project: str) -> str:
    """A report issued for the project (the demo issues none)."""
    end = datetime.now(UTC).date() - timedelta(days=1)
    body = {
        "report_type": "checkpoint",
        "period_start": (end - timedelta(days=6)).isoformat(),
        "period_end": end.isoformat(),
        "narrative": {"summary": "On plan", "work_done": "D", "work_next": "B"},
    }
    listed = api.get(f"/projects/{project}/reports").json
    existing = listed["items"] if isinstance(listed, dict) else listed
    if existing:
        return str(existing[0]["id"])
    answer = api.post(f"/projects/{project}/reports", body, role="pmo-head")
    assert answer.status_code == 201, answer.json
    return str(answer.json["id"])


def get_all(api: Api, path: str, query: dict[str, str]) -> Any:
    """GET a whole answer, streamed exports included."""
    response = api.client.get(
        path, query_string=query, headers=api.headers("pmo-head", None)
    )
    response.get_data()
    return response


def test_every_api_time_parameter_takes_both_ends_of_the_range(demo: Api) -> None:
    operations = time_taking_operations(demo)
    assert {
        ("/api/v1/projects", "as_of"),
        ("/api/v1/projects/{project_id}/risks", "as_of"),
        ("/api/v1/audit/events", "since"),
        ("/api/v1/audit/events", "until"),
        ("/api/v1/documents/{document_id}/authoritative", "as_of"),
    } <= set(operations)
    for template, name in operations:
        for path in concrete_paths(demo, template):
            for moment in IN_RANGE[:2]:
                response = get_all(demo, path, {name: moment})
                assert response.status_code in (200, 404), (path, name, moment)
            head = demo.head()
            for moment in OUT_OF_RANGE:
                response = get_all(demo, path, {name: moment})
                assert response.status_code == 422, (path, name, moment)
                assert name in response.json["errors"]
            assert demo.head() == head, path


def test_a_list_as_at_the_first_moment_is_empty_and_at_the_last_is_now(
    demo: Api,
) -> None:
    ids = demo_ids(demo)
    path = f"/projects/{ids['project_id']}/risks"
    now = demo.get(path).json["items"]
    assert demo.get(path, query_string={"as_of": IN_RANGE[0]}).json["items"] == []
    assert demo.get(path, query_string={"as_of": IN_RANGE[1]}).json["items"] == now


def test_every_ui_time_parameter_takes_both_ends_of_the_range(demo: Api) -> None:
    from tests.ui.conftest import CSRF

    client = demo.client
    form = client.get("/ui/login").text
    csrf = CSRF.search(form)
    assert csrf is not None
    signed_in = client.post(
        "/ui/login",
        data={"token": demo.tokens["pmo-head"], "csrf_token": csrf.group(1)},
    )
    assert signed_in.status_code == 302
    ids = demo_ids(demo)
    try:
        for template, name in UI_PAGES:
            for kind in KINDS if "{kind}" in template else ("",):
                path = template.format(kind=kind, **ids)
                for moment in IN_RANGE:
                    response = client.get(path, query_string={name: moment})
                    response.get_data()
                    assert response.status_code == 200, (path, name, moment)
                for moment in OUT_OF_RANGE:
                    response = client.get(path, query_string={name: moment})
                    assert response.status_code == 400, (path, name, moment)
                    assert "outside" in response.text
    finally:
        client.delete_cookie("pmo_ui", path="/ui")

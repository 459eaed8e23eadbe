"""Every read taking min_position waits for it; a position beyond the head is 422.

The audit trail, its exports and the register exports ignored min_position,
so an auditor reading right after a write usually missed it.
"""

from __future__ import annotations

import csv
import io
import json

from tests.api.conftest import RISK, Api

TRIES = 20


def test_the_audit_trail_shows_a_write_read_right_after_it(demo: Api) -> None:
    project_id = demo.get("/projects").json["items"][0]["id"]
    for _ in range(TRIES):
        written = demo.post(f"/projects/{project_id}/risks", RISK).json
        query = {"entity_id": written["id"], "min_position": written["position"]}
        rows = demo.get("/audit/events", query_string=query).json["items"]
        assert [row["position"] for row in rows] == [written["position"]]


def test_the_audit_exports_show_a_write_read_right_after_it(demo: Api) -> None:
    project_id = demo.get("/projects").json["items"][0]["id"]
    for _ in range(TRIES // 2):
        written = demo.post(f"/projects/{project_id}/risks", RISK).json
        query = {"entity_id": written["id"], "min_position": written["position"]}
        lines = demo.get("/audit/events.ndjson", query_string=query).text
        assert [json.loads(line)["position"] for line in lines.splitlines()] == [
            written["position"]
        ]
        text = demo.get("/audit/events.csv", query_string=query).text
        rows = list(csv.DictReader(io.StringIO(text)))
        assert [int(row["position"]) for row in rows] == [written["position"]]


def test_a_register_export_shows_a_write_read_right_after_it(demo: Api) -> None:
    project_id = demo.get("/projects").json["items"][0]["id"]
    for number in range(TRIES // 2):
        title = f"Read right after {number}"
        written = demo.post(
            f"/projects/{project_id}/risks", RISK | {"title": title}
        ).json
        query = {"min_position": written["position"]}
        text = demo.get(f"/projects/{project_id}/risks.csv", query_string=query).text
        assert title in {row["title"] for row in csv.DictReader(io.StringIO(text))}


def test_reads_refuse_a_position_beyond_the_head(demo: Api) -> None:
    project_id = demo.get("/projects").json["items"][0]["id"]
    risk_id = demo.get(f"/projects/{project_id}/risks").json["items"][0]["id"]
    beyond = {"min_position": demo.head() + 1000}
    for path in (
        f"/projects/{project_id}",
        f"/risks/{risk_id}",
        "/audit/events",
        "/audit/events.csv",
        "/audit/events.ndjson",
        f"/projects/{project_id}/risks.csv",
        f"/projects/{project_id}/risks.xlsx",
    ):
        head = demo.head()
        response = demo.get(path, query_string=beyond)
        assert response.status_code == 422, path
        assert "min_position" in response.json["errors"], path
        assert demo.head() == head, path  # no export was recorded
    reached = {"min_position": demo.head()}
    assert demo.get(f"/risks/{risk_id}", query_string=reached).status_code == 200

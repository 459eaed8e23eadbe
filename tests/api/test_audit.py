"""The audit trail over HTTP: filters, cursor pages, leaf indices, recorded exports."""

from __future__ import annotations

import csv
import io
import json
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
    services.runner.start()
    yield Api(create_app(services=services), issue_tokens(services))
    services.close()


def caught_up(api: Api) -> int:
    head = api.head()
    assert api.services.views.wait_for(head, 10)
    api.services.ledger_worker.sign_now()
    return head


def test_audit_pages_filter_and_show_leaf_indices(live: Api) -> None:
    pid = live.project()
    risk_id = live.risk(pid)
    live.post(f"/risks/{risk_id}/close", {"reason": "mitigated"})
    caught_up(live)
    everything = live.get("/audit/events", query_string={"project_id": pid})
    assert everything.status_code == 200, everything.json
    actions = [row["action"] for row in everything.json["items"]]
    assert actions == [
        "Project.Registered",
        "ProjectCode.Reserved",
        "Risk.Identified",
        "Risk.Closed",
    ]
    closed = everything.json["items"][-1]
    assert closed["actor"] == "pmo-head-user" and closed["reason"] == "mitigated"
    assert all(isinstance(r["leaf_index"], int) for r in everything.json["items"])
    first = live.get("/audit/events", query_string={"project_id": pid, "limit": 2}).json
    rest = live.get(
        "/audit/events",
        query_string={"project_id": pid, "after_position": first["next_cursor"]},
    ).json
    assert [r["action"] for r in first["items"] + rest["items"]] == actions
    only = live.get(
        "/audit/events",
        query_string={"entity_id": risk_id, "event_type": "Risk.Closed"},
    ).json["items"]
    assert [r["entity_id"] for r in only] == [risk_id]


def test_audit_refusals_write_nothing(live: Api) -> None:
    head = live.head()
    assert live.get("/audit/events", role=None).status_code == 401
    refused = live.get("/audit/events", role="contributor")
    assert refused.status_code == 403 and "auditor" in refused.json["detail"]
    bad = live.get("/audit/events", query_string={"limit": 0, "project_id": "x"})
    assert bad.status_code == 422
    assert set(bad.json["errors"]) >= {"limit", "project_id"}
    assert live.get("/audit/events.ndjson", role="custodian").status_code == 403
    assert live.head() == head


def test_exports_stream_and_are_recorded_as_events(live: Api) -> None:
    pid = live.project()
    live.post(f"/projects/{pid}/risks", RISK | {"title": 'Quote " and <b>'})
    caught_up(live)
    before = live.head()
    ndjson = live.get("/audit/events.ndjson", query_string={"project_id": pid})
    assert ndjson.status_code == 200
    assert ndjson.mimetype == "application/x-ndjson"
    lines = [json.loads(line) for line in ndjson.data.decode().splitlines()]
    assert [r["action"] for r in lines] == [
        "Project.Registered",
        "ProjectCode.Reserved",
        "Risk.Identified",
    ]
    as_csv = live.get("/audit/events.csv", query_string={"project_id": pid})
    rows = list(csv.DictReader(io.StringIO(as_csv.data.decode())))
    assert json.loads(rows[2]["data"])["title"] == 'Quote " and <b>'
    assert live.head() == before + 2
    caught_up(live)
    exports = live.get(
        "/audit/events", query_string={"event_type": "Export.Recorded"}
    ).json["items"]
    recorded = [(e["actor"], e["data"]["output_format"]) for e in exports[-2:]]
    assert recorded == [("auditor-user", "ndjson"), ("auditor-user", "csv")]
    assert exports[-1]["data"]["filters"] == {"project_id": pid}


def test_audit_search_finds_words_in_any_case_and_keeps_filters_exact(
    live: Api,
) -> None:
    pid = live.project()
    live.post(f"/projects/{pid}/risks", RISK | {"title": "Crane FAILURE on site"})
    live.risk(pid)
    caught_up(live)

    def actions(**query: str) -> list[str]:
        found = live.get("/audit/events", query_string={"project_id": pid} | query)
        assert found.status_code == 200, found.json
        return [row["action"] for row in found.json["items"]]

    assert actions(q="failure CRANE") == ["Risk.Identified"]
    assert actions(q="crane_failure") == []  # LIKE's wildcards are plain characters
    assert len(actions(actor="pmo-head-user")) == 4
    assert actions(actor="PMO-HEAD") == []  # the API's actor stays exact
    assert actions(event_type="Risk") == ["Risk.Identified", "Risk.Identified"]
    assert actions(event_type="risk") == []
    bad = live.get("/audit/events", query_string={"q": ""})
    assert bad.status_code == 422 and "q" in bad.json["errors"]
    export = live.get(
        "/audit/events.ndjson", query_string={"project_id": pid, "q": "crane"}
    )
    assert len(export.data.decode().splitlines()) == 1

"""Metrics, request ids, structured logs without secrets, and the generic 500."""

from __future__ import annotations

import json
import logging

import pytest

from tests.api.conftest import PROJECT, Api


def test_metrics_in_prometheus_format(api: Api) -> None:
    api.get("/projects/00000000-0000-0000-0000-000000000001")
    response = api.client.get("/metrics", headers=api.headers("auditor", None))
    text = response.get_data(as_text=True)
    assert response.status_code == 200
    assert response.mimetype == "text/plain"
    assert "pmo_ledger_http_requests_total{" in text
    assert 'endpoint="projects.get_project"' in text
    assert api.client.get("/metrics").status_code == 401


@pytest.mark.parametrize(
    ("given", "echoed"), [("abc-123", True), ("bad id with spaces", False), ("", False)]
)
def test_request_id_is_echoed_only_when_sane(
    api: Api, given: str, echoed: bool
) -> None:
    response = api.client.get("/healthz", headers={"X-Request-ID": given})
    assert (response.headers["X-Request-ID"] == given) is echoed
    assert response.headers["X-Request-ID"]


def test_access_log_is_json_with_request_id_and_no_token(
    api: Api, caplog: pytest.LogCaptureFixture
) -> None:
    from api.resources.operations import JsonFormatter

    with caplog.at_level(logging.INFO, logger="pmo_ledger.access"):
        api.post("/projects", PROJECT, headers={"X-Request-ID": "log-1"})
    record = next(r for r in caplog.records if r.name == "pmo_ledger.access")
    line = JsonFormatter().format(record)
    entry = json.loads(line)
    assert (entry["request_id"], entry["status"]) == ("log-1", 201)
    # The caller as a pseudonym (its token's id), never the account's name.
    assert entry["actor"].startswith("token:") and "pmo-head-user" not in line
    assert api.tokens["pmo-head"] not in line


def test_unexpected_error_is_a_generic_500_problem(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    def explode(*args: object, **kwargs: object) -> None:
        raise RuntimeError("secret internals")

    monkeypatch.setattr(api.services.app, "register_project", explode)
    logging.getLogger("pmo_ledger.api").disabled = True
    try:
        response = api.post("/projects", PROJECT)
    finally:
        logging.getLogger("pmo_ledger.api").disabled = False
    assert response.status_code == 500
    assert response.content_type == "application/problem+json"
    assert "secret" not in response.get_data(as_text=True)


def test_readyz_reports_read_model_lag(api: Api) -> None:
    body = api.client.get("/readyz").json
    assert body["status"] == "ok"
    assert {"name", "lag"} <= set(body["read_models"][0])


def test_every_api_answer_forbids_content_sniffing(api: Api) -> None:
    pid = api.project()
    answers = [
        api.client.get("/healthz"),
        api.get(f"/projects/{pid}"),
        api.get("/projects/not-a-uuid"),
        api.get(f"/projects/{pid}", role=None),
    ]
    assert [r.headers.get("X-Content-Type-Options") for r in answers] == ["nosniff"] * 4

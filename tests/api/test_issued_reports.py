"""Issuing reports over HTTP: who may, what is refused, what is served."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta

import pytest

from api.auth import allowed_roles
from service.domain.base import ROLES
from tests.api.conftest import Api

END = (datetime.now(UTC) - timedelta(days=2)).date()
PERIOD = {
    "period_start": (END - timedelta(days=6)).isoformat(),
    "period_end": END.isoformat(),
}
EXCEPTION = {
    "report_type": "exception",
    **PERIOD,
    "narrative": {
        "cause": "Supplier insolvency",
        "consequences": "Build stage ends six weeks late",
        "options": "Re-tender; take the work in house",
        "recommendation": "Take the work in house",
    },
}


def test_only_keepers_issue_reports() -> None:
    roles = allowed_roles("reports.issue_report", "POST")
    assert roles == {"pmo-head", "project-officer"}
    assert allowed_roles("reports.list_reports", "GET") == set(ROLES)


@pytest.mark.parametrize("role", ["contributor", "custodian", "auditor"])
def test_other_roles_are_refused_and_nothing_is_written(live: Api, role: str) -> None:
    project = live.project()
    head = live.head()
    response = live.post(f"/projects/{project}/reports", EXCEPTION, role=role)
    assert response.status_code == 403
    assert response.content_type == "application/problem+json"
    assert live.head() == head


@pytest.mark.parametrize(
    "change",
    [
        {"report_type": "weekly"},
        {"period_end": "2020-01-01"},
        {"narrative": {"cause": ""}},
        {"narrative": {"verdict": "x"}},
        {"classification": "secret"},
    ],
)
def test_bad_bodies_are_refused_by_field(live: Api, change: dict[str, object]) -> None:
    project = live.project()
    head = live.head()
    response = live.post(f"/projects/{project}/reports", EXCEPTION | change)
    assert response.status_code == 422, response.json
    assert response.content_type == "application/problem+json"
    assert live.head() == head


def test_an_issue_is_listed_served_as_stored_and_reissued(live: Api) -> None:
    project = live.project()
    first = live.post(f"/projects/{project}/reports", EXCEPTION, role="project-officer")
    assert first.status_code == 201, first.json
    assert first.json["number"] == 1
    report = first.headers["Location"].removeprefix("/api/v1")
    pdf = live.get(f"{report}/issues/1/pdf", role="contributor")
    assert pdf.status_code == 200
    assert pdf.mimetype == "application/pdf"
    assert hashlib.sha256(pdf.data).hexdigest() == first.json["issue"]["pdf_sha256"]
    html = live.get(f"{report}/issues/1/html")
    assert b"Take the work in house" in html.data
    second = live.post(f"/projects/{project}/reports", EXCEPTION)
    assert second.json["number"] == 2
    position = second.json["position"]
    listed = live.get(f"/projects/{project}/reports?min_position={position}")
    assert [len(r["issues"]) for r in listed.json] == [2]
    assert live.get(f"{report}/issues/3/pdf").status_code == 404
    documents = live.get(f"/projects/{project}/documents?min_position={position}")
    kinds = sorted(d["doc_type"] for d in documents.json["items"])
    assert kinds == ["exception-report", "exception-report"]

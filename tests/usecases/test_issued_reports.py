"""Reports issued and frozen: as at the period end, stored in custody, repeatable."""

from __future__ import annotations

import hashlib
from datetime import UTC, date, datetime, timedelta
from uuid import UUID

import pytest

from service.domain.base import InvalidValueError, Meta, RoleRequiredError
from service.domain.clock import recorded_at
from usecases import issued
from usecases.content import DownloadVersion, download_version
from usecases.reads import RegisterQuery, register_rows
from usecases.report_contents import period_end_moment
from usecases.root import Services

OFFICER = Meta("olivia", "project-officer", "report test")
RAG = dict.fromkeys(("time", "cost", "scope", "quality", "benefits", "risk"), "green")
END = datetime.now(UTC).date() - timedelta(days=3)
START = END - timedelta(days=6)


def before_end(hours: int) -> datetime:
    """A moment inside the period, `hours` before its last day ends."""
    return period_end_moment(END) - timedelta(hours=hours)


def risk(services: Services, project: UUID, title: str, p: int, i: int) -> UUID:
    values = {
        "title": title,
        "cause": "c",
        "event": "e",
        "effect": "f",
        "category": "cost",
        "kind": "threat",
        "owner": "Lee",
        "proximity": "imminent",
        "probability": p,
        "impact": i,
    }
    return services.app.perform("identify_risk", project, values, OFFICER).id


def issue(services: Services, project: UUID, **narrative: str) -> issued.IssuedResult:
    command = issued.IssueReport(
        project, "highlight", START, END, "internal", narrative
    )
    return issued.issue_report(services, command, OFFICER)


def stored(services: Services, result: issued.IssuedResult, kind: str) -> bytes:
    document_id, number = issued.issue_document(
        services, result.written.id, result.number, kind
    )
    found = download_version(services, DownloadVersion(document_id, number), OFFICER)
    assert found.content is not None
    return b"".join(found.content)


@pytest.fixture
def project(services: Services) -> UUID:
    """A project with two risks and a status report inside the period."""
    with recorded_at(before_end(50)):
        found = services.app.register_project("REP-1", "Reports", "", "S", "M", OFFICER)
        risk(services, found.id, "Supplier late", 4, 4)
        closing = risk(services, found.id, "Licence cost", 2, 3)
    with recorded_at(before_end(20)):
        services.app.report_project_status(
            found.id, START, END, RAG, "On track", "Design", "Build", "within", "",
            OFFICER,
        )  # fmt: skip
    services.app.perform("close_risk", closing, {}, OFFICER)  # after the period
    services.runner.start()
    return found.id


def test_an_issued_report_reads_the_registers_as_at_its_period_end(
    services: Services, project: UUID
) -> None:
    risk(services, project, "Raised after the period", 5, 5)
    result = issue(services, project)
    as_of = period_end_moment(END)
    assert result.issue["as_of"] == as_of.isoformat()
    then = register_rows(services, RegisterQuery("risks", project, as_of))
    html = stored(services, result, "html").decode()
    assert {r["title"] for r in then} == {"Supplier late", "Licence cost"}
    for row in then:
        assert row["title"] in html
    assert "Raised after the period" not in html
    assert f"Key risks ({len(then)} open)" in html
    assert result.issue["narrative"]["summary"] == "On track"
    assert result.issue["rag"] == RAG


def test_regenerated_after_later_events_the_report_is_byte_identical(
    services: Services, project: UUID
) -> None:
    result = issue(services, project)
    pdf, html = stored(services, result, "pdf"), stored(services, result, "html")
    assert pdf.startswith(b"%PDF-")
    assert hashlib.sha256(pdf).hexdigest() == result.issue["pdf_sha256"]
    risk(services, project, "Later risk", 5, 5)
    services.app.report_project_status(
        project, START, END, RAG | {"time": "red"}, "Rewritten", "", "", "x", "",
        OFFICER,
    )  # fmt: skip
    assert services.views.wait_for(services.app.head_position(), 30)
    assert issued.regenerate(services, result.written.id, 1) == (html, pdf)


def test_issuing_again_makes_the_next_version(
    services: Services, project: UUID
) -> None:
    first = issue(services, project)
    second = issue(services, project, summary="Corrected summary")
    assert (first.number, second.number) == (1, 2)
    assert second.written.id == first.written.id
    assert (second.issue["pdf_version"], second.issue["html_version"]) == (2, 2)
    assert second.issue["narrative"]["summary"] == "Corrected summary"
    assert b"Corrected summary" in stored(services, second, "html")
    assert b"Corrected summary" not in stored(services, first, "html")
    listed = issued.list_reports(services, issued.ReportsQuery(project))
    assert [len(r["issues"]) for r in listed] == [2]
    documents = services.views.list_documents(
        project, as_of=None, after=None, limit=10
    ).items
    assert sorted(d["version_count"] for d in documents) == [2, 2]


def test_only_open_issues_are_key_issues(services: Services, project: UUID) -> None:
    with recorded_at(before_end(10)):
        values = {
            "issue_type": "problem-concern",
            "title": "Still open",
            "description": "d",
            "priority": "high",
            "severity": "major",
        }
        services.app.perform("raise_issue", project, values, OFFICER)
        done = services.app.perform(
            "raise_issue", project, values | {"title": "Resolved one"}, OFFICER
        ).id
        examined = {"impact_analysis": "i", "options": "o", "recommendation": "r"}
        services.app.perform("examine_issue", done, examined, OFFICER)
        services.app.perform("resolve_issue", done, {"resolution": "fixed"}, OFFICER)
    html = stored(services, issue(services, project), "html").decode()
    assert "Still open" in html and "Resolved one" not in html


def test_a_refused_issue_writes_nothing(services: Services, project: UUID) -> None:
    head = services.app.head_position()
    contributor = Meta("cy", "contributor", "no")
    command = issued.IssueReport(project, "highlight", START, END)
    with pytest.raises(RoleRequiredError):
        issued.issue_report(services, command, contributor)
    exception = issued.IssueReport(project, "exception", START, END)
    with pytest.raises(InvalidValueError, match="cause"):
        issued.issue_report(services, exception, OFFICER)
    future = issued.IssueReport(
        project, "checkpoint", date.today() + timedelta(days=9), END
    )
    with pytest.raises(InvalidValueError):
        issued.issue_report(services, future, OFFICER)
    assert services.app.head_position() == head

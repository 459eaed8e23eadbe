"""What each issued report says, read back from its frozen HTML: the end-stage,
end-project and exception reports, and the change, cost and benefit figures of
a highlight report, all as at the period end whatever was recorded after."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser
from uuid import UUID

import pytest

from service.domain.base import Meta
from service.domain.clock import recorded_at
from service.domain.report import SECTIONS
from tests.usecases.test_issued_reports import END, START, before_end, stored
from usecases import issued
from usecases.root import Services
from usecases.value import SetCostTolerance, set_cost_tolerance

TODAY = datetime.now(UTC).date()
HEAD = Meta("hana", "pmo-head", "report contents test")
SPENT_IN = before_end(40).strftime("%Y-%m")
FORECAST_IN = (before_end(40).replace(day=1) + timedelta(days=32)).strftime("%Y-%m")
NARRATIVE = {
    "summary": "Stage done",
    "work_done": "Design",
    "work_next": "Build",
    "tolerance_status": "Cost beyond tolerance",
    "lessons": "Book reviewers early",
    "cause": "Supplier price rise",
    "consequences": "Cost overrun",
    "options": "Descope or fund",
    "recommendation": "Fund from contingency",
}


class Sections(HTMLParser):
    """An issued report's HTML as its headings, each with its text and table rows."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.found: dict[str, list[list[str]]] = {}
        self.title = ""
        self.heading: str | None = None
        self.tag = ""
        self.cells: list[str] = []
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tag = tag
        if tag == "h2":
            self.heading = ""
        elif tag == "tr":
            self.cells = []
        elif tag in ("td", "th", "p") and self.heading in self.found:
            self.cells.append("")

    def handle_data(self, data: str) -> None:
        if self.tag == "h1":
            self.title += data
        elif self.tag == "h2" and self.heading is not None:
            self.heading += data
        elif self.heading in self.found and self.cells:
            self.cells[-1] += data

    def handle_endtag(self, tag: str) -> None:
        self.tag = ""
        if tag == "h2" and self.heading is not None:
            self.found[self.heading] = []
        elif tag in ("tr", "p") and self.heading in self.found and self.cells:
            self.found[self.heading].append([c.strip() for c in self.cells])
            self.cells = []


def read(
    services: Services, project: UUID, report_type: str, period: tuple = (START, END)
) -> Sections:
    """The report of the type issued for the period, read back from custody."""
    narrative = {k: NARRATIVE[k] for k in SECTIONS[report_type]}
    command = issued.IssueReport(project, report_type, *period, narrative=narrative)
    result = issued.issue_report(services, command, HEAD)
    return Sections(stored(services, result, "html").decode())


def perform(services: Services, use_case: str, on: object, values: dict) -> UUID:
    return services.app.perform(use_case, on, values, HEAD).id


def change(services: Services, project: UUID, title: str, decision: str = "") -> None:
    raised = {"title": title, "description": "d", "justification": "j"}
    found = perform(
        services, "raise_change", project, raised | {"related_issue_id": None}
    )
    if not decision:
        return
    impact = {"cost_impact": "100.00", "time_impact_days": 3}
    perform(services, "assess_change", found, impact | dict.fromkeys(
        ("scope_impact", "quality_impact", "risk_impact", "benefits_impact"), ""
    ))  # fmt: skip
    chosen = {"decision": decision, "authority": "Board", "rationale": "r"}
    perform(services, "decide_change", found, chosen)


def lesson(services: Services, project: UUID, title: str, priority: str) -> UUID:
    return perform(services, "log_lesson", project, {
        "title": title, "observation": "o", "cause": "", "effect": "",
        "early_warning": "", "recommendation": f"Next time: {title.lower()}",
        "category": "quality", "priority": priority, "raised_by": "Lee",
    })  # fmt: skip


@pytest.fixture
def project(services: Services) -> UUID:
    """Known changes, a budget line and a benefit in the period; more after it."""
    with recorded_at(before_end(24 * 10)):
        found = services.app.register_project("REP-2", "Value", "", "S", "M", HEAD).id
        change(services, found, "Raised before the period")
    with recorded_at(before_end(40)):
        change(services, found, "Approved in the period", "approve")
        change(services, found, "Rejected in the period", "reject")
        change(services, found, "Pending in the period")
        line = perform(services, "add_budget_line", found, {
            "title": "Team", "category": "labour", "currency": "EUR",
            "owner": "o", "approved_budget": "1000.00",
        })  # fmt: skip
        perform(services, "record_actual", line, {"period": SPENT_IN, "amount": "1060"})
        forecast = {"period": FORECAST_IN, "amount": "200"}
        perform(services, "record_forecast", line, forecast)
        benefit = perform(services, "identify_benefit", found, {
            "title": "Fewer calls", "kind": "benefit", "description": "d",
            "owner": "o", "category": "non-financial", "measure": "calls",
            "unit": "calls", "baseline_value": "100", "target_value": "50",
            "realise_from": START - timedelta(days=100), "realise_to": END,
            "change_ids": [],
        })  # fmt: skip
        perform(services, "plan_benefit", benefit, {"measurement_plan": "m"})
        measured = {"measured_on": START, "value": "97", "source": "s"}
        perform(services, "record_measurement", benefit, measured)
        early = lesson(services, found, "Book reviewers early", "high")
        kept = lesson(services, found, "Vet suppliers", "low")
        review = {"review_note": "n", "scope": "corporate"}
        perform(services, "review_lesson", kept, review)
        perform(services, "accept_lesson", kept, {})
    # a project's own events are never backdated: the tolerance is set after it
    set_cost_tolerance(services, SetCostTolerance(found, "5"), HEAD)
    change(services, found, "Raised after the period", "approve")
    later = {"measured_on": TODAY, "value": "60", "source": "s"}
    perform(services, "record_measurement", benefit, later)
    perform(services, "add_budget_line", found, {
        "title": "Later", "category": "labour", "currency": "GBP",
        "owner": "o", "approved_budget": "5.00",
    })  # fmt: skip
    lesson(services, found, "Logged after the period", "high")
    perform(services, "review_lesson", early, review | {"scope": "project"})
    services.runner.start()
    return found


CHANGES = [["Raised this period", "3"], ["Approved", "1"], ["Rejected", "1"],
           ["Pending", "2"]]  # fmt: skip
EUR = ["EUR", "1000.00", "1000.00", "1060.00", "1260.00", "-260.00"]
COST = (
    "EUR: forecast at completion 1260.00 exceeds the budget 1000.00 by 26.0%, "
    "beyond the 0% tolerance"
)
BEHIND = (
    f"Fewer calls: 97 calls on {START} is 88.3% of the planned change behind plan "
    "(52.83 planned)"
)


def test_a_highlight_report_carries_changes_and_the_cost_and_benefit_tolerances(
    services: Services, project: UUID
) -> None:
    report = read(services, project, "highlight")
    found = report.found
    assert report.title == "Highlight report: REP-2 Value"
    assert found["Change requests"] == CHANGES
    rag = {
        row[0]: row[1:] for row in found["RAG: reported and suggested by the registers"]
    }
    # the tolerance of 5% was set after the period: none was in force at its end
    assert rag["Cost"] == ["—", "red", COST]
    assert rag["Benefits"] == ["—", "red", BEHIND]
    assert [found[name] for name in ("Status summary", "Tolerances")] == [
        [["Stage done"]],
        [["Cost beyond tolerance"]],
    ]
    assert not {"Cost against budget", "Benefits", "Lessons"} & set(found)
    assert not [name for name in found if name.startswith("Lessons log")]


@pytest.mark.parametrize(
    ("report_type", "title"),
    [("end-stage", "End stage report"), ("end-project", "End project report")],
)
def test_an_end_stage_or_end_project_report_says_cost_benefits_and_lessons(
    services: Services, project: UUID, report_type: str, title: str
) -> None:
    report = read(services, project, report_type)
    found = report.found
    assert report.title == f"{title}: REP-2 Value"
    assert found["Status summary"] == [["Stage done"]]
    assert found["Cost against budget"][1:] == [EUR]
    assert found["Benefits"][1:] == [
        ["Fewer calls", "realising", "100", "50", "50.00", "97", "calls"]
    ]
    assert found["Change requests"] == CHANGES
    assert found["Key risks (0 open)"][1:] == [["No open risks."]]
    assert found["Lessons"] == [["Book reviewers early"]]
    assert "Cause" not in found


@pytest.mark.parametrize("report_type", ["end-stage", "end-project"])
def test_an_end_report_lists_the_lessons_log_as_at_the_period_end(
    services: Services, project: UUID, report_type: str
) -> None:
    found = read(services, project, report_type).found
    assert found["Lessons log (2 recorded)"][1:] == [
        ["Book reviewers early", "quality", "high", "logged", "—", "Lee",
         "Next time: book reviewers early"],
        ["Vet suppliers", "quality", "low", "accepted", "corporate", "Lee",
         "Next time: vet suppliers"],
    ]  # fmt: skip
    later = (END + timedelta(days=1), TODAY)
    now = read(services, project, report_type, later).found["Lessons log (3 recorded)"]
    assert [row[:5] for row in now[1:]] == [
        ["Book reviewers early", "quality", "high", "reviewed", "project"],
        ["Logged after the period", "quality", "high", "logged", "—"],
        ["Vet suppliers", "quality", "low", "accepted", "corporate"],
    ]


def test_an_exception_report_says_cause_options_and_cost(
    services: Services, project: UUID
) -> None:
    report = read(services, project, "exception")
    found = report.found
    assert report.title == "Exception report: REP-2 Value"
    assert [found[name] for name in ("Cause", "Consequences", "Options")] == [
        [["Supplier price rise"]],
        [["Cost overrun"]],
        [["Descope or fund"]],
    ]
    assert found["Recommendation"] == [["Fund from contingency"]]
    assert found["Cost against budget"][1:] == [EUR]
    assert found["Change requests"] == CHANGES
    assert not {"Benefits", "Status summary", "Lessons"} & set(found)
    assert not [name for name in found if name.startswith("Lessons log")]


def test_the_next_period_s_report_has_what_was_recorded_after_the_first(
    services: Services, project: UUID
) -> None:
    later = (END + timedelta(days=1), TODAY)
    found = read(services, project, "exception", later).found
    assert found["Cost against budget (tolerance 5%)"][1:] == [
        EUR,
        ["GBP", "5.00", "5.00", "0.00", "0.00", "5.00"],
    ]
    assert found["Change requests"] == [
        ["Raised this period", "1"],
        ["Approved", "2"],
        ["Rejected", "1"],
        ["Pending", "2"],
    ]

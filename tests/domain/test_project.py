"""Project and ProjectCode: registration, details, stage, highlight reports, closure."""

from __future__ import annotations

from datetime import date
from uuid import uuid4, uuid5

import pytest

from service.domain.base import InvalidValueError, RoleRequiredError
from service.domain.project import (
    PROJECT_CODE_NAMESPACE,
    RAG_DIMENSIONS,
    Project,
    ProjectCode,
)
from tests.domain.support import (
    HEAD,
    OFFICER,
    assert_refused,
    assert_same_on_replay,
    event_names,
)

GREEN = dict.fromkeys(RAG_DIMENSIONS, "green")


def new_project() -> Project:
    return Project.register(
        "crm-2", "New CRM", "Replace the CRM", "Sam", "Mia", OFFICER
    )


def report(project: Project, rag: dict[str, str], end: date = date(2026, 5, 7)) -> None:
    project.report_status(
        date(2026, 5, 1), end, rag, "on track", "built", "test", "within", "", OFFICER
    )


def test_register_upper_cases_the_code_and_starts_open() -> None:
    project = new_project()
    assert (project.code, project.status, project.stage) == ("CRM-2", "open", "")
    assert project.last_report is None
    assert event_names(project) == ["Registered"]


@pytest.mark.parametrize("code", ["A", "X" * 21, "AB_1", "ab c", "", "ÄB"])
def test_register_refuses_a_bad_code(code: str) -> None:
    with pytest.raises(InvalidValueError) as caught:
        Project.register(code, "Name", "", "Sam", "Mia", OFFICER)
    assert caught.value.field == "code"


@pytest.mark.parametrize(
    ("field", "args"),
    [
        ("name", ("AB", " ", "", "Sam", "Mia")),
        ("sponsor", ("AB", "Name", "", "", "Mia")),
        ("manager", ("AB", "Name", "", "Sam", "M" * 201)),
    ],
)
def test_register_refuses_missing_details(
    field: str, args: tuple[str, str, str, str, str]
) -> None:
    with pytest.raises(InvalidValueError) as caught:
        Project.register(*args, OFFICER)
    assert caught.value.field == field


def test_details_and_stage_change() -> None:
    project = new_project()
    project.change_details("CRM", "Replace it", "Ann", "Bob", OFFICER)
    project.change_stage("delivery stage 2", OFFICER)
    assert (project.name, project.sponsor, project.manager) == ("CRM", "Ann", "Bob")
    assert project.stage == "delivery stage 2"
    assert event_names(project)[1:] == ["DetailsChanged", "StageChanged"]
    assert_same_on_replay(project)


def test_status_reports_keep_this_period_and_last_periods_rag() -> None:
    project = new_project()
    report(project, GREEN)
    assert project.previous_rag is None
    amber = {**GREEN, "cost": "amber"}
    report(project, amber, date(2026, 5, 14))
    assert project.last_report is not None
    assert project.last_report.rag == amber
    assert project.last_report.period_end == date(2026, 5, 14)
    assert project.previous_rag == GREEN
    assert_same_on_replay(project)


def test_report_state_is_not_shared_with_the_callers_dict() -> None:
    project = new_project()
    rag = dict(GREEN)
    report(project, rag)
    rag["time"] = "red"
    assert project.last_report is not None
    assert project.last_report.rag["time"] == "green"


@pytest.mark.parametrize(
    "rag",
    [
        {k: v for k, v in GREEN.items() if k != "risk"},
        {**GREEN, "morale": "green"},
        {**GREEN, "time": "yellow"},
    ],
)
def test_report_refuses_a_bad_rag(rag: dict[str, str]) -> None:
    project = new_project()
    with pytest.raises(InvalidValueError) as caught:
        report(project, rag)
    assert caught.value.field.startswith("rag")
    assert project.version == 1


def test_report_refuses_a_period_that_ends_before_it_starts() -> None:
    project = new_project()
    with pytest.raises(InvalidValueError) as caught:
        report(project, GREEN, date(2026, 4, 30))
    assert caught.value.field == "period_end"


def test_a_closed_project_refuses_everything_but_reopen() -> None:
    project = new_project()
    project.close(OFFICER)
    assert project.status == "closed"
    assert_refused("closed", project.close, OFFICER)
    assert_refused("closed", project.change_stage, "x", OFFICER)
    assert_refused("closed", project.change_details, "a", "b", "c", "d", OFFICER)
    assert_refused("closed", report, project, GREEN)
    assert_refused("closed", project.check_open, "record a risk against")
    assert project.version == 2


def test_only_the_pmo_head_reopens() -> None:
    project = new_project()
    project.close(OFFICER)
    with pytest.raises(RoleRequiredError):
        project.reopen(OFFICER)
    project.reopen(HEAD)
    assert project.status == "open"
    project.check_open("record a risk against")
    assert_refused("open", project.reopen, HEAD)
    assert event_names(project)[-2:] == ["Closed", "Reopened"]
    assert_same_on_replay(project)


def test_project_code_id_is_derived_from_the_upper_cased_code() -> None:
    project_id = uuid4()
    reservation = ProjectCode("crm-2", project_id, OFFICER)
    assert reservation.id == ProjectCode.create_id("CRM-2")
    assert reservation.id == uuid5(PROJECT_CODE_NAMESPACE, "project-code:CRM-2")
    assert (reservation.code, reservation.project_id) == ("CRM-2", project_id)
    assert event_names(reservation) == ["Reserved"]
    assert_same_on_replay(reservation)

"""The retention schedule file: parsing, periods, and refusal of unknown classes."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from service.app import PmoApplication
from service.config import ConfigError
from service.domain.base import InvalidValueError
from service.retention import (
    DEFAULT_FILE,
    RETENTION_FILE_VARIABLE,
    Period,
    load_schedule,
    parse_schedule,
    schedule_path,
)
from tests.custody.conftest import CUSTODIAN, new_project

VALID = {"trigger": "approval", "period": {"years": 1}, "action": "destroy"}


@pytest.mark.parametrize(
    ("start", "period", "expected"),
    [
        (date(2024, 2, 29), Period(years=1), date(2025, 2, 28)),
        (date(2024, 1, 31), Period(months=1), date(2024, 2, 29)),
        (date(2023, 11, 15), Period(months=3), date(2024, 2, 15)),
        (date(2020, 6, 1), Period(years=7, months=6, days=1), date(2027, 12, 2)),
        (date(2026, 3, 1), Period(), date(2026, 3, 1)),
    ],
)
def test_periods_are_calendar_arithmetic(
    start: date, period: Period, expected: date
) -> None:
    assert period.after(start) == expected


def test_the_packaged_schedule_loads_and_describes_each_class() -> None:
    schedule = load_schedule(DEFAULT_FILE)
    record = schedule.get("project-record")
    assert (record.trigger, record.action, record.period) == (
        "project-close",
        "review",
        Period(years=7),
    )
    assert {c.trigger for c in schedule.classes.values()} == {
        "approval",
        "registration",
        "project-close",
    }
    assert str(schedule.get("correspondence").period) == "2 years, 6 months"


def test_the_file_can_be_overridden_by_environment(tmp_path: Path) -> None:
    custom = tmp_path / "retention.toml"
    custom.write_text(
        '[classes.minutes]\ntrigger = "registration"\n'
        'period = { days = 30 }\naction = "destroy"\n'
    )
    assert schedule_path({}) == DEFAULT_FILE
    path = schedule_path({RETENTION_FILE_VARIABLE: str(custom)})
    assert list(load_schedule(path).classes) == ["minutes"]


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ({**VALID, "trigger": "closure"}, "trigger must be one of"),
        ({**VALID, "action": "shred"}, "action must be one of"),
        ({**VALID, "period": {"weeks": 2}}, "period must be"),
        ({**VALID, "period": {"years": -1}}, "whole number"),
        ({**VALID, "period": {"years": 1.5}}, "whole number"),
        ({**VALID, "colour": "red"}, "unknown keys colour"),
    ],
)
def test_bad_schedules_name_the_class_and_the_problem(
    table: dict[str, object], message: str
) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_schedule({"classes": {"minutes": table}}, "test.toml")
    assert "'minutes'" in str(caught.value) and message in str(caught.value)


def test_an_empty_or_unreadable_schedule_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ConfigError):
        parse_schedule({}, "empty.toml")
    broken = tmp_path / "broken.toml"
    broken.write_text("[classes.x\n")
    with pytest.raises(ConfigError, match=r"broken\.toml"):
        load_schedule(broken)


def test_unknown_retention_class_is_refused_at_registration(
    event_app: PmoApplication,
) -> None:
    project_id = new_project(event_app)
    head = event_app.head_position()
    with pytest.raises(InvalidValueError) as caught:
        event_app.register_document(
            project_id, "Plan", "plan", "internal", "forever", "Cara", CUSTODIAN
        )
    assert caught.value.field == "retention_class"
    assert "working-paper" in caught.value.message
    assert event_app.head_position() == head

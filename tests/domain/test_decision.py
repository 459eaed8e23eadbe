"""Decision: recorded once, superseded at most once, never edited."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from uuid import uuid4

import pytest

from service.domain.base import InvalidValueError
from service.domain.decision import Decision
from tests.domain.support import (
    OFFICER,
    PROJECT_ID,
    assert_refused,
    assert_same_on_replay,
    event_names,
)

FIELDS: dict[str, Any] = {
    "project_id": PROJECT_ID,
    "title": "Use vendor SSO",
    "context": "two options",
    "options": ["build", "buy"],
    "outcome": "buy",
    "rationale": "cheaper",
    "decided_by": "board",
    "decided_on": date(2026, 5, 1),
    "related_ids": ["RISK-1"],
}


def new_decision(**changes: Any) -> Decision:
    return Decision.record(**{**FIELDS, **changes}, meta=OFFICER)


def test_record() -> None:
    decision = new_decision()
    assert decision.status == "approved"
    assert decision.options == ["build", "buy"]
    assert decision.decided_on == date(2026, 5, 1)
    assert decision.superseded_by is None
    assert event_names(decision) == ["Recorded"]
    assert_same_on_replay(decision)


def test_recorded_lists_are_not_shared_with_the_caller() -> None:
    options = ["build", "buy"]
    decision = new_decision(options=options)
    options.append("wait")
    assert decision.options == ["build", "buy"]


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("options", "build, buy"),
        ("options[1]", ["build", ""]),
        ("decided_on", "2026-05-01"),
        ("decided_on", datetime(2026, 5, 1)),
        ("related_ids", None),
        ("outcome", ""),
        ("decided_by", " "),
    ],
)
def test_record_refuses_bad_values(field: str, value: Any) -> None:
    name = field.split("[")[0]
    with pytest.raises(InvalidValueError) as caught:
        new_decision(**{name: value})
    assert caught.value.field == field


def test_supersede_once() -> None:
    decision = new_decision()
    newer = str(uuid4())
    decision.supersede(newer, OFFICER)
    assert (decision.status, decision.superseded_by) == ("superseded", newer)
    assert_refused("superseded", decision.supersede, str(uuid4()), OFFICER)
    assert decision.superseded_by == newer
    assert_same_on_replay(decision)


def test_a_decision_cannot_supersede_itself() -> None:
    decision = new_decision()
    with pytest.raises(InvalidValueError) as caught:
        decision.supersede(str(decision.id), OFFICER)
    assert caught.value.field == "superseded_by"
    with pytest.raises(InvalidValueError):
        decision.supersede("", OFFICER)
    assert decision.status == "approved"

"""ChangeRequest: every allowed and refused transition of change control."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from service.domain.base import InvalidValueError, TransitionError
from service.domain.change import STATUSES, ChangeRequest
from tests.domain.support import (
    HEAD,
    OFFICER,
    PROJECT_ID,
    assert_refused,
    assert_same_on_replay,
    event_names,
)

IMPACT: tuple[str, int, str, str, str, str] = (
    "1500.50",
    10,
    "adds reports",
    "none",
    "lower",
    "faster",
)


def raised() -> ChangeRequest:
    return ChangeRequest.raise_request(
        PROJECT_ID, "Add reports", "Monthly reports", "Board asked", None, OFFICER
    )


def assessed() -> ChangeRequest:
    change = raised()
    change.assess_impact(*IMPACT, OFFICER)
    return change


def decided(decision: str) -> ChangeRequest:
    change = assessed()
    change.decide(decision, "change board", "within budget", HEAD)
    return change


def implemented() -> ChangeRequest:
    change = decided("approve")
    change.implement("released 1.4", OFFICER)
    return change


def closed() -> ChangeRequest:
    change = implemented()
    change.close(OFFICER)
    return change


MAKERS: dict[str, Callable[[], ChangeRequest]] = {
    "raised": raised,
    "assessed": assessed,
    "approved": lambda: decided("approve"),
    "rejected": lambda: decided("reject"),
    "deferred": lambda: decided("defer"),
    "info-requested": lambda: decided("request-info"),
    "implemented": implemented,
    "closed": closed,
}
COMMANDS: dict[str, Callable[[ChangeRequest], None]] = {
    "assess": lambda c: c.assess_impact(*IMPACT, OFFICER),
    "decide": lambda c: c.decide("approve", "board", "ok", HEAD),
    "implement": lambda c: c.implement("done", OFFICER),
    "close": lambda c: c.close(OFFICER),
}
ALLOWED = {
    "assess": {"raised", "assessed", "deferred", "info-requested"},
    "decide": {"assessed"},
    "implement": {"approved"},
    "close": {"implemented", "rejected", "deferred"},
}
RESULT = {"assess": "assessed", "decide": "approved", "implement": "implemented"}


def test_every_status_has_a_maker() -> None:
    assert set(MAKERS) == set(STATUSES)
    for status, make in MAKERS.items():
        assert make().status == status


@pytest.mark.parametrize("status", STATUSES)
@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_transition_table(status: str, command: str) -> None:
    change = MAKERS[status]()
    change.collect_events()
    version = change.version
    if status in ALLOWED[command]:
        COMMANDS[command](change)
        assert change.status == RESULT.get(command, "closed")
        assert change.version == version + 1
    else:
        error = assert_refused(status, COMMANDS[command], change)
        assert isinstance(error, TransitionError)
        assert change.version == version
        assert change.status == status


@pytest.mark.parametrize(
    ("decision", "status", "step"),
    [
        ("approve", "approved", "implement"),
        ("reject", "rejected", "done"),
        ("defer", "deferred", "examine"),
        ("request-info", "info-requested", "examine"),
    ],
)
def test_decisions(decision: str, status: str, step: str) -> None:
    change = decided(decision)
    assert (change.status, change.step, change.decision) == (status, step, decision)
    assert change.authority == "change board"
    assert_same_on_replay(change)


def test_steps_through_the_pipeline() -> None:
    change = raised()
    assert change.step == "capture"
    change.assess_impact(*IMPACT, OFFICER)
    assert change.step == "decide"
    change.decide("approve", "board", "ok", HEAD)
    change.implement("", OFFICER)
    change.close(OFFICER)
    assert change.step == "done"
    assert event_names(change) == [
        "Raised",
        "ImpactAssessed",
        "Decided",
        "Implemented",
        "Closed",
    ]
    assert_same_on_replay(change)


def test_a_deferred_change_is_reassessed_and_decided_again() -> None:
    change = decided("defer")
    assert_refused("deferred", change.decide, "approve", "board", "ok", HEAD)
    change.assess_impact("0", -5, "", "", "", "", OFFICER)
    change.decide("approve", "board", "now affordable", HEAD)
    assert change.status == "approved"
    assert change.impact is not None
    assert change.impact["time_impact_days"] == -5
    assert_same_on_replay(change)


@pytest.mark.parametrize(
    ("field", "index", "value"),
    [
        ("cost_impact", 0, "12,000"),
        ("cost_impact", 0, "1.234"),
        ("cost_impact", 0, 100),
        ("cost_impact", 0, ""),
        ("time_impact_days", 1, 3651),
        ("time_impact_days", 1, True),
        ("time_impact_days", 1, "3"),
        ("scope_impact", 2, None),
    ],
)
def test_assessment_refuses_bad_values(field: str, index: int, value: Any) -> None:
    change = raised()
    args: list[Any] = [*IMPACT, OFFICER]
    args[index] = value
    with pytest.raises(InvalidValueError) as caught:
        change.assess_impact(*args)
    assert caught.value.field == field
    assert change.status == "raised"


@pytest.mark.parametrize(
    ("field", "args"),
    [
        ("decision", ("concede", "board", "ok")),
        ("authority", ("approve", "", "ok")),
        ("rationale", ("approve", "board", "")),
    ],
)
def test_decide_refuses_bad_values(field: str, args: tuple[str, str, str]) -> None:
    change = assessed()
    with pytest.raises(InvalidValueError) as caught:
        change.decide(*args, HEAD)
    assert caught.value.field == field
    assert change.status == "assessed"


def test_raise_refuses_missing_text_and_keeps_related_issue() -> None:
    with pytest.raises(InvalidValueError) as caught:
        ChangeRequest.raise_request(PROJECT_ID, "t", "d", "", None, OFFICER)
    assert caught.value.field == "justification"
    change = ChangeRequest.raise_request(PROJECT_ID, "t", "d", "j", "ISS-1", OFFICER)
    assert change.related_issue_id == "ISS-1"

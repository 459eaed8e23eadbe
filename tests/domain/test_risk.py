"""Risk: identification, assessment, response, closure and reopening."""

from __future__ import annotations

from typing import Any

import pytest

from service.domain.base import InvalidValueError
from service.domain.risk import Risk
from tests.domain.support import (
    OFFICER,
    PROJECT_ID,
    assert_refused,
    assert_same_on_replay,
    event_names,
)

FIELDS: dict[str, Any] = {
    "project_id": PROJECT_ID,
    "title": "Supplier late",
    "cause": "single supplier",
    "event": "delivery slips",
    "effect": "launch delayed",
    "category": "schedule",
    "kind": "threat",
    "owner": "Mia",
    "proximity": "within-stage",
    "probability": 3,
    "impact": 4,
}


def new_risk(**changes: Any) -> Risk:
    return Risk.identify(**{**FIELDS, **changes}, meta=OFFICER)


def test_identified_values_are_inherent_and_residual_until_assessed() -> None:
    risk = new_risk()
    assert risk.status == "open"
    assert (risk.inherent_probability, risk.inherent_impact) == (3, 4)
    assert risk.inherent_score == risk.residual_score == 12
    assert risk.response is None
    assert event_names(risk) == ["Identified"]


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("probability", 0),
        ("probability", 6),
        ("impact", True),
        ("impact", "3"),
        ("category", "weather"),
        ("kind", "both"),
        ("proximity", "soon"),
        ("title", ""),
        ("owner", "   "),
        ("cause", ""),
    ],
)
def test_identify_refuses_bad_values(field: str, value: Any) -> None:
    with pytest.raises(InvalidValueError) as caught:
        new_risk(**{field: value})
    assert caught.value.field == field


def test_assessment_sets_inherent_and_residual_scores() -> None:
    risk = new_risk()
    risk.assess(5, 5, 2, 1, OFFICER)
    assert (risk.inherent_score, risk.residual_score) == (25, 2)
    assert_same_on_replay(risk)


@pytest.mark.parametrize("position", range(4))
@pytest.mark.parametrize("value", [0, 6, -1])
def test_assessment_refuses_values_outside_one_to_five(
    position: int, value: int
) -> None:
    risk = new_risk()
    values = [3, 3, 3, 3]
    values[position] = value
    ip, ii, rp, ri = values
    with pytest.raises(InvalidValueError):
        risk.assess(ip, ii, rp, ri, OFFICER)
    assert risk.version == 1
    assert risk.residual_score == 12


@pytest.mark.parametrize("response", ["avoid", "reduce", "prepare", "accept", "share"])
def test_threat_responses(response: str) -> None:
    risk = new_risk()
    risk.plan_response(response, "second supplier", "Raj", OFFICER)
    assert (risk.response, risk.actions, risk.actionee) == (
        response,
        "second supplier",
        "Raj",
    )
    assert_same_on_replay(risk)


@pytest.mark.parametrize(
    ("kind", "response"),
    [("threat", "exploit"), ("threat", "enhance"), ("opportunity", "avoid")],
)
def test_response_must_fit_the_kind_of_risk(kind: str, response: str) -> None:
    risk = new_risk(kind=kind)
    with pytest.raises(InvalidValueError) as caught:
        risk.plan_response(response, "act", "Raj", OFFICER)
    assert caught.value.field == "response"


def test_opportunity_responses() -> None:
    risk = new_risk(kind="opportunity")
    for response in ("exploit", "enhance", "share", "reject"):
        risk.plan_response(response, "act", "Raj", OFFICER)
    assert risk.response == "reject"


def test_close_and_reopen() -> None:
    risk = new_risk()
    assert_refused("open", risk.reopen, OFFICER)
    risk.close(OFFICER)
    assert risk.status == "closed"
    assert_refused("closed", risk.close, OFFICER)
    assert_refused("closed", risk.assess, 1, 1, 1, 1, OFFICER)
    assert_refused("closed", risk.plan_response, "avoid", "a", "b", OFFICER)
    risk.reopen(OFFICER)
    assert risk.status == "open"
    assert event_names(risk)[1:] == ["Closed", "Reopened"]
    assert_same_on_replay(risk)

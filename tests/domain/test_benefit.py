"""Benefit: identified, planned, measured in date order, realised or not, withdrawn."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import uuid4

import pytest

from service.domain.base import InvalidValueError, Meta
from service.domain.benefit import Benefit
from tests.domain.support import (
    CONTRIBUTOR,
    OFFICER,
    PROJECT_ID,
    assert_refused,
    assert_same_on_replay,
    event_names,
)

NO_REASON = Meta(actor="olive", role="project-officer")
CHANGE = str(uuid4())
GIVEN: dict[str, Any] = {
    "title": "Faster claims",
    "kind": "benefit",
    "description": "Claims settle sooner with the new workflow",
    "owner": "Head of Claims",
    "category": "non-financial",
    "measure": "days from claim to settlement",
    "unit": "days",
    "baseline_value": "20",
    "target_value": "12",
    "realise_from": date(2024, 1, 1),
    "realise_to": date(2024, 12, 31),
    "change_ids": [CHANGE],
}


def identified(**changes: Any) -> Benefit:
    return Benefit.start(PROJECT_ID, GIVEN | changes, CONTRIBUTOR)


def planned() -> Benefit:
    benefit = identified()
    benefit.plan("monthly from the claims system", OFFICER)
    return benefit


def realising() -> Benefit:
    benefit = planned()
    benefit.record_measurement(date(2024, 3, 1), "18.5", "claims system", OFFICER)
    return benefit


def test_identify_records_every_value() -> None:
    benefit = identified()
    assert benefit.status == "identified"
    assert benefit.change_ids == [CHANGE]
    assert (benefit.baseline_value, benefit.target_value) == ("20", "12")
    assert benefit.measurements is None and benefit.latest_value is None
    assert event_names(benefit) == ["Identified"]


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"kind": "gain"}, "kind", "must be one of benefit, dis-benefit"),
        ({"category": "fiscal"}, "category", "must be one of financial"),
        ({"baseline_value": "1e3"}, "baseline_value", "must be a decimal"),
        ({"target_value": 12.0}, "target_value", "must be a decimal"),
        ({"target_value": "20.0"}, "target_value", "must differ from baseline"),
        ({"realise_to": date(2023, 12, 31)}, "realise_to", "must not be before"),
        ({"realise_from": "2024-01-01"}, "realise_from", "must be a date"),
        ({"change_ids": ["nope"]}, "change_ids[0]", "must be an id"),
        ({"change_ids": [CHANGE, CHANGE]}, "change_ids", "must not list an id twice"),
        ({"owner": " "}, "owner", "must not be empty"),
    ],
)
def test_identify_refuses_bad_values(
    changes: dict[str, Any], field: str, message: str
) -> None:
    with pytest.raises(InvalidValueError) as caught:
        identified(**changes)
    assert caught.value.field == field
    assert message in caught.value.message


def test_plan_then_measure_moves_to_realising_and_keeps_the_series() -> None:
    benefit = realising()
    assert benefit.status == "realising"
    benefit.record_measurement(date(2024, 3, 1), "18", "audit sample", OFFICER)
    benefit.record_measurement(date(2024, 6, 1), "15", "claims system", OFFICER)
    assert [m["value"] for m in benefit.measurements] == ["18.5", "18", "15"]
    assert (benefit.latest_value, benefit.latest_measured_on) == ("15", "2024-06-01")
    assert benefit.measurement_count == 3
    assert_same_on_replay(benefit)


def test_a_measurement_before_the_latest_is_refused() -> None:
    benefit = realising()
    with pytest.raises(InvalidValueError, match="must not be after today"):
        benefit.record_measurement(date(2999, 1, 1), "19", "a wish", OFFICER)
    with pytest.raises(InvalidValueError, match="before the latest measurement"):
        benefit.record_measurement(date(2024, 2, 28), "19", "late report", OFFICER)
    assert benefit.measurement_count == 1


def test_an_identified_benefit_is_planned_before_it_is_measured() -> None:
    benefit = identified()
    assert_refused(
        "identified", benefit.record_measurement, date(2024, 3, 1), "18", "s", OFFICER
    )
    assert_refused("identified", benefit.realise, OFFICER)


def test_realised_keeps_being_measured_and_cannot_be_withdrawn() -> None:
    benefit = realising()
    assert_refused("identified", identified().realise, OFFICER)
    benefit.realise(OFFICER)
    assert benefit.status == "realised"
    benefit.record_measurement(date(2025, 3, 1), "11", "post-project review", OFFICER)
    assert benefit.status == "realised"
    assert_refused("realised", benefit.withdraw, OFFICER)
    assert_refused("realised", benefit.not_realised, OFFICER)
    assert_refused("realised", benefit.plan, "again", OFFICER)


@pytest.mark.parametrize("start", [planned, realising])
def test_not_realised_needs_a_reason(start: Any) -> None:
    benefit = start()
    with pytest.raises(InvalidValueError, match="reason: is required to record"):
        benefit.not_realised(NO_REASON)
    benefit.not_realised(OFFICER)
    assert benefit.status == "not-realised"
    assert_refused(
        "not-realised", benefit.record_measurement, date(2025, 1, 1), "1", "s", OFFICER
    )


@pytest.mark.parametrize("start", [identified, planned, realising])
def test_withdraw_needs_a_reason_and_ends_the_benefit(start: Any) -> None:
    benefit = start()
    with pytest.raises(InvalidValueError, match="reason: is required to withdraw"):
        benefit.withdraw(NO_REASON)
    benefit.withdraw(OFFICER)
    assert benefit.status == "withdrawn"
    assert_refused("withdrawn", benefit.link_change, str(uuid4()), OFFICER)
    assert_refused("withdrawn", benefit.withdraw, OFFICER)


def test_a_change_request_is_linked_once() -> None:
    benefit = identified()
    other = str(uuid4())
    benefit.link_change(other, OFFICER)
    assert benefit.change_ids == [CHANGE, other]
    with pytest.raises(InvalidValueError, match="already linked"):
        benefit.link_change(other, OFFICER)
    assert_same_on_replay(benefit)


def test_an_identified_benefit_is_not_recorded_not_realised() -> None:
    assert_refused("identified", identified().not_realised, OFFICER)

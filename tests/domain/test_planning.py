"""Milestones, plan baselines and dependencies: every transition and guard."""

from __future__ import annotations

from datetime import UTC, date, datetime
from uuid import uuid4

import pytest

from service.domain.base import InvalidValueError, Meta, RoleRequiredError
from service.domain.baseline import Baseline, snapshot
from service.domain.clock import recorded_at
from service.domain.dependency import Dependency, standing
from service.domain.milestone import Milestone
from tests.domain.support import (
    HEAD,
    OFFICER,
    PROJECT_ID,
    assert_refused,
    assert_same_on_replay,
    event_names,
)

NO_REASON = Meta(actor="olive", role="project-officer")
DUE = date(2027, 3, 1)


def planned() -> Milestone:
    return Milestone.plan(PROJECT_ID, "Go live", "", "Max", DUE, OFFICER)


def test_a_milestone_is_forecast_at_its_baseline_and_slips_beyond_it() -> None:
    milestone = planned()
    assert (milestone.status, milestone.forecast_date) == ("planned", DUE)
    assert milestone.slip_days == 0
    milestone.reforecast(date(2027, 3, 15), OFFICER)
    assert (milestone.status, milestone.slip_days) == ("slipped", 14)
    milestone.reforecast(date(2027, 2, 20), OFFICER)
    assert (milestone.status, milestone.slip_days) == ("planned", -9)
    milestone.achieve(date(2027, 2, 25), OFFICER)
    assert (milestone.status, milestone.slip_days) == ("achieved", -4)
    assert event_names(milestone) == [
        "Planned",
        "Reforecast",
        "Reforecast",
        "Achieved",
    ]
    assert_same_on_replay(milestone)


def test_a_reforecast_and_a_cancellation_need_a_reason() -> None:
    milestone = planned()
    with pytest.raises(InvalidValueError, match="reason: is required to reforecast"):
        milestone.reforecast(date(2027, 4, 1), NO_REASON)
    with pytest.raises(InvalidValueError, match="reason: is required to cancel"):
        milestone.cancel(NO_REASON)
    assert event_names(milestone) == ["Planned"]
    milestone.cancel(OFFICER)
    assert milestone.status == "cancelled"


@pytest.mark.parametrize("end", ["achieve", "cancel"])
def test_achieved_and_cancelled_milestones_take_nothing_more(end: str) -> None:
    milestone = planned()
    if end == "achieve":
        milestone.achieve(DUE, OFFICER)
    else:
        milestone.cancel(OFFICER)
    state = milestone.status
    assert_refused(state, milestone.reforecast, date(2027, 4, 1), OFFICER)
    assert_refused(state, milestone.achieve, DUE, OFFICER)
    assert_refused(state, milestone.cancel, OFFICER)


def test_milestone_values_are_checked() -> None:
    with pytest.raises(InvalidValueError, match="baseline_date: must be a date"):
        Milestone.plan(PROJECT_ID, "Go live", "", "Max", "2027-03-01", OFFICER)
    with pytest.raises(InvalidValueError, match="owner: must not be empty"):
        Milestone.plan(PROJECT_ID, "Go live", "", " ", DUE, OFFICER)
    with pytest.raises(InvalidValueError, match="forecast_date: must be a date"):
        planned().reforecast(datetime(2027, 3, 1, tzinfo=UTC), OFFICER)


def test_events_created_in_a_backdated_block_carry_its_moment() -> None:
    moment = datetime(2026, 6, 3, 9, tzinfo=UTC)
    with recorded_at(moment):
        milestone = planned()
    milestone.reforecast(date(2027, 4, 1), OFFICER)
    stamps = [e.timestamp for e in milestone.pending_events]
    assert stamps[0] == moment and stamps[1] > moment
    with (
        pytest.raises(ValueError, match="time zone"),
        recorded_at(datetime(2026, 1, 1)),
    ):
        pass


DATES = {str(uuid4()): "2027-03-01"}


def approve(meta: Meta = HEAD, **values: object) -> Baseline:
    given = {
        "name": "Stage plan",
        "tolerance_days": 10,
        "approval": "pmo-head",
        "board_decision_id": None,
        "dates": DATES,
        "supersedes": None,
    } | values
    return Baseline.approve(PROJECT_ID, **given, meta=meta)


def test_the_pmo_head_approves_a_baseline_in_person() -> None:
    baseline = approve()
    assert (baseline.status, baseline.dates, baseline.tolerance_days) == (
        "approved",
        DATES,
        10,
    )
    with pytest.raises(RoleRequiredError, match="only pmo-head may approve"):
        approve(OFFICER)


def test_the_board_approves_through_a_recorded_decision() -> None:
    with pytest.raises(InvalidValueError, match="board_decision_id: is required"):
        approve(OFFICER, approval="project-board")
    decision = str(uuid4())
    baseline = approve(OFFICER, approval="project-board", board_decision_id=decision)
    assert baseline.board_decision_id == decision


def test_a_rebaseline_needs_a_reason_and_milestones() -> None:
    earlier = str(uuid4())
    with pytest.raises(InvalidValueError, match="reason: is required to rebaseline"):
        approve(Meta("hana", "pmo-head"), supersedes=earlier)
    assert approve(supersedes=earlier, meta=Meta("h", "pmo-head", "replan")).supersedes
    with pytest.raises(InvalidValueError, match="no milestones to baseline"):
        approve(dates={})
    with pytest.raises(InvalidValueError, match="must be a date"):
        approve(dates={"x": "soon"})
    with pytest.raises(InvalidValueError, match="tolerance_days: must be an integer"):
        approve(tolerance_days=400)


def test_a_snapshot_takes_the_milestones_dates_and_the_newest_baseline() -> None:
    rows = {
        "milestones": [
            {"id": "a", "status": "planned", "forecast_date": "2027-01-02",
             "actual_date": None},
            {"id": "b", "status": "achieved", "forecast_date": "2026-11-01",
             "actual_date": "2026-11-03"},
            {"id": "c", "status": "cancelled", "forecast_date": "2027-05-01",
             "actual_date": None},
        ],
        "baselines": [
            {"id": "new", "created_at": "2026-10-01T00:00:00"},
            {"id": "old", "created_at": "2026-06-01T00:00:00"},
        ],
    }  # fmt: skip
    assert snapshot(rows) == {
        "dates": {"a": "2027-01-02", "b": "2026-11-03"},
        "supersedes": "new",
    }
    assert snapshot({"milestones": [], "baselines": []})["supersedes"] is None


SUCCESSOR, PREDECESSOR = str(uuid4()), str(uuid4())


def dependency(**values: object) -> Dependency:
    given = {
        "title": "Pilot needs platform",
        "successor_id": SUCCESSOR,
        "predecessor_id": PREDECESSOR,
        "external_deliverable": "",
        "external_owner": "",
        "external_forecast": None,
        "need_by": date(2027, 2, 1),
    } | values
    return Dependency.record(PROJECT_ID, **given, meta=OFFICER)


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"predecessor_id": None}, "predecessor_id: is required unless"),
        ({"external_deliverable": "Kit"}, "not both"),
        (
            {"predecessor_id": None, "external_deliverable": "Kit"},
            "external_owner: is required",
        ),
        ({"external_forecast": date(2027, 1, 1)}, "only kept for an external"),
        ({"predecessor_id": SUCCESSOR}, "cannot precede itself"),
        ({"need_by": "2027-02-01"}, "need_by: must be a date"),
    ],
)
def test_a_dependency_names_one_predecessor(
    values: dict[str, object], message: str
) -> None:
    with pytest.raises(InvalidValueError, match=message):
        dependency(**values)


def test_a_milestone_dependency_changes_need_by_and_is_withdrawn() -> None:
    dep = dependency()
    with pytest.raises(InvalidValueError, match="reason: is required"):
        dep.renegotiate(date(2027, 3, 1), NO_REASON)
    dep.renegotiate(date(2027, 3, 1), OFFICER)
    with pytest.raises(InvalidValueError, match="follows that milestone"):
        dep.reforecast(date(2027, 1, 1), OFFICER)
    with pytest.raises(InvalidValueError, match="follows that milestone"):
        dep.resolve(date(2027, 1, 1), OFFICER)
    with pytest.raises(InvalidValueError, match="reason: is required"):
        dep.withdraw(NO_REASON)
    dep.withdraw(OFFICER)
    assert_refused("withdrawn", dep.renegotiate, date(2027, 3, 1), OFFICER)
    assert_refused("withdrawn", dep.withdraw, OFFICER)
    assert event_names(dep) == ["Recorded", "NeedByChanged", "Withdrawn"]
    assert_same_on_replay(dep)


def test_an_external_dependency_is_reforecast_and_delivered() -> None:
    dep = dependency(
        predecessor_id=None, external_deliverable="Power feed", external_owner="Util"
    )
    with pytest.raises(InvalidValueError, match="reason: is required"):
        dep.reforecast(date(2027, 3, 1), NO_REASON)
    dep.reforecast(date(2027, 3, 1), OFFICER)
    dep.resolve(date(2027, 2, 27), NO_REASON)
    assert (dep.status, dep.delivered_on) == ("resolved", date(2027, 2, 27))
    assert_refused("resolved", dep.reforecast, date(2027, 3, 1), OFFICER)
    assert_refused("resolved", dep.withdraw, OFFICER)


def milestone_state(status: str = "planned", forecast: str = "2027-01-20") -> dict:
    return {"status": status, "forecast_date": forecast}


@pytest.mark.parametrize(
    ("status", "forecast", "on", "expected"),
    [
        ("planned", "2027-01-20", date(2027, 1, 1), "on-track"),
        ("slipped", "2027-02-01", date(2027, 1, 1), "on-track"),
        ("slipped", "2027-02-02", date(2027, 1, 1), "at-risk"),
        ("planned", "2027-01-20", date(2027, 2, 1), "on-track"),
        ("planned", "2027-01-20", date(2027, 2, 2), "broken"),
        ("achieved", "2027-02-10", date(2027, 3, 1), "resolved"),
        ("cancelled", "2027-01-20", date(2027, 1, 1), "broken"),
    ],
)
def test_a_dependency_stands_as_its_predecessor_and_the_day_say(
    status: str, forecast: str, on: date, expected: str
) -> None:
    dep = dependency().state()
    assert standing(dep, milestone_state(status, forecast), on) == expected


def test_an_external_dependency_stands_by_its_own_forecast() -> None:
    dep = dependency(
        predecessor_id=None, external_deliverable="Kit", external_owner="Vendor"
    )
    on = date(2027, 1, 1)
    assert standing(dep.state(), None, on) == "on-track"
    dep.reforecast(date(2027, 2, 5), OFFICER)
    assert standing(dep.state(), None, on) == "at-risk"
    assert standing(dep.state(), None, date(2027, 2, 3)) == "broken"
    dep.resolve(date(2027, 2, 4), OFFICER)
    assert standing(dep.state(), None, date(2027, 2, 3)) == "resolved"
    withdrawn = dependency()
    withdrawn.withdraw(OFFICER)
    assert standing(withdrawn.state(), milestone_state(), on) == "withdrawn"

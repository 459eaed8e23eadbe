"""Resource demand and capacity: FTE per month, released or retired with a reason."""

from __future__ import annotations

import pytest

from service.domain.base import InvalidValueError, Meta
from service.domain.register import PORTFOLIO_ID
from service.domain.resource import Capacity, ResourceDemand
from tests.domain.support import (
    HEAD,
    OFFICER,
    PROJECT_ID,
    assert_refused,
    assert_same_on_replay,
    event_names,
)

NO_REASON = Meta(actor="olive", role="project-officer")


def demand() -> ResourceDemand:
    values = {"role": "Business analyst", "skill": "", "person": None, "notes": ""}
    return ResourceDemand.start(PROJECT_ID, values, OFFICER)


def test_a_demand_plans_months_and_names_a_person() -> None:
    need = demand()
    need.set_month("2026-03", "1.50", OFFICER)
    need.set_month("2026-01", "0.5", OFFICER)
    need.set_month("2026-02", "2", OFFICER)
    assert need.months == {"2026-01": "0.5", "2026-02": "2", "2026-03": "1.5"}
    assert (need.first_month, need.last_month) == ("2026-01", "2026-03")
    assert need.total_fte_months == "4.0"
    need.set_month("2026-02", "0", OFFICER)
    assert list(need.months) == ["2026-01", "2026-03"]
    need.name_person("Priya Shah", OFFICER)
    assert need.person == "Priya Shah"
    need.name_person(None, OFFICER)
    assert need.person is None
    assert event_names(need)[0] == "Planned"
    assert_same_on_replay(need)


@pytest.mark.parametrize(
    ("month", "fte", "field", "message"),
    [
        ("2026-1", "1", "month", "must be a month like 2026-04"),
        ("2026-00", "1", "month", "must be a month"),
        ("2026-01", "-1", "fte", "must be a decimal like 1.5"),
        ("2026-01", "1.255", "fte", "must be a decimal"),
        ("2026-01", "1000", "fte", "must be a decimal"),
        ("2026-01", 1.5, "fte", "must be a decimal"),
    ],
)
def test_a_month_refuses_bad_values(
    month: object, fte: object, field: str, message: str
) -> None:
    with pytest.raises(InvalidValueError) as caught:
        demand().set_month(month, fte, OFFICER)
    assert caught.value.field == field and message in caught.value.message


def test_release_needs_a_reason_and_ends_the_demand() -> None:
    need = demand()
    with pytest.raises(InvalidValueError, match="reason: is required to release"):
        need.release(NO_REASON)
    need.release(OFFICER)
    assert need.status == "released"
    assert_refused("released", need.set_month, "2026-01", "1", OFFICER)
    assert_refused("released", need.name_person, "X", OFFICER)
    assert_refused("released", need.release, OFFICER)


def test_capacity_is_declared_for_the_portfolio_and_retired_with_a_reason() -> None:
    values = {"role": "Business analyst", "team": "Change delivery"}
    capacity = Capacity.start(PORTFOLIO_ID, values, HEAD)
    capacity.set_month("2026-01", "3", HEAD)
    assert capacity.months == {"2026-01": "3"}
    with pytest.raises(InvalidValueError, match="reason: is required to retire"):
        capacity.retire(HEAD)
    capacity.retire(Meta("hana", "pmo-head", "team disbanded"))
    assert capacity.status == "retired"
    assert_refused("retired", capacity.set_month, "2026-02", "1", HEAD)
    assert_same_on_replay(capacity)

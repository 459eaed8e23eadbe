"""Training courses: proposed, approved with a review date, reviewed, withdrawn."""

from __future__ import annotations

from datetime import date

import pytest

from service.domain.base import InvalidValueError, Meta
from service.domain.course import TrainingCourse
from service.domain.register import PORTFOLIO_ID
from tests.domain.support import (
    HEAD,
    OFFICER,
    assert_refused,
    assert_same_on_replay,
    event_names,
)

NO_REASON = Meta(actor="hana", role="pmo-head")
DETAILS = {
    "title": "PRINCE2 Practitioner",
    "provider": "Acme Training",
    "level": "practitioner",
    "qualification": "PRINCE2 Practitioner certificate",
    "for_roles": ["Project manager", "Project officer"],
}


def course() -> TrainingCourse:
    return TrainingCourse.start(PORTFOLIO_ID, dict(DETAILS), OFFICER)


def test_a_course_is_proposed_approved_and_reviewed() -> None:
    found = course()
    assert found.status == "proposed" and found.approved_on is None
    found.approve(date(2026, 1, 10), date(2027, 1, 10), HEAD)
    assert (found.status, found.approved_on, found.review_by) == (
        "approved",
        date(2026, 1, 10),
        date(2027, 1, 10),
    )
    found.review(date(2026, 12, 1), date(2027, 12, 1), HEAD)
    assert (found.status, found.reviewed_on, found.review_by) == (
        "approved",
        date(2026, 12, 1),
        date(2027, 12, 1),
    )
    assert event_names(found) == ["Proposed", "Approved", "Reviewed"]
    assert_same_on_replay(found)


@pytest.mark.parametrize(
    ("changed", "field", "message"),
    [
        ({"for_roles": []}, "for_roles", "must name at least one role"),
        ({"level": "expert"}, "level", "must be one of"),
        ({"title": " "}, "title", ""),
        ({"for_roles": "Project manager"}, "for_roles", "must be a list"),
    ],
)
def test_a_proposal_refuses_bad_values(
    changed: dict[str, object], field: str, message: str
) -> None:
    with pytest.raises(InvalidValueError) as caught:
        TrainingCourse.start(PORTFOLIO_ID, {**DETAILS, **changed}, OFFICER)
    assert caught.value.field == field and message in caught.value.message


def test_the_review_date_follows_the_approval_and_each_review() -> None:
    found = course()
    with pytest.raises(InvalidValueError, match="review_by: must be after approved"):
        found.approve(date(2026, 1, 10), date(2026, 1, 10), HEAD)
    found.approve(date(2026, 1, 10), date(2026, 6, 1), HEAD)
    with pytest.raises(InvalidValueError, match="review_by: must be after reviewed"):
        found.review(date(2026, 6, 1), date(2026, 5, 1), HEAD)
    assert found.review_by == date(2026, 6, 1)


def test_states_are_guarded() -> None:
    found = course()
    assert_refused("proposed", found.review, date(2026, 2, 1), date(2027, 2, 1), HEAD)
    found.approve(date(2026, 1, 10), date(2027, 1, 10), HEAD)
    assert_refused("approved", found.approve, date(2026, 1, 11), date(2027, 1, 1), HEAD)


def test_withdrawal_needs_a_reason_and_ends_the_course() -> None:
    found = course()
    with pytest.raises(InvalidValueError, match="reason: is required to withdraw"):
        found.withdraw(NO_REASON)
    found.withdraw(Meta("hana", "pmo-head", "provider closed"))
    assert found.status == "withdrawn"
    assert_refused("withdrawn", found.approve, date(2026, 1, 1), date(2027, 1, 1), HEAD)
    assert_refused("withdrawn", found.withdraw, HEAD)
    assert_same_on_replay(found)

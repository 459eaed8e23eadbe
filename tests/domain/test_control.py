"""The control registers' transitions and guards, and replay equal to the live entry."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from service.domain.action import Action, DiaryEntry
from service.domain.base import InvalidValueError, Meta, TransitionError
from service.domain.contract import Contract
from service.domain.lesson import Lesson
from service.domain.link import Link
from service.domain.quality import QualityReview
from service.domain.quality_policy import QualityPolicy
from service.domain.stakeholder import CommunicationSent, Stakeholder
from tests.domain.control_walks import DOCUMENT, WALKS
from tests.domain.support import HEAD, OFFICER, PROJECT_ID, replayed

PLAN: dict[str, Any] = {
    "title": "PID review",
    "document_id": None,
    "document_version": None,
    "method": "review",
    "producer": "Lee",
    "reviewers": ["Ana"],
    "chair": "Dana",
    "approver": "Priya",
    "planned_on": date(2026, 1, 5),
}
NO_REASON = Meta("olive", "project-officer")


def test_a_review_is_signed_off_only_once_its_actions_are_done() -> None:
    review = QualityReview.start(PROJECT_ID, PLAN, OFFICER)
    with pytest.raises(InvalidValueError, match="reviewers"):
        QualityReview.start(PROJECT_ID, PLAN | {"reviewers": []}, OFFICER)
    with pytest.raises(TransitionError):
        review.run("sign_off_quality_review", {"sign_off_note": ""}, OFFICER)
    held = {"held_on": date(2026, 1, 6), "result": "pass-with-actions"}
    review.run("record_quality_result", held, OFFICER)
    assert review.status == "actions-open"
    review.run("add_quality_follow_up", {"action": "a", "owner": "o"}, OFFICER)
    review.run("add_quality_follow_up", {"action": "b", "owner": "o"}, OFFICER)
    with pytest.raises(InvalidValueError, match="number"):
        review.run("complete_quality_follow_up", {"number": 3}, OFFICER)
    review.run("complete_quality_follow_up", {"number": 1}, OFFICER)
    assert review.status == "actions-open"
    with pytest.raises(InvalidValueError, match="already done"):
        review.run("complete_quality_follow_up", {"number": 1}, OFFICER)
    review.run("complete_quality_follow_up", {"number": 2}, OFFICER)
    assert review.status == "held"
    review.run("sign_off_quality_review", {"sign_off_note": "ok"}, OFFICER)
    assert review.state()["open_actions"] == 0
    assert replayed(review).state() == review.state()


def test_a_failed_review_is_re_planned_in_a_new_round() -> None:
    review = QualityReview.start(PROJECT_ID, PLAN, OFFICER)
    with pytest.raises(InvalidValueError, match="held_on"):
        review.run(
            "record_quality_result",
            {"held_on": date(2999, 1, 1), "result": "pass"},
            OFFICER,
        )
    fail = {"held_on": date(2026, 1, 6), "result": "fail"}
    review.run("record_quality_result", fail, OFFICER)
    assert review.status == "failed"
    review.run("re_review_quality", {"planned_on": date(2026, 2, 1)}, OFFICER)
    assert (review.status, review.result, review.rounds) == ("re-planned", None, 2)
    with pytest.raises(InvalidValueError, match="reason"):
        review.run("replan_quality_review", {"planned_on": date(2026, 3, 1)}, NO_REASON)


def test_the_policy_refuses_a_rule_it_already_has() -> None:
    policy = QualityPolicy.start(HEAD)
    assert not policy.requires_review("pid")
    policy.set_rule("pid", True, HEAD)
    with pytest.raises(InvalidValueError, match="already requires"):
        policy.set_rule("pid", True, HEAD)
    policy.set_rule("pid", False, HEAD)
    assert not replayed(policy).requires_review("pid")


@pytest.mark.parametrize(
    ("interest", "influence", "quadrant"),
    [
        (5, 5, "manage-closely"),
        (1, 4, "keep-satisfied"),
        (4, 1, "keep-informed"),
        (2, 2, "monitor"),
    ],
)
def test_stakeholders_fall_in_a_quadrant(
    interest: int, influence: int, quadrant: str
) -> None:
    values = {
        "name": "n",
        "kind": "person",
        "organisation": "",
        "email": "",
        "role": "r",
        "interest": interest,
        "influence": influence,
        "current_engagement": "resistant",
        "desired_engagement": "leading",
        "attitude": "critic",
        "owner": "o",
    }
    stakeholder = Stakeholder.start(PROJECT_ID, values, OFFICER)
    assert stakeholder.state()["quadrant"] == quadrant
    assert stakeholder.state()["engagement_gap"] == 3


def test_lessons_move_from_logged_to_the_library_or_closed() -> None:
    values = {
        "title": "t",
        "observation": "o",
        "cause": "",
        "effect": "",
        "early_warning": "",
        "recommendation": "r",
        "category": "risk",
        "priority": "low",
        "raised_by": "x",
    }
    lesson = Lesson.start(PROJECT_ID, values, OFFICER)
    with pytest.raises(TransitionError):
        lesson.run("accept_lesson", {}, HEAD)
    lesson.run("review_lesson", {"review_note": "n", "scope": "corporate"}, OFFICER)
    lesson.run("accept_lesson", {}, HEAD)
    assert lesson.status == "accepted"
    with pytest.raises(TransitionError):
        lesson.run("close_lesson", {}, OFFICER)


def test_actions_and_the_daily_log() -> None:
    base = {
        "title": "t",
        "description": "",
        "owner": "o",
        "due_on": date(2026, 1, 1),
        "subject_register": "risks",
        "subject_id": None,
    }
    with pytest.raises(InvalidValueError, match="subject_id"):
        Action.start(PROJECT_ID, base, OFFICER)
    action = Action.start(PROJECT_ID, base | {"subject_register": None}, OFFICER)
    with pytest.raises(InvalidValueError, match="reason"):
        action.run("drop_action", {}, NO_REASON)
    action.run("complete_action", {"outcome": "done"}, OFFICER)
    with pytest.raises(TransitionError):
        action.run("drop_action", {}, OFFICER)
    note = {"entry_kind": "note", "text": "hello", "corrects_id": None}
    entry = DiaryEntry.start(PROJECT_ID, note, OFFICER)
    assert not entry.register_kind.commands
    assert replayed(entry).state() == entry.state()


def test_contracts_keep_dates_and_money_straight() -> None:
    values = {
        "title": "t",
        "supplier": "s",
        "reference": "r",
        "scope": "x",
        "value": "100.00",
        "currency": "EUR",
        "starts_on": date(2026, 1, 1),
        "ends_on": date(2026, 12, 31),
        "owner": "o",
        "risk_ids": [],
        "issue_ids": [],
        "document_ids": [],
    }
    for wrong, field in (
        ({"value": "1.5"} | {"currency": "JPY"}, "value"),
        ({"currency": "EURO"}, "currency"),
        ({"ends_on": date(2025, 12, 31)}, "ends_on"),
        ({"value": "1e5"}, "value"),
    ):
        with pytest.raises(InvalidValueError, match=field):
            Contract.start(PROJECT_ID, values | wrong, OFFICER)
    contract = Contract.start(PROJECT_ID, values, OFFICER)
    with pytest.raises(TransitionError):
        contract.run("start_contract", {"starts_on": date(2026, 1, 2)}, OFFICER)
    award = {"supplier": "s", "value": "90.00", "awarded_on": date(2026, 1, 1)}
    contract.run("award_contract", award, OFFICER)
    contract.run("start_contract", {"starts_on": date(2026, 1, 2)}, OFFICER)
    with pytest.raises(InvalidValueError, match="ends_on"):
        contract.run("extend_contract", {"ends_on": date(2026, 6, 1)}, OFFICER)
    contract.run("extend_contract", {"ends_on": date(2027, 6, 1)}, OFFICER)
    contract.run("close_contract", {"closing_note": ""}, OFFICER)
    assert (contract.status, contract.value) == ("closed", "90.00")
    assert replayed(contract).state() == contract.state()


def test_a_link_joins_two_different_entries() -> None:
    same = "7c9e6679-7425-40de-944b-e07fc1f90ae7"
    values = {
        "from_register": "risks",
        "from_id": same,
        "relation": "relates-to",
        "to_register": "risks",
        "to_id": same,
        "to_version": None,
        "note": "",
    }
    with pytest.raises(InvalidValueError, match="to_id"):
        Link.start(PROJECT_ID, values, OFFICER)
    other = "16fd2706-8baf-433b-82eb-8c7fada847da"
    with pytest.raises(InvalidValueError, match="to_version"):
        Link.start(PROJECT_ID, values | {"to_id": other, "to_version": 1}, OFFICER)
    link = Link.start(PROJECT_ID, values | {"to_id": other}, OFFICER)
    with pytest.raises(InvalidValueError, match="reason"):
        link.run("remove_link", {}, NO_REASON)
    link.run("remove_link", {}, OFFICER)
    assert replayed(link).status == "removed"


def test_follow_ups_accumulate_and_are_completed_by_number() -> None:
    review = WALKS["reviews"].at("actions-open")
    review.run("add_quality_follow_up", {"action": "b", "owner": "Ana"}, OFFICER)
    assert [(a["action"], a["done"]) for a in review.follow_ups] == [
        ("fix the glossary", False),
        ("b", False),
    ]
    assert review.state()["open_actions"] == 2
    review.run("complete_quality_follow_up", {"number": 2}, OFFICER)
    assert (review.status, review.state()["open_actions"]) == ("actions-open", 1)
    with pytest.raises(InvalidValueError, match="already done"):
        review.run("complete_quality_follow_up", {"number": 2}, OFFICER)
    review.run("complete_quality_follow_up", {"number": 1}, OFFICER)
    assert review.status == "held"
    assert replayed(review).state() == review.state()


def test_a_message_sent_is_never_changed_a_correction_names_it() -> None:
    walk = WALKS["messages"]
    sent = walk.at("sent")
    assert not sent.register_kind.commands
    assert (sent.document_id, sent.document_version) == (DOCUMENT, 2)
    fixed = {"subject": "Highlight report 3 (corrected)", "corrects_id": str(sent.id)}
    correction = CommunicationSent.start(PROJECT_ID, walk.given | fixed, OFFICER)
    assert (correction.status, correction.corrects_id) == ("sent", str(sent.id))
    assert sent.subject == "Highlight report 3"
    assert replayed(correction).state() == correction.state()


@pytest.mark.parametrize(
    ("doc_type", "required", "field", "message"),
    [
        ("", True, "doc_type", "must not be empty"),
        ("x" * 101, True, "doc_type", "100"),
        ("pid", "yes", "required", "true or false"),
        ("pid", False, "required", "does not require"),
    ],
)
def test_the_policy_refuses_a_bad_rule_and_keeps_its_rules(
    doc_type: str, required: Any, field: str, message: str
) -> None:
    policy = QualityPolicy.start(HEAD)
    policy.set_rule("plan", True, HEAD)
    events = len(policy.pending_events)
    with pytest.raises(InvalidValueError) as caught:
        policy.set_rule(doc_type, required, HEAD)
    assert (caught.value.field, message in caught.value.message) == (field, True)
    assert (policy.required, len(policy.pending_events)) == ({"plan": True}, events)

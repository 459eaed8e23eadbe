"""The control registers written out by hand: how to reach each status, what each
command does from where.

A walk is the test's own statement of a register's state machine, kept apart
from the declaration it checks: `reach` gives the commands that bring a new
entry to each status, `moves` gives each command's values, the status it
leaves from each status it is allowed in, and the attributes it sets.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from service.domain.action import Action, DiaryEntry
from service.domain.contract import Contract
from service.domain.entry import RegisterEntry
from service.domain.lesson import Lesson
from service.domain.link import Link
from service.domain.quality import QualityReview
from service.domain.stakeholder import Communication, CommunicationSent, Stakeholder
from tests.domain.support import OFFICER, PROJECT_ID

Steps = list[tuple[str, dict[str, Any]]]
RISK = "7c9e6679-7425-40de-944b-e07fc1f90ae7"
ISSUE = "16fd2706-8baf-433b-82eb-8c7fada847da"
DOCUMENT = "6fa459ea-ee8a-3ca4-894e-db77e160355e"


@dataclass(frozen=True)
class Move:
    """A command's values, the status it leaves from each allowed status, and
    the attributes it sets."""

    values: dict[str, Any]
    to: dict[str, str]
    sets: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Walk:
    """A register's entry values, the way to each status, and its commands."""

    kind: type[RegisterEntry]
    given: dict[str, Any]
    reach: dict[str, Steps]
    moves: dict[str, Move]

    def at(self, status: str) -> RegisterEntry:
        """A new entry brought to the status (its events still pending)."""
        entry = self.kind.start(PROJECT_ID, self.given, OFFICER)
        for use_case, values in self.reach[status]:
            entry.run(use_case, values, OFFICER)
        assert entry.status == status
        return entry


PASS = {"held_on": date(2026, 1, 6), "result": "pass"}
FAIL = {"held_on": date(2026, 1, 6), "result": "fail"}
WITH_ACTIONS = {"held_on": date(2026, 1, 6), "result": "pass-with-actions"}
FOLLOW_UP = {"action": "fix the glossary", "owner": "Lee"}
REVIEWS = Walk(
    QualityReview,
    {
        "title": "PID review",
        "document_id": None,
        "document_version": None,
        "method": "review",
        "producer": "Lee",
        "reviewers": ["Ana", "Ben"],
        "chair": "Dana",
        "approver": "Priya",
        "planned_on": date(2026, 1, 5),
    },
    {
        "planned": [],
        "re-planned": [
            ("record_quality_result", FAIL),
            ("re_review_quality", {"planned_on": date(2026, 2, 1)}),
        ],
        "held": [("record_quality_result", PASS)],
        "actions-open": [
            ("record_quality_result", WITH_ACTIONS),
            ("add_quality_follow_up", FOLLOW_UP),
        ],
        "signed-off": [
            ("record_quality_result", PASS),
            ("sign_off_quality_review", {"sign_off_note": ""}),
        ],
        "failed": [("record_quality_result", FAIL)],
    },
    {
        "replan_quality_review": Move(
            {"planned_on": date(2026, 3, 2)},
            {"planned": "planned", "re-planned": "re-planned"},
            {"planned_on": date(2026, 3, 2)},
        ),
        "record_quality_result": Move(
            PASS,
            {"planned": "held", "re-planned": "held"},
            {"held_on": date(2026, 1, 6), "result": "pass"},
        ),
        "add_quality_follow_up": Move(
            {"action": "update the plan", "owner": "Ana"},
            {"held": "actions-open", "actions-open": "actions-open"},
        ),
        "complete_quality_follow_up": Move(
            {"number": 1}, {"actions-open": "held"}, {"open_actions": 0}
        ),
        "sign_off_quality_review": Move(
            {"sign_off_note": "all good"},
            {"held": "signed-off"},
            {"sign_off_note": "all good"},
        ),
        "re_review_quality": Move(
            {"planned_on": date(2026, 2, 1)},
            {"failed": "re-planned"},
            {"planned_on": date(2026, 2, 1), "result": None, "rounds": 2},
        ),
    },
)

ASSESSMENT = {
    "interest": 1,
    "influence": 5,
    "current_engagement": "neutral",
    "desired_engagement": "supportive",
    "attitude": "supporter",
}
STAKEHOLDERS = Walk(
    Stakeholder,
    {
        "name": "Ana Silva",
        "email": "ana@example.org",
        "kind": "person",
        "organisation": "Claims",
        "role": "Head of claims",
        "interest": 5,
        "influence": 5,
        "current_engagement": "resistant",
        "desired_engagement": "leading",
        "attitude": "critic",
        "owner": "Olive",
    },
    {"active": [], "retired": [("retire_stakeholder", {})]},
    {
        "assess_stakeholder": Move(
            ASSESSMENT,
            {"active": "active"},
            ASSESSMENT | {"quadrant": "keep-satisfied", "engagement_gap": 1},
        ),
        "retire_stakeholder": Move({}, {"active": "retired"}),
    },
)

REVISION = {
    "audience": "The whole board",
    "purpose": "Progress against tolerances",
    "channel": "meeting",
    "frequency": "monthly",
    "owner": "Priya",
}
COMMUNICATIONS = Walk(
    Communication,
    {
        "title": "Highlight report",
        "audience": "Board",
        "purpose": "Progress",
        "channel": "report",
        "frequency": "fortnightly",
        "owner": "Olive",
        "stakeholder_ids": [RISK],
    },
    {"active": [], "retired": [("retire_communication", {})]},
    {
        "revise_communication": Move(
            REVISION,
            {"active": "active"},
            REVISION | {"title": "Highlight report", "stakeholder_ids": [RISK]},
        ),
        "retire_communication": Move({}, {"active": "retired"}),
    },
)

MESSAGES = Walk(
    CommunicationSent,
    {
        "subject": "Highlight report 3",
        "sent_to": "Board",
        "sent_on": date(2026, 1, 9),
        "channel": "email",
        "sent_by": "Olive",
        "summary": "",
        "communication_id": None,
        "document_id": DOCUMENT,
        "document_version": 2,
        "corrects_id": None,
    },
    {"sent": []},
    {},
)

LESSONS = Walk(
    Lesson,
    {
        "title": "Book reviewers early",
        "observation": "Reviews slipped twice",
        "cause": "Reviewers were booked late",
        "effect": "Two weeks lost",
        "early_warning": "",
        "recommendation": "Book reviewers at stage start",
        "category": "quality",
        "priority": "high",
        "raised_by": "Lee",
    },
    {
        "logged": [],
        "reviewed": [("review_lesson", {"review_note": "n", "scope": "project"})],
        "accepted": [
            ("review_lesson", {"review_note": "n", "scope": "corporate"}),
            ("accept_lesson", {}),
        ],
        "closed": [("close_lesson", {})],
    },
    {
        "review_lesson": Move(
            {"review_note": "worth keeping", "scope": "corporate"},
            {"logged": "reviewed"},
            {"review_note": "worth keeping", "scope": "corporate"},
        ),
        "accept_lesson": Move({}, {"reviewed": "accepted"}),
        "close_lesson": Move({}, {"logged": "closed", "reviewed": "closed"}),
    },
)

ACTIONS = Walk(
    Action,
    {
        "title": "Chase the supplier",
        "description": "",
        "owner": "Lee",
        "due_on": date(2026, 1, 20),
        "subject_register": "risks",
        "subject_id": RISK,
    },
    {
        "open": [],
        "done": [("complete_action", {"outcome": ""})],
        "dropped": [("drop_action", {})],
    },
    {
        "complete_action": Move(
            {"outcome": "Delivered"}, {"open": "done"}, {"outcome": "Delivered"}
        ),
        "redate_action": Move(
            {"due_on": date(2026, 2, 3)},
            {"open": "open"},
            {"due_on": date(2026, 2, 3), "title": "Chase the supplier"},
        ),
        "drop_action": Move({}, {"open": "dropped"}),
    },
)

DIARY = Walk(
    DiaryEntry,
    {"entry_kind": "problem", "text": "The test rig is down", "corrects_id": None},
    {"noted": []},
    {},
)

AWARD = {"supplier": "Acme", "value": "90000.00", "awarded_on": date(2026, 1, 10)}
START = {"starts_on": date(2026, 2, 1)}
LINKS = {"risk_ids": [RISK], "issue_ids": [ISSUE], "document_ids": [DOCUMENT]}
CONTRACTS = Walk(
    Contract,
    {
        "title": "Test rig",
        "supplier": "Acme",
        "reference": "C-1",
        "scope": "Build and run the rig",
        "value": "100000.00",
        "currency": "EUR",
        "starts_on": date(2026, 1, 15),
        "ends_on": date(2026, 12, 31),
        "owner": "Olive",
        "risk_ids": [],
        "issue_ids": [],
        "document_ids": [],
    },
    {
        "tendering": [],
        "awarded": [("award_contract", AWARD)],
        "active": [("award_contract", AWARD), ("start_contract", START)],
        "closed": [
            ("award_contract", AWARD),
            ("start_contract", START),
            ("close_contract", {"closing_note": ""}),
        ],
        "terminated": [("terminate_contract", {})],
    },
    {
        "award_contract": Move(
            AWARD,
            {"tendering": "awarded"},
            {"value": "90000.00", "awarded_on": date(2026, 1, 10)},
        ),
        "start_contract": Move(
            START, {"awarded": "active"}, {"starts_on": date(2026, 2, 1)}
        ),
        "extend_contract": Move(
            {"ends_on": date(2027, 6, 30)},
            {"awarded": "awarded", "active": "active"},
            {"ends_on": date(2027, 6, 30)},
        ),
        "relink_contract": Move(
            LINKS,
            {"tendering": "tendering", "awarded": "awarded", "active": "active"},
            LINKS,
        ),
        "close_contract": Move(
            {"closing_note": "Rig handed over"},
            {"active": "closed"},
            {"closing_note": "Rig handed over"},
        ),
        "terminate_contract": Move(
            {},
            {
                "tendering": "terminated",
                "awarded": "terminated",
                "active": "terminated",
            },
        ),
    },
)

LINKED = Walk(
    Link,
    {
        "from_register": "actions",
        "from_id": RISK,
        "relation": "action-on",
        "to_register": "documents",
        "to_id": DOCUMENT,
        "to_version": 3,
        "note": "",
    },
    {"active": [], "removed": [("remove_link", {})]},
    {"remove_link": Move({}, {"active": "removed"})},
)

WALKS: dict[str, Walk] = {
    "reviews": REVIEWS,
    "stakeholders": STAKEHOLDERS,
    "communications": COMMUNICATIONS,
    "messages": MESSAGES,
    "lessons": LESSONS,
    "actions": ACTIONS,
    "diary": DIARY,
    "contracts": CONTRACTS,
    "links": LINKED,
}

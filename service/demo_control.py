"""The demo's quality reviews, stakeholders, communications, lessons, actions,
daily log, contracts and links, spread over months by the demo clock.

Entries name the demo's own risks, issues and documents (found among the
events already recorded), so links, reviews of document versions and the
communications log join up as they would in a real PMO. The quality policy
requires a signed-off review of project initiation documentation (`pid`).
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import Any
from uuid import UUID

from service.app import PmoApplication
from service.demo_lessons import HEAD, PEOPLE, Do, contracts, lessons
from service.demo_value import HISTORY_DAYS, DemoClock
from service.domain import catalogue
from service.domain.base import Meta
from service.domain.document import Document
from service.domain.issue import Issue
from service.domain.quality_policy import QualityPolicy
from service.domain.risk import Risk

OFFICER = Meta("olivia.officer", "project-officer", "demo data")
STAKEHOLDERS = (
    ("Finance director", "person", "Finance", 5, 5, "neutral", "leading", "supporter"),
    ("Works council", "group", "Staff", 4, 4, "resistant", "supportive", "critic"),
    ("IT operations", "group", "IT", 5, 3, "neutral", "supportive", "neutral"),
    ("Internal audit", "person", "Audit", 2, 4, "unaware", "neutral", "neutral"),
    ("Customer panel", "group", "Customers", 4, 1, "unaware", "supportive", "advocate"),
    (
        "Procurement lead",
        "person",
        "Procurement",
        2,
        2,
        "neutral",
        "neutral",
        "neutral",
    ),
)


def load_control(app: PmoApplication, projects: dict[str, UUID], seed: int) -> int:
    """Every project's control registers over months; the number of entries."""
    rng = random.Random(seed + 15)
    clock = DemoClock(HISTORY_DAYS)
    try:
        policy = QualityPolicy.start(HEAD)
        policy.set_rule("pid", True, HEAD)
        app.create(policy)
    finally:
        clock.stop()
    count = 0
    for index, project_id in enumerate(projects.values()):
        clock = DemoClock(HISTORY_DAYS - 10 * index)
        try:
            count += _project(app, project_id, rng, clock)
        finally:
            clock.stop()
    return count


def _mine(app: PmoApplication, project_id: UUID, cls: type, event: str) -> list[UUID]:
    """The ids of a project's entries of a class created by one of its events."""
    return [
        e.originator_id
        for e, _ in app.iter_events_of(getattr(cls, event))
        if e.project_id == project_id
    ]


def _project(
    app: PmoApplication, project_id: UUID, rng: random.Random, clock: DemoClock
) -> int:
    risks = _mine(app, project_id, Risk, "Identified")
    issues = _mine(app, project_id, Issue, "Raised")
    documents = _mine(app, project_id, Document, "Registered")

    def do(use_case: str, subject: UUID, values: dict[str, Any]) -> UUID:
        command = catalogue.entry_class_for(use_case).register_kind.command(use_case)
        defaults = {p.name: p.initial() for p in command.given_params()}
        return app.perform(use_case, subject, defaults | values, OFFICER).id

    stakeholders = _stakeholders(do, project_id, clock)
    clock.advance(5)
    plan = do(
        "plan_communication",
        project_id,
        {
            "title": "Monthly board pack",
            "audience": "Project board",
            "purpose": "Decisions and status for the board",
            "channel": "report",
            "frequency": "monthly",
            "owner": PEOPLE[0],
            "stakeholder_ids": [str(stakeholders[0])],
        },
    )
    do(
        "plan_communication",
        project_id,
        {
            "title": "Staff briefing",
            "audience": "All affected staff",
            "purpose": "What changes for them, and when",
            "channel": "briefing",
            "frequency": "per-stage",
            "owner": PEOPLE[2],
            "stakeholder_ids": [str(stakeholders[1])],
        },
    )
    count = len(stakeholders) + 2
    count += _reviews_and_packs(app, do, project_id, documents, plan, clock)
    count += _actions_and_diary(do, project_id, risks, issues, rng, clock)
    count += lessons(app, do, project_id, issues, clock)
    count += contracts(app, do, project_id, risks, issues, documents, clock)
    return count


def _stakeholders(do: Do, project_id: UUID, clock: DemoClock) -> list[UUID]:
    found = []
    for i, (name, kind, org, interest, influence, now, wanted, attitude) in enumerate(
        STAKEHOLDERS
    ):
        found.append(
            do(
                "identify_stakeholder",
                project_id,
                {
                    "name": name,
                    "kind": kind,
                    "organisation": org,
                    "role": f"{org} representative",
                    "interest": interest,
                    "influence": influence,
                    "current_engagement": now,
                    "desired_engagement": wanted,
                    "attitude": attitude,
                    "owner": PEOPLE[i % len(PEOPLE)],
                },
            )
        )
        clock.advance(2)
    clock.advance(40)
    do(
        "assess_stakeholder",
        found[1],
        {
            "interest": 5,
            "influence": 4,
            "current_engagement": "neutral",
            "desired_engagement": "supportive",
            "attitude": "neutral",
        },
    )
    return found


def _reviews_and_packs(
    app: PmoApplication,
    do: Do,
    project_id: UUID,
    documents: list[UUID],
    plan: UUID,
    clock: DemoClock,
) -> int:
    """A failed then passed review of the PID's version 3, and what was sent."""
    pid = documents[0]
    common = {
        "document_id": str(pid),
        "method": "review",
        "producer": PEOPLE[3],
        "reviewers": [PEOPLE[1], PEOPLE[4]],
        "chair": PEOPLE[2],
        "approver": PEOPLE[0],
    }
    clock.advance(10)
    first = do(
        "plan_quality_review",
        project_id,
        common
        | {
            "title": "PID version 3 review",
            "document_version": 3,
            "planned_on": clock.today() + timedelta(days=7),
        },
    )
    clock.advance(8)
    do(
        "record_quality_result",
        first,
        {"held_on": clock.today() - timedelta(days=1), "result": "fail"},
    )
    do("re_review_quality", first, {"planned_on": clock.today() + timedelta(days=14)})
    clock.advance(15)
    do(
        "record_quality_result",
        first,
        {"held_on": clock.today(), "result": "pass-with-actions"},
    )
    do(
        "add_quality_follow_up",
        first,
        {"action": "Add the tolerances table", "owner": PEOPLE[3]},
    )
    clock.advance(6)
    do("complete_quality_follow_up", first, {"number": 1})
    do("sign_off_quality_review", first, {"sign_off_note": "Fit for approval"})
    app.approve_version(
        pid, 3, Meta("carl.custodian", "custodian", "review signed off")
    )
    clock.advance(3)
    do(
        "log_communication",
        project_id,
        {
            "subject": "Approved PID",
            "sent_to": "Project board",
            "sent_on": clock.today(),
            "channel": "email",
            "sent_by": PEOPLE[0],
            "summary": "The approved PID, for the record",
            "communication_id": str(plan),
            "document_id": str(pid),
            "document_version": 3,
            "corrects_id": None,
        },
    )
    do(
        "plan_quality_review",
        project_id,
        common
        | {
            "title": "Business case inspection",
            "document_id": str(documents[1]),
            "document_version": 3,
            "method": "inspection",
            "planned_on": clock.today() + timedelta(days=20),
        },
    )
    do(
        "link_entries",
        project_id,
        {
            "from_register": "reviews",
            "from_id": str(first),
            "relation": "review-of",
            "to_register": "documents",
            "to_id": str(pid),
            "to_version": 3,
        },
    )
    return 4


def _actions_and_diary(
    do: Do,
    project_id: UUID,
    risks: list[UUID],
    issues: list[UUID],
    rng: random.Random,
    clock: DemoClock,
) -> int:
    count = 0
    for i, risk in enumerate(risks[:4]):
        clock.advance(rng.randint(4, 12))
        action = do(
            "set_action",
            project_id,
            {
                "title": f"Follow up risk response {i + 1}",
                "owner": PEOPLE[i % len(PEOPLE)],
                "due_on": clock.today() + timedelta(days=rng.randint(7, 30)),
                "subject_register": "risks",
                "subject_id": str(risk),
            },
        )
        do(
            "link_entries",
            project_id,
            {
                "from_register": "actions",
                "from_id": str(action),
                "relation": "action-on",
                "to_register": "risks",
                "to_id": str(risk),
            },
        )
        if i == 0:
            clock.advance(5)
            do("complete_action", action, {"outcome": "Supplier confirmed dates"})
        count += 1
    for kind, text in (
        ("event", "Kick-off workshop held with the business leads"),
        ("problem", "Test environment down for the whole morning"),
        ("note", "Sponsor asked for a weekly one-page summary"),
        ("action", "Book the steering room for the stage review"),
    ):
        clock.advance(rng.randint(3, 9))
        first = do(
            "note_in_diary",
            project_id,
            {"entry_kind": kind, "text": text, "corrects_id": None},
        )
        count += 1
    do(
        "note_in_diary",
        project_id,
        {
            "entry_kind": "note",
            "text": "Correction: the room is booked by the PMO, not the team",
            "corrects_id": str(first),
        },
    )
    if issues:
        do(
            "set_action",
            project_id,
            {
                "title": "Report the issue's impact to the board",
                "owner": PEOPLE[0],
                "due_on": date.fromordinal(clock.today().toordinal() + 10),
                "subject_register": "issues",
                "subject_id": str(issues[0]),
            },
        )
        count += 1
    return count + 1

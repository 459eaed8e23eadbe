"""The demo's lessons log and contracts for each project (service.demo_control
loads them with the other control registers)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any
from uuid import UUID

from service.app import PmoApplication
from service.demo_value import DemoClock
from service.domain.base import Meta

HEAD = Meta("hana.head", "pmo-head", "demo data")
PEOPLE = ("Dana Rees", "Sam Ortiz", "Ana Kim", "Lee Chen", "Priya Shah")
Do = Callable[[str, UUID, dict[str, Any]], UUID]
LESSONS = (
    (
        "Late supplier onboarding",
        "commercial",
        "Onboarding the integrator took six weeks",
        "Security vetting started only after award",
        "Start vetting with the tender shortlist",
    ),
    (
        "Test data not anonymised in time",
        "technical",
        "Testing waited for anonymised data",
        "No owner for test data",
        "Name a test data owner at initiation",
    ),
    (
        "Board packs sent too late",
        "governance",
        "Board members read papers in the meeting",
        "Packs went out the day before",
        "Send board packs five working days ahead",
    ),
)


def lessons(
    app: PmoApplication, do: Do, project_id: UUID, issues: list[UUID], clock: DemoClock
) -> int:
    for i, (title, category, observation, cause, recommendation) in enumerate(LESSONS):
        clock.advance(12)
        lesson = do(
            "log_lesson",
            project_id,
            {
                "title": title,
                "observation": observation,
                "cause": cause,
                "effect": "Stage ended later than planned",
                "early_warning": "",
                "recommendation": recommendation,
                "category": category,
                "priority": ("high", "medium", "low")[i],
                "raised_by": PEOPLE[i],
            },
        )
        if issues and i == 0:
            do(
                "link_entries",
                project_id,
                {
                    "from_register": "lessons",
                    "from_id": str(lesson),
                    "relation": "lesson-from",
                    "to_register": "issues",
                    "to_id": str(issues[0]),
                },
            )
        if i < 2:
            clock.advance(9)
            do(
                "review_lesson",
                lesson,
                {"review_note": "Seen on other projects too", "scope": "corporate"},
            )
        if i == 0:
            clock.advance(4)
            app.perform("accept_lesson", lesson, {}, HEAD)
    return len(LESSONS)


def contracts(
    app: PmoApplication,
    do: Do,
    project_id: UUID,
    risks: list[UUID],
    issues: list[UUID],
    documents: list[UUID],
    clock: DemoClock,
) -> int:
    clock.advance(6)
    start = clock.today()
    integrator = do(
        "tender_contract",
        project_id,
        {
            "title": "Systems integrator",
            "supplier": "Shortlist of three",
            "reference": f"CT-{start.year}-{str(project_id)[:4].upper()}",
            "scope": "Build, test and deploy the solution",
            "value": "450000.00",
            "currency": "EUR",
            "starts_on": start + timedelta(days=30),
            "ends_on": start + timedelta(days=330),
            "owner": PEOPLE[4],
            "risk_ids": [str(r) for r in risks[:1]],
            "issue_ids": [],
            "document_ids": [str(documents[1])],
        },
    )
    clock.advance(21)
    do(
        "award_contract",
        integrator,
        {
            "supplier": "Northwind Systems",
            "value": "438500.00",
            "awarded_on": clock.today(),
        },
    )
    clock.advance(10)
    do("start_contract", integrator, {"starts_on": clock.today()})
    clock.advance(30)
    do(
        "relink_contract",
        integrator,
        {
            "risk_ids": [str(r) for r in risks[:2]],
            "issue_ids": [str(i) for i in issues[:1]],
            "document_ids": [str(documents[1])],
        },
    )
    licences = do(
        "tender_contract",
        project_id,
        {
            "title": "Software licences",
            "supplier": "Contoso",
            "reference": f"LIC-{str(project_id)[:4].upper()}",
            "scope": "Subscriptions for 600 users",
            "value": "84000.00",
            "currency": "GBP",
            "starts_on": clock.today(),
            "ends_on": date.today() + timedelta(days=20),
            "owner": PEOPLE[1],
            "risk_ids": [],
            "issue_ids": [],
            "document_ids": [],
        },
    )
    do(
        "award_contract",
        licences,
        {"supplier": "Contoso", "value": "81250.00", "awarded_on": clock.today()},
    )
    do("start_contract", licences, {"starts_on": clock.today()})
    return 2

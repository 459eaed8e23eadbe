"""A realistic sample PMO: three projects with full registers and documents."""

from __future__ import annotations

import io
import random
from dataclasses import dataclass
from datetime import date, timedelta
from uuid import UUID

from service.app import PmoApplication
from service.demo_control import load_control
from service.demo_library import load_library
from service.demo_office import load_courses
from service.demo_plans import load_plans
from service.demo_value import load_value
from service.domain.base import Meta

PROJECTS = (
    (
        "ERP",
        "ERP replacement",
        "Replace the finance and HR systems",
        "CFO",
        "Dana Rees",
    ),
    (
        "HQ-MOVE",
        "Head office move",
        "Move 600 staff to the new campus",
        "COO",
        "Sam Ortiz",
    ),
    (
        "PORTAL",
        "Customer portal",
        "Self-service portal for customers",
        "CDO",
        "Ana Kim",
    ),
)
RISKS = (
    ("Key supplier delivers late", "schedule", "threat"),
    ("Data migration exceeds budget", "cost", "threat"),
    ("Test environment unavailable", "technical", "threat"),
    ("Regulator changes reporting rules", "legal", "threat"),
    ("Staff turnover in the core team", "resource", "threat"),
    ("Licence price increase at renewal", "commercial", "threat"),
    ("Reuse of existing integration layer", "cost", "opportunity"),
    ("Early access to the vendor's roadmap", "technical", "opportunity"),
    ("Scope creep from business units", "scope", "threat"),
    ("Acceptance criteria unclear", "quality", "threat"),
)
OWNERS = ("Dana Rees", "Sam Ortiz", "Ana Kim", "Lee Chen", "Priya Shah")
DOCUMENTS = (
    ("Project Initiation Documentation", "pid"),
    ("Business Case", "business-case"),
    ("Risk Management Approach", "approach"),
)


@dataclass(frozen=True)
class DemoSummary:
    """How much the demo loaded."""

    projects: int
    risks: int
    issues: int
    changes: int
    decisions: int
    documents: int
    events: int
    milestones: int = 0
    baselines: int = 0
    dependencies: int = 0
    value: int = 0
    """Budget lines, benefits and resource demands."""
    control: int = 0
    """Quality reviews, stakeholders, communications, lessons, actions, daily log
    entries and contracts."""
    courses: int = 0
    library: int = 0
    """The PMO library's own documents (terms of reference, framework, templates)."""
    reports: int = 0
    """Reports issued (weekly highlights and an end-stage report per project)."""


def load_demo(app: PmoApplication, seed: int = 7) -> DemoSummary:
    """Record a sample PMO through the real commands (every event is genuine)."""
    rng = random.Random(seed)
    officer = Meta("olivia.officer", "project-officer", "demo data")
    custodian = Meta("carl.custodian", "custodian", "demo data")
    start = app.head_position()
    counts = dict(risks=0, issues=0, changes=0, decisions=0, documents=0)
    created: dict[str, UUID] = {}
    for code, name, description, sponsor, manager in PROJECTS:
        if app.project_id_for_code(code) is not None:
            continue
        project_id = app.register_project(
            code, name, description, sponsor, manager, officer
        ).id
        created[code] = project_id
        app.change_project_stage(project_id, "initiation", officer)
        _status_reports(app, project_id, officer, rng)
        counts["risks"] += _risks(app, project_id, officer, rng)
        counts["issues"] += _issues(app, project_id, officer, rng)
        counts["changes"] += _changes(app, project_id, officer)
        counts["decisions"] += _decisions(app, project_id, officer)
        counts["documents"] += _documents(app, project_id, custodian, code)
        app.change_project_stage(project_id, "delivery stage 1", officer)
    if len(created) == len(PROJECTS):
        plans = load_plans(app, created, seed)
        counts |= vars(plans)
        counts["value"] = load_value(app, created, officer, rng)
        counts["control"] = load_control(app, created, seed)
        counts["courses"] = load_courses(app)
        counts["library"] = load_library(app, created)
    return DemoSummary(
        projects=len(PROJECTS), events=app.head_position() - start, **counts
    )


def _status_reports(
    app: PmoApplication, project_id: UUID, meta: Meta, rng: random.Random
) -> None:
    first = date(2026, 9, 1)
    for week in range(4):
        begin = first + timedelta(weeks=week)
        rag = {
            d: rng.choice(("green", "green", "amber", "red"))
            for d in ("time", "cost", "scope", "quality", "benefits", "risk")
        }
        app.report_project_status(
            project_id,
            begin,
            begin + timedelta(days=6),
            rag,
            f"Week {week + 1}: work proceeding; see key risks.",
            "Design workshops held",
            "Complete the design baseline",
            "within tolerance"
            if week < 3
            else "time tolerance forecast to be exceeded",
            "Book workshops earlier",
            meta,
        )


def _risks(
    app: PmoApplication, project_id: UUID, meta: Meta, rng: random.Random
) -> int:
    count = rng.randint(15, 18)
    for i in range(count):
        title, category, kind = RISKS[i % len(RISKS)]
        risk_id = app.perform(
            "identify_risk",
            project_id,
            {
                "title": title,
                "cause": "Because of current conditions",
                "event": title.lower(),
                "effect": "Delay, cost or quality impact on the stage",
                "category": category,
                "kind": kind,
                "owner": rng.choice(OWNERS),
                "proximity": rng.choice(("imminent", "within-stage", "within-project")),
                "probability": rng.randint(1, 5),
                "impact": rng.randint(1, 5),
            },
            meta,
        ).id
        for _ in range(rng.randint(1, 4)):
            p, i2 = rng.randint(2, 5), rng.randint(2, 5)
            app.perform(
                "assess_risk",
                risk_id,
                {
                    "inherent_probability": p,
                    "inherent_impact": i2,
                    "residual_probability": max(1, p - rng.randint(0, 2)),
                    "residual_impact": max(1, i2 - rng.randint(0, 2)),
                },
                meta,
            )
        response = "reduce" if kind == "threat" else "enhance"
        app.perform(
            "plan_risk_response",
            risk_id,
            {
                "response": response,
                "actions": "Weekly review with the supplier",
                "actionee": rng.choice(OWNERS),
            },
            meta,
        )
        if rng.random() < 0.2:
            app.perform("close_risk", risk_id, {}, meta)
    return count


def _issues(
    app: PmoApplication, project_id: UUID, meta: Meta, rng: random.Random
) -> int:
    kinds = ("request-for-change", "off-specification", "problem-concern")
    for n in range(6):
        issue_id = app.perform(
            "raise_issue",
            project_id,
            {
                "issue_type": kinds[n % 3],
                "title": f"Issue {n + 1}: {RISKS[n][0]}",
                "description": "Raised at the weekly checkpoint",
                "priority": rng.choice(("low", "medium", "high")),
                "severity": rng.choice(("minor", "significant", "major")),
            },
            meta,
        ).id
        done = n % 4
        if done >= 1:
            app.perform(
                "examine_issue",
                issue_id,
                {
                    "impact_analysis": "Two weeks' delay if not handled",
                    "options": "Accept; escalate",
                    "recommendation": "Escalate",
                },
                meta,
            )
        if done >= 2:
            app.perform(
                "resolve_issue", issue_id, {"resolution": "Escalated and agreed"}, meta
            )
        if done >= 3:
            app.perform("close_issue", issue_id, {}, meta)
    return 6


def _changes(app: PmoApplication, project_id: UUID, meta: Meta) -> int:
    authority = "Change Authority Board"
    plans: list[list[tuple[str, ...]]] = [
        [],
        [("assess",)],
        [("assess",), ("decide", "approve")],
        [("assess",), ("decide", "approve"), ("implement",)],
        [("assess",), ("decide", "approve"), ("implement",), ("close",)],
        [("assess",), ("decide", "reject"), ("close",)],
        [("assess",), ("decide", "defer")],
        [("assess",), ("decide", "request-info"), ("assess",)],
    ]
    for n, plan in enumerate(plans):
        change_id = app.perform(
            "raise_change",
            project_id,
            {
                "title": f"Change {n + 1}",
                "description": "Adjust the scope of the release",
                "justification": "Business need",
                "related_issue_id": None,
            },
            meta,
        ).id
        for step in plan:
            if step[0] == "assess":
                app.perform(
                    "assess_change",
                    change_id,
                    {
                        "cost_impact": "12500.00",
                        "time_impact_days": 10,
                        "scope_impact": "Adds one report",
                        "quality_impact": "None",
                        "risk_impact": "Low",
                        "benefits_impact": "Higher",
                    },
                    meta,
                )
            elif step[0] == "decide":
                app.perform(
                    "decide_change",
                    change_id,
                    {
                        "decision": step[1],
                        "authority": authority,
                        "rationale": "Within budget",
                    },
                    meta,
                )
            elif step[0] == "implement":
                app.perform(
                    "implement_change",
                    change_id,
                    {"notes": "Released in sprint 4"},
                    meta,
                )
            else:
                app.perform("close_change", change_id, {}, meta)
    return len(plans)


def _decisions(app: PmoApplication, project_id: UUID, meta: Meta) -> int:
    first = app.perform(
        "record_decision",
        project_id,
        {
            "title": "Choose delivery approach",
            "context": "Two approaches were considered",
            "options": ["waterfall", "agile"],
            "outcome": "Agile delivery",
            "rationale": "Frequent feedback",
            "decided_by": "Project Board",
            "decided_on": date(2026, 9, 3),
            "related_ids": [],
        },
        meta,
    ).id
    second = app.perform(
        "record_decision",
        project_id,
        {
            "title": "Choose delivery approach (revised)",
            "context": "Vendor constraints",
            "options": ["agile", "hybrid"],
            "outcome": "Hybrid delivery",
            "rationale": "Vendor releases quarterly",
            "decided_by": "Project Board",
            "decided_on": date(2026, 10, 1),
            "related_ids": [str(first)],
        },
        meta,
    ).id
    app.perform("supersede_decision", first, {"superseded_by": second}, meta)
    app.perform(
        "record_decision",
        project_id,
        {
            "title": "Hosting",
            "context": "Cloud or on premises",
            "options": ["cloud", "on premises"],
            "outcome": "Cloud",
            "rationale": "Lower cost",
            "decided_by": "Design Authority",
            "decided_on": date(2026, 10, 8),
            "related_ids": [],
        },
        meta,
    )
    return 3


def _documents(app: PmoApplication, project_id: UUID, meta: Meta, code: str) -> int:
    for title, doc_type in DOCUMENTS:
        doc_id = app.register_document(
            project_id, title, doc_type, "internal", "project-record", "Carl", meta
        ).id
        for number in range(1, 4):
            body = f"{title} for {code}\nversion {number}\n".encode() * 20
            app.submit_version(
                doc_id,
                io.BytesIO(body),
                "text/plain",
                f"{doc_type}-v{number}.txt",
                f"Draft {number}",
                meta,
            )
            app.send_version_for_review(doc_id, number, meta)
            if number < 3:
                app.approve_version(doc_id, number, meta)
    return len(DOCUMENTS)

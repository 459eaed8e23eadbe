"""A seeded random workload across every aggregate, through the application."""

from __future__ import annotations

import contextlib
import io
import random
from collections.abc import Callable
from datetime import date
from typing import Any
from uuid import UUID

from service.app import PmoApplication
from service.domain.base import DomainError, Meta
from service.domain.project import RAG_COLOURS, RAG_DIMENSIONS
from service.domain.risk import CATEGORIES
from service.errors import ApplicationError

OFFICERS = [Meta("olivia", "project-officer", "routine", "r"), Meta("pat", "pmo-head")]
CUSTODIAN = Meta("cara", "custodian", "custody")


class Workload:
    """Random valid-or-refused commands; refused ones change nothing."""

    def __init__(self, app: PmoApplication, seed: int) -> None:
        self.app = app
        self.rng = random.Random(seed)
        self.seed = seed
        self.ids: dict[str, list[UUID]] = {
            k: [] for k in ("project", "risk", "issue", "change", "decision", "doc")
        }
        self.actions: list[tuple[int, Callable[[], None]]] = [
            (1, self.project),
            (2, self.project_change),
            (4, self.risk),
            (6, self.risk_change),
            (3, self.issue),
            (4, self.issue_change),
            (2, self.change),
            (5, self.change_change),
            (2, self.decision),
            (1, self.supersede),
            (2, self.document),
            (7, self.document_change),
        ]

    def run(self, events: int) -> None:
        """Give commands until the store holds at least `events` more events."""
        target = self.app.head_position() + events
        weights = [w for w, _ in self.actions]
        actions = [a for _, a in self.actions]
        while self.app.head_position() < target:
            action = self.rng.choices(actions, weights)[0]
            with contextlib.suppress(DomainError, ApplicationError, LookupError):
                action()

    def pick(self, kind: str) -> UUID:
        """A random existing entity (LookupError if none yet)."""
        if not self.ids[kind]:
            raise LookupError(kind)
        return self.rng.choice(self.ids[kind])

    def meta(self) -> Meta:
        """A random officer."""
        return self.rng.choice(OFFICERS)

    def n(self, low: int = 1, high: int = 5) -> int:
        """A random rating."""
        return self.rng.randint(low, high)

    def project(self) -> None:
        """Register a project."""
        code = f"S{self.seed % 10**6}P{len(self.ids['project']) + 1}"
        written = self.app.register_project(code, code, "", "Sam", "Max", self.meta())
        self.ids["project"].append(written.id)

    def project_change(self) -> None:
        """Change a project's stage, report status, or close and reopen it."""
        project_id, roll = self.pick("project"), self.rng.random()
        if roll < 0.4:
            self.app.change_project_stage(project_id, f"S{self.n()}", self.meta())
        elif roll < 0.9:
            rag = {d: self.rng.choice(RAG_COLOURS) for d in RAG_DIMENSIONS}
            start = date(2025, self.n(1, 12), 1)
            self.app.report_project_status(
                project_id, start, start, rag, "summary", "", "", "ok", "", self.meta()
            )
        else:
            self.app.close_project(project_id, self.meta())
            self.app.reopen_project(project_id, Meta("pat", "pmo-head"))

    def risk(self) -> None:
        """Identify a risk."""
        written = self.app.perform(
            "identify_risk",
            self.pick("project"),
            {
                "title": f"risk {self.n(1, 999)}",
                "cause": "c",
                "event": "e",
                "effect": "f",
                "category": self.rng.choice(CATEGORIES),
                "kind": self.rng.choice(("threat", "opportunity")),
                "owner": self.rng.choice(("ann", "bob", "cy")),
                "proximity": "imminent",
                "probability": self.n(),
                "impact": self.n(),
            },
            self.meta(),
        )
        self.ids["risk"].append(written.id)

    def risk_change(self) -> None:
        """Assess, respond to, close or reopen a risk."""
        risk_id, roll, meta = self.pick("risk"), self.rng.random(), self.meta()
        if roll < 0.5:
            self.app.perform(
                "assess_risk",
                risk_id,
                {
                    "inherent_probability": self.n(),
                    "inherent_impact": self.n(),
                    "residual_probability": self.n(),
                    "residual_impact": self.n(),
                },
                meta,
            )
        elif roll < 0.7:
            response = self.rng.choice(("accept", "share"))
            self.app.perform(
                "plan_risk_response",
                risk_id,
                {"response": response, "actions": "act", "actionee": "ann"},
                meta,
            )
        elif roll < 0.9:
            self.app.perform("close_risk", risk_id, {}, meta)
        else:
            self.app.perform("reopen_risk", risk_id, {}, meta)

    def issue(self) -> None:
        """Raise an issue."""
        written = self.app.perform(
            "raise_issue",
            self.pick("project"),
            {
                "issue_type": self.rng.choice(
                    ("request-for-change", "problem-concern")
                ),
                "title": f"issue {self.n(1, 999)}",
                "description": "d",
                "priority": self.rng.choice(("low", "high")),
                "severity": self.rng.choice(("minor", "major")),
            },
            self.meta(),
        )
        self.ids["issue"].append(written.id)

    def issue_change(self) -> None:
        """Examine, resolve or close an issue."""
        issue_id, roll, meta = self.pick("issue"), self.rng.random(), self.meta()
        if roll < 0.4:
            self.app.perform(
                "examine_issue",
                issue_id,
                {"impact_analysis": "ia", "options": "opts", "recommendation": "rec"},
                meta,
            )
        elif roll < 0.7:
            self.app.perform("resolve_issue", issue_id, {"resolution": "fixed"}, meta)
        else:
            self.app.perform("close_issue", issue_id, {}, meta)

    def change(self) -> None:
        """Raise a change request."""
        written = self.app.perform(
            "raise_change",
            self.pick("project"),
            {
                "title": f"change {self.n(1, 999)}",
                "description": "d",
                "justification": "j",
                "related_issue_id": None,
            },
            self.meta(),
        )
        self.ids["change"].append(written.id)

    def change_change(self) -> None:
        """Assess, decide, implement or close a change request."""
        change_id, roll, meta = self.pick("change"), self.rng.random(), self.meta()
        if roll < 0.3:
            cost = f"{self.n(1, 9999)}.50"
            self.app.perform(
                "assess_change",
                change_id,
                {
                    "cost_impact": cost,
                    "time_impact_days": self.n(),
                    "scope_impact": "s",
                    "quality_impact": "",
                    "risk_impact": "",
                    "benefits_impact": "",
                },
                meta,
            )
        elif roll < 0.6:
            decision = self.rng.choice(("approve", "reject", "defer", "request-info"))
            self.app.perform(
                "decide_change",
                change_id,
                {"decision": decision, "authority": "board", "rationale": "why"},
                meta,
            )
        elif roll < 0.8:
            self.app.perform("implement_change", change_id, {"notes": "done"}, meta)
        else:
            self.app.perform("close_change", change_id, {}, meta)

    def decision(self) -> None:
        """Record a decision."""
        written = self.app.perform(
            "record_decision",
            self.pick("project"),
            {
                "title": f"decision {self.n(1, 999)}",
                "context": "ctx",
                "options": ["a", "b"],
                "outcome": "a",
                "rationale": "why",
                "decided_by": self.rng.choice(("board", "pm")),
                "decided_on": date(2025, 1, self.n(1, 28)),
                "related_ids": [],
            },
            self.meta(),
        )
        self.ids["decision"].append(written.id)

    def supersede(self) -> None:
        """Supersede one decision by another."""
        older, newer = self.pick("decision"), self.pick("decision")
        self.app.perform(
            "supersede_decision", older, {"superseded_by": newer}, self.meta()
        )

    def document(self) -> None:
        """Register a document."""
        written = self.app.register_document(
            self.pick("project"), f"doc {self.n(1, 999)}", "plan", "internal",
            "project-record", "Cara", CUSTODIAN,
        )  # fmt: skip
        self.ids["doc"].append(written.id)

    def document_change(self) -> None:
        """Submit, review, approve, withdraw, copy, hold, release or dispose."""
        doc_id, roll, app = self.pick("doc"), self.rng.random(), self.app
        number = self.n(1, 4)
        if roll < 0.25:
            content = io.BytesIO(b"v%d" % self.n(1, 10**6))
            app.submit_version(doc_id, content, "text/plain", "a.txt", "", CUSTODIAN)
        elif roll < 0.45:
            app.send_version_for_review(doc_id, number, CUSTODIAN)
        elif roll < 0.65:
            app.approve_version(doc_id, number, CUSTODIAN)
        elif roll < 0.72:
            app.withdraw_version(doc_id, number, CUSTODIAN)
        elif roll < 0.82:
            app.issue_copy(doc_id, number, "bob", "read", CUSTODIAN)
        elif roll < 0.9:
            app.place_hold(doc_id, f"H{self.n(1, 3)}", "t", "m", CUSTODIAN)
        elif roll < 0.97:
            app.release_hold(doc_id, f"H{self.n(1, 3)}", CUSTODIAN)
        else:
            app.dispose_document(doc_id, CUSTODIAN, today=date(2999, 1, 1))


DRIVEN = ("projects", "documents", "audit", "risks", "issues", "changes", "decisions")
"""The read models this workload writes to. The registers declared since (plans,
value, control, office) are checked against replay over the demo instead
(tests/usecases/test_entry_as_of.py and their own as-of tests)."""


def driven_models() -> list[Any]:
    """The read-model classes the workload exercises."""
    from projections.models import models

    return [cls for cls in models() if cls.name in DRIVEN]

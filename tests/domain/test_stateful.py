"""Random command sequences: refusals change nothing, invariants always hold."""

from __future__ import annotations

import copy
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from eventsourcing.application import project_aggregate
from eventsourcing.domain import Aggregate
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
)

from service.domain import change, document, risk
from service.domain.base import DomainError, Meta
from service.domain.change import ChangeRequest
from service.domain.document import Document
from service.domain.risk import Risk
from tests.domain.support import CONTRIBUTOR, CUSTODIAN, OFFICER, PROJECT_ID, SHA

SETTINGS = settings(max_examples=100, stateful_step_count=25, deadline=None)
LONG = settings(SETTINGS, stateful_step_count=40)
ratings = st.integers(min_value=-1, max_value=7)
# Mostly custodians, so that approvals and holds happen often enough to matter.
roles = st.sampled_from([CUSTODIAN, CUSTODIAN, CUSTODIAN, CONTRIBUTOR, OFFICER])
day = st.integers(min_value=0, max_value=60).map(
    lambda n: date(2030, 1, 1) + timedelta(n)
)


class AggregateMachine(RuleBasedStateMachine):
    """Applies commands, checks accepted ones against a model, keeps all events."""

    aggregate: Aggregate

    def start(self, aggregate: Aggregate) -> None:
        self.aggregate = aggregate
        self.events: list[Any] = list(aggregate.collect_events())

    def attempt(self, command: Callable[[], object], expected: bool) -> bool:
        """Run a command; a refusal must leave the aggregate exactly as it was."""
        # One level deep is enough: nested values are immutable (frozen dataclasses).
        before = {
            name: copy.copy(value) for name, value in vars(self.aggregate).items()
        }
        version = self.aggregate.version
        try:
            command()
        except DomainError:
            assert not expected
            assert vars(self.aggregate) == before
            return False
        assert expected
        new = self.aggregate.collect_events()
        assert len(new) == 1
        assert self.aggregate.version == version + 1
        self.events.extend(new)
        return True

    def teardown(self) -> None:
        """Replaying every event of the run gives exactly the live state."""
        if hasattr(self, "aggregate"):
            assert project_aggregate(None, self.events) == self.aggregate


class RiskMachine(AggregateMachine):
    @initialize(
        kind=st.sampled_from(risk.KINDS), p=st.integers(1, 5), i=st.integers(1, 5)
    )
    def identify(self, kind: str, p: int, i: int) -> None:
        self.risk = Risk.identify(
            PROJECT_ID, "t", "c", "e", "f", "cost", kind, "o", "imminent", p, i, OFFICER
        )
        self.start(self.risk)

    @rule(values=st.tuples(ratings, ratings, ratings, ratings))
    def assess(self, values: tuple[int, int, int, int]) -> None:
        ok = self.risk.status == "open" and all(1 <= v <= 5 for v in values)
        if self.attempt(lambda: self.risk.assess(*values, OFFICER), ok):
            assert (self.risk.inherent_score, self.risk.residual_score) == (
                values[0] * values[1],
                values[2] * values[3],
            )

    @rule(response=st.sampled_from(sorted({*risk.RESPONSES["threat"], "exploit", "x"})))
    def plan_response(self, response: str) -> None:
        ok = self.risk.status == "open" and response in risk.RESPONSES[self.risk.kind]
        self.attempt(lambda: self.risk.plan_response(response, "a", "b", OFFICER), ok)

    @rule()
    def close(self) -> None:
        self.attempt(lambda: self.risk.close(OFFICER), self.risk.status == "open")

    @rule()
    def reopen(self) -> None:
        self.attempt(lambda: self.risk.reopen(OFFICER), self.risk.status == "closed")

    @invariant()
    def scores_and_status_are_in_range(self) -> None:
        assert self.risk.status in risk.STATUSES
        assert 1 <= self.risk.inherent_score <= 25
        assert 1 <= self.risk.residual_score <= 25


class ChangeMachine(AggregateMachine):
    @initialize()
    def raise_request(self) -> None:
        self.change = ChangeRequest.raise_request(
            PROJECT_ID, "t", "d", "j", None, OFFICER
        )
        self.start(self.change)

    @rule(days=st.integers(-4000, 4000), cost=st.sampled_from(["10", "-2.5", "1e3"]))
    def assess(self, days: int, cost: str) -> None:
        ok = (
            self.change.status in ("raised", "assessed", "deferred", "info-requested")
            and abs(days) <= change.MAX_DAYS
            and cost != "1e3"
        )
        command = lambda: self.change.assess_impact(cost, days, "", "", "", "", OFFICER)  # noqa: E731
        self.attempt(command, ok)

    @rule(decision=st.sampled_from([*change.DECISIONS, "concede"]))
    def decide(self, decision: str) -> None:
        ok = self.change.status == "assessed" and decision in change.DECISIONS
        self.attempt(lambda: self.change.decide(decision, "board", "r", OFFICER), ok)

    @rule()
    def implement(self) -> None:
        ok = self.change.status == "approved"
        self.attempt(lambda: self.change.implement("n", OFFICER), ok)

    @rule()
    def close(self) -> None:
        ok = self.change.status in ("implemented", "rejected", "deferred")
        self.attempt(lambda: self.change.close(OFFICER), ok)

    @invariant()
    def status_and_step_are_known(self) -> None:
        assert self.change.status in change.STATUSES
        assert self.change.step in change.STEPS


class DocumentMachine(AggregateMachine):
    @initialize(drafts=st.integers(0, 3))
    def register(self, drafts: int) -> None:
        self.doc = Document.register(
            PROJECT_ID, "t", "plan", "public", "r", "o", CUSTODIAN
        )
        for _ in range(drafts):
            self.doc.submit_version(SHA, 1, "a/b", "f", "", CONTRIBUTOR)
        self.start(self.doc)
        self.retention: date | None = None
        self.was_disposed = False
        self.model: list[str] = ["draft"] * drafts

    def pick(self, data: st.DataObject, *preferred: str) -> int:
        """A version number: often one in a preferred status, else any or none."""
        anything = st.integers(0, len(self.doc.versions) + 1)
        candidates = [v.number for v in self.doc.versions if v.status in preferred]
        if candidates:
            return data.draw(st.sampled_from(candidates) | anything, label="number")
        return data.draw(anything, label="number")

    def exists(self, number: int) -> bool:
        return 1 <= number <= len(self.doc.versions)

    def in_state(self, number: int, *states: str) -> bool:
        return self.exists(number) and self.doc.versions[number - 1].status in states

    def custody(self, meta: Meta) -> bool:
        return self.doc.status == "active" and meta.role in document.CUSTODY_ROLES

    @rule(sha=st.sampled_from([SHA, SHA, "0" * 64, "bad"]), size=st.integers(-1, 9))
    def submit(self, sha: str, size: int) -> None:
        ok = self.doc.status == "active" and sha != "bad" and size >= 0

        def command() -> int:
            return self.doc.submit_version(sha, size, "a/b", "f", "", CONTRIBUTOR)

        if self.attempt(command, ok):
            self.model.append("draft")

    # One rule for every version command, so that swarm testing (which switches
    # whole rules off per run) rarely leaves a run without reviews and approvals.
    @rule(
        action=st.sampled_from(
            ["send", "send", "approve", "approve", "withdraw", "copy"]
        ),
        meta=roles,
        data=st.data(),
    )
    def version_command(self, action: str, meta: Meta, data: st.DataObject) -> None:
        if action == "send":
            number = self.pick(data, "draft")
            ok = self.doc.status == "active" and self.in_state(number, "draft")
            if self.attempt(lambda: self.doc.send_for_review(number, meta), ok):
                self.model[number - 1] = "in-review"
        elif action == "approve":
            number = self.pick(data, "in-review")
            ok = self.custody(meta) and self.in_state(number, "in-review")
            if self.attempt(lambda: self.doc.approve_version(number, meta), ok):
                self.model = [
                    "superseded" if s == "approved" else s for s in self.model
                ]
                self.model[number - 1] = "approved"
        elif action == "withdraw":
            live = ("draft", "in-review", "approved")
            number = self.pick(data, *live)
            ok = self.custody(meta) and self.in_state(number, *live)
            if self.attempt(lambda: self.doc.withdraw_version(number, meta), ok):
                self.model[number - 1] = "withdrawn"
        else:
            number = self.pick(data)
            ok = self.doc.status == "active" and self.exists(number)
            self.attempt(lambda: self.doc.issue_copy(number, "r", "p", meta), ok)

    @rule(place=st.booleans(), hold_id=st.sampled_from(["H1", "H2"]), meta=roles)
    def hold(self, place: bool, hold_id: str, meta: Meta) -> None:
        if place:
            ok = self.custody(meta) and hold_id not in self.doc.holds
            self.attempt(lambda: self.doc.place_hold(hold_id, "t", "m", meta), ok)
        else:
            ok = self.custody(meta) and hold_id in self.doc.holds
            self.attempt(lambda: self.doc.release_hold(hold_id, meta), ok)

    @rule(until=day)
    def extend_retention(self, until: date) -> None:
        ok = self.custody(CUSTODIAN) and (
            self.retention is None or until > self.retention
        )
        if self.attempt(lambda: self.doc.extend_retention(until, CUSTODIAN), ok):
            self.retention = until

    # Disposal ends every run's interesting part, so let versions accumulate first.
    @precondition(lambda self: len(self.doc.versions) >= 3)
    @rule(due_on=day, today=day)
    def dispose(self, due_on: date, today: date) -> None:
        keep_until = max(due_on, self.retention or due_on)
        ok = self.custody(CUSTODIAN) and not self.doc.holds and today >= keep_until
        if self.attempt(lambda: self.doc.dispose(due_on, today, CUSTODIAN), ok):
            self.was_disposed = True

    @invariant()
    def versions_are_consistent(self) -> None:
        statuses = [v.status for v in self.doc.versions]
        assert statuses == self.model
        assert statuses.count("approved") <= 1
        assert [v.number for v in self.doc.versions] == list(
            range(1, len(statuses) + 1)
        )
        assert set(statuses) <= set(document.VERSION_STATUSES)
        assert self.doc.status in document.STATUSES
        assert self.doc.retention_until == self.retention
        assert (self.doc.status == "disposed") == self.was_disposed
        if self.was_disposed:
            assert not self.doc.holds


TestRisk = RiskMachine.TestCase
TestRisk.settings = SETTINGS
TestChange = ChangeMachine.TestCase
TestChange.settings = SETTINGS
TestDocument = DocumentMachine.TestCase
TestDocument.settings = LONG

"""The quality policy: which document types need a signed-off quality review.

One aggregate for the whole PMO (its id is fixed), so the policy in force at
any moment is its state replayed to that moment. A type that requires a
review may have a version approved only once a quality review of that exact
version is signed off.
"""

from __future__ import annotations

from typing import Any, Final
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate, event

from service.domain.base import (
    DomainError,
    InvalidValueError,
    Meta,
    TransitionError,
    check_text,
)
from service.domain.clock import timestamp

POLICY_ID: Final = uuid5(NAMESPACE_URL, "pmo-ledger:quality-policy")
POLICY_ROLES: Final = ("pmo-head",)


class QualityPolicy(Aggregate):
    """The document types whose versions need a signed-off quality review."""

    class Event(Aggregate.Event):
        """An event of the policy (backdated by the demo's clock like any entry)."""

        create_timestamp = staticmethod(timestamp)

    class Created(Event, Aggregate.Created):
        """The policy is first recorded."""

    @staticmethod
    def create_id() -> UUID:
        """The one policy's id."""
        return POLICY_ID

    @event("Started")
    def __init__(self, meta: Meta) -> None:
        self.required: dict[str, bool] = {}

    @classmethod
    def start(cls, meta: Meta) -> QualityPolicy:
        """The policy before any rule is set."""
        return cls(meta)

    def requires_review(self, doc_type: str) -> bool:
        """Whether versions of this type need a signed-off quality review."""
        return self.required.get(doc_type, False)

    def set_rule(self, doc_type: str, required: bool, meta: Meta) -> None:
        """Require (or stop requiring) a signed-off review for a document type."""
        check_text("doc_type", doc_type, max_length=100)
        if not isinstance(required, bool):
            raise InvalidValueError("required", "must be true or false")
        if self.requires_review(doc_type) == required:
            already = "already requires" if required else "does not require"
            message = f"the policy {already} a review for {doc_type!r}"
            raise InvalidValueError("required", message)
        self._set_rule(doc_type, required, meta)

    @event("RuleSet")
    def _set_rule(self, doc_type: str, required: bool, meta: Meta) -> None:
        self.required = {**self.required, doc_type: required}


class QualityGateError(TransitionError):
    """A version's approval needs a signed-off quality review it does not have."""

    def __init__(self, message: str, state: str) -> None:
        DomainError.__init__(self, message)
        self.entity = "version"
        self.action = "approve"
        self.state = state


def rules(state: dict[str, Any] | None) -> dict[str, bool]:
    """The rules of a policy's state (none before the policy existed)."""
    return dict((state or {}).get("required") or {})

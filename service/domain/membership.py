"""A person's access: the projects they belong to, in which role, and their clearance.

A person is a subject: `token:<token id>` for a bearer token, `oidc:<issuer
subject>` for someone who signs in through the identity provider. The PMO head
and auditors are portfolio-wide by role; everyone else reaches only the
projects they are a member of (or every project, through a portfolio-wide
membership), and documents up to their clearance.
"""

from __future__ import annotations

import re
from typing import Final
from uuid import UUID, uuid5

from eventsourcing.domain import Aggregate, event

from service.domain.base import InvalidValueError, Meta, TransitionError, check_choice
from service.domain.document import CLASSIFICATIONS

PORTFOLIO_ROLES: Final = ("pmo-head", "auditor")
PROJECT_ROLES: Final = ("project-officer", "custodian", "contributor")
CLEARANCES: Final = CLASSIFICATIONS
DEFAULT_CLEARANCE: Final = "internal"
PORTFOLIO: Final = "*"
ACCESS_NAMESPACE: Final = UUID("0e7d4b52-91c3-4f6a-b8d2-3a5e6f7c9d10")
_SUBJECT = re.compile(
    r"(token:[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}|oidc:\S{1,300})"
)


def check_subject(subject: str) -> None:
    """Refuse a subject that names neither a token nor an identity-provider user."""
    if not isinstance(subject, str) or not _SUBJECT.fullmatch(subject):
        raise InvalidValueError(
            "subject", "must be token:<token id> or oidc:<subject at the provider>"
        )


def clearance_rank(level: str) -> int:
    """A clearance or classification's place in the order (public lowest)."""
    return CLEARANCES.index(level)


def scope_key(project_id: UUID | None) -> str:
    """The key a membership is kept under: the project id, or `*` for all."""
    return PORTFOLIO if project_id is None else str(project_id)


class Access(Aggregate):
    """One person's memberships and clearance; every change is an event."""

    @staticmethod
    def create_id(subject: str) -> UUID:
        """The id of a subject's access record."""
        return uuid5(ACCESS_NAMESPACE, subject)

    @event("Opened")
    def __init__(self, subject: str, meta: Meta) -> None:
        self.subject = subject
        self.memberships: dict[str, str] = {}
        self.clearance: str | None = None
        # How often access was taken away: a session started before sees it grow.
        self.narrowed = 0

    @classmethod
    def open(cls, subject: str, meta: Meta) -> Access:
        """Start the access record of a subject."""
        check_subject(subject)
        return cls(subject, meta)

    def grant(self, project_id: UUID | None, role: str, meta: Meta) -> None:
        """Make the subject a member of a project (None: every project) in a role."""
        check_choice("role", role, PROJECT_ROLES)
        if self.memberships.get(scope_key(project_id)) == role:
            raise TransitionError("membership", "grant", f"already {role}")
        self._grant(project_id, role, meta)

    @event("MembershipGranted")
    def _grant(self, project_id: UUID | None, role: str, meta: Meta) -> None:
        key = scope_key(project_id)
        if key in self.memberships:
            self.narrowed += 1  # a changed role may take rights away
        self.memberships[key] = role

    def revoke(self, project_id: UUID | None, meta: Meta) -> None:
        """End the subject's membership of a project (None: the portfolio-wide one)."""
        if scope_key(project_id) not in self.memberships:
            raise TransitionError("membership", "revoke", "not granted")
        self._revoke(project_id, meta)

    @event("MembershipRevoked")
    def _revoke(self, project_id: UUID | None, meta: Meta) -> None:
        del self.memberships[scope_key(project_id)]
        self.narrowed += 1

    def clear(self, level: str, meta: Meta) -> None:
        """Set the highest classification the subject may read."""
        check_choice("clearance", level, CLEARANCES)
        if self.clearance == level:
            raise TransitionError("clearance", "set", f"already {level}")
        self._clear(level, meta)

    @event("ClearanceSet")
    def _clear(self, level: str, meta: Meta) -> None:
        before = clearance_rank(self.clearance or DEFAULT_CLEARANCE)
        if clearance_rank(level) < before:
            self.narrowed += 1
        self.clearance = level

    def role_in(self, project_id: UUID) -> str | None:
        """The subject's role in a project by membership, if any."""
        return self.memberships.get(str(project_id)) or self.memberships.get(PORTFOLIO)


class Refusal(Aggregate):
    """A read or write refused because the caller may not reach what it named."""

    @event("Recorded")
    def __init__(
        self,
        project_id: UUID | None,
        entity_id: UUID,
        subject: str,
        action: str,
        grounds: str,
        meta: Meta,
    ) -> None:
        self.project_id = project_id
        self.entity_id = entity_id
        self.subject = subject
        self.action = action
        self.grounds = grounds

"""Memberships and clearances as events, refused accesses recorded, and the
history of both for "who could read this on that date"."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError
from eventsourcing.domain import Aggregate

from service.application import ApplicationBase, Written
from service.domain.base import Meta
from service.domain.membership import Access, Refusal
from service.domain.project import Project
from service.domain.token import Token
from service.errors import NotFoundError

ACCESS_EVENTS: tuple[type, ...] = (
    Access.Opened,  # type: ignore[attr-defined]
    Access.MembershipGranted,  # type: ignore[attr-defined]
    Access.MembershipRevoked,  # type: ignore[attr-defined]
    Access.ClearanceSet,  # type: ignore[attr-defined]
    Token.Issued,  # type: ignore[attr-defined]
    Token.Revoked,  # type: ignore[attr-defined]
)


class MembershipCommands(ApplicationBase):
    """Grant and revoke memberships, set clearances, record refusals."""

    def grant_membership(
        self, subject: str, project_id: UUID | None, role: str, meta: Meta
    ) -> Written:
        """Make a subject a member of a project (None: of every project)."""
        if project_id is not None:
            self.load(Project, project_id, read_only=True)
        return self._on_access(subject, meta, lambda a: a.grant(project_id, role, meta))

    def revoke_membership(
        self, subject: str, project_id: UUID | None, meta: Meta
    ) -> Written:
        """End a subject's membership of a project (None: the portfolio-wide one)."""
        return self.change(
            Access, Access.create_id(subject), lambda a: a.revoke(project_id, meta)
        )

    def set_clearance(self, subject: str, level: str, meta: Meta) -> Written:
        """Set the highest classification a subject may read."""
        return self._on_access(subject, meta, lambda a: a.clear(level, meta))

    def _on_access(
        self, subject: str, meta: Meta, command: Callable[[Access], None]
    ) -> Written:
        with self.one_check():
            try:
                access = self.load(Access, Access.create_id(subject))
            except NotFoundError:
                access = Access.open(subject, meta)
            command(access)
            position = self.commit(access)
        return Written(access.id, access.version, position)

    def access_of(self, subject: str) -> Access | None:
        """A subject's access record, if one was ever opened."""
        try:
            return self.load(Access, Access.create_id(subject), read_only=True)
        except NotFoundError:
            return None

    def access_records(self) -> list[Access]:
        """Every access record, oldest first."""
        return [
            self.load(Access, event.originator_id, read_only=True)
            for event, _ in self.iter_events_of(ACCESS_EVENTS[0])
        ]

    def any_entity(self, entity_id: UUID) -> Aggregate | None:
        """Whatever aggregate has this id, of any kind (None: no such id)."""
        try:
            found: Aggregate = self.cache.get(entity_id, copy=False)
        except AggregateNotFoundError:
            return None
        return found

    def record_refusal(
        self,
        project_id: UUID | None,
        entity_id: UUID,
        subject: str,
        action: str,
        grounds: str,
        meta: Meta,
    ) -> int:
        """Record that an access was refused; return its position."""
        refusal = Refusal(project_id, entity_id, subject, action, grounds, meta)
        return self.create(refusal).position

    def access_history(self) -> Iterator[Any]:
        """Every token and access event, oldest first (for as-of answers)."""
        for event, _ in self.iter_events_of(*ACCESS_EVENTS):
            yield event

"""Who may reach which project and document: memberships, clearances, refusals.

Every request that names an entity (a project, a register entry, a document,
anything a new register adds) is checked here by what the entity is, never by
a list of registers: the project it belongs to (its `project_id`, or itself
for a project) and its classification if it has one.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any
from uuid import UUID

from service.application import Principal, Written, entity_name
from service.domain.base import Meta
from service.domain.membership import (
    CLEARANCES,
    DEFAULT_CLEARANCE,
    PORTFOLIO,
    PORTFOLIO_ROLES,
    PROJECT_ROLES,
    clearance_rank,
    scope_key,
)
from service.domain.project import Project
from service.domain.register import PORTFOLIO_ID
from service.errors import NotFoundError
from usecases.errors import NotAvailableError
from usecases.reads import as_aware
from usecases.root import Services

TOP_CLEARANCE = CLEARANCES[-1]


@dataclass(frozen=True)
class Reach:
    """What one caller may reach: a role per project and a clearance."""

    role: str
    memberships: Mapping[str, str]
    clearance: str
    narrowed: int = 0

    @property
    def portfolio(self) -> bool:
        """Whether the caller's role reaches every project (head, auditor)."""
        return self.role in PORTFOLIO_ROLES

    def role_in(self, project_id: UUID | str) -> str | None:
        """The caller's role in a project, or None when not a member."""
        if self.portfolio:
            return self.role
        return self.memberships.get(str(project_id)) or self.memberships.get(PORTFOLIO)

    def cleared_for(self, classification: str | None) -> bool:
        """Whether the caller may read something of this classification."""
        if classification not in CLEARANCES:
            return True
        return clearance_rank(classification) <= clearance_rank(self.clearance)

    def projects(self, rows: Iterable[dict[str, Any]], key: str = "id") -> list[Any]:
        """The rows of projects the caller reaches (by the row's project id)."""
        return [row for row in rows if self.role_in(row[key]) is not None]

    def documents(self, rows: Iterable[dict[str, Any]]) -> list[Any]:
        """The document rows at or below the caller's clearance."""
        return [row for row in rows if self.cleared_for(row.get("classification"))]


@dataclass(frozen=True)
class Authorize:
    """A request by a caller naming entities by id (its path's ids)."""

    principal: Principal
    ids: Mapping[str, UUID]
    action: str


@dataclass(frozen=True)
class GrantMembership:
    """Make a person a member of a project (None: every project) in a role."""

    subject: str
    project_id: UUID | None
    role: str


@dataclass(frozen=True)
class RevokeMembership:
    """End a person's membership of a project (None: the portfolio-wide one)."""

    subject: str
    project_id: UUID | None


@dataclass(frozen=True)
class SetClearance:
    """Set the highest classification a person may read."""

    subject: str
    clearance: str


@dataclass(frozen=True)
class ReadersQuery:
    """Who could read an entity (a project, a document, an entry) at a moment."""

    entity_id: UUID
    as_of: datetime | None = None
    kind: type = object


@dataclass(frozen=True)
class Reader:
    """One person who could read an entity, and through what."""

    subject: str
    name: str
    role: str
    via: str
    clearance: str


class AccessRefusedError(NotFoundError):
    """The caller may not reach the entity: answered exactly as if it did not exist."""


def reach_of(services: Services, principal: Principal) -> Reach:
    """What a caller reaches now (portfolio roles: everything, fully cleared)."""
    if principal.role in PORTFOLIO_ROLES:
        return Reach(principal.role, {}, TOP_CLEARANCE)
    access = services.app.access_of(principal.subject)
    if access is None:
        return Reach(principal.role, {}, DEFAULT_CLEARANCE)
    return Reach(
        principal.role,
        dict(access.memberships),
        access.clearance or DEFAULT_CLEARANCE,
        access.narrowed,
    )


def scoping_project(entity: Any) -> UUID | None:
    """The project whose members may reach an entity (None: every reader may).

    Entries of a portfolio register (capacity, training courses) belong to the
    whole office, not to one project: roles alone decide who may touch them.
    """
    project_id = entity.id if isinstance(entity, Project) else None
    project_id = project_id or getattr(entity, "project_id", None)
    return None if project_id == PORTFOLIO_ID else project_id


def authorize(services: Services, request: Authorize, meta: Meta) -> Principal:
    """The caller in their role for the entities named, or a recorded refusal.

    An id that names nothing is let through: the endpoint answers its own 404.
    """
    reach = reach_of(services, request.principal)
    role = request.principal.role
    for key, entity_id in request.ids.items():
        entity = services.app.any_entity(entity_id)
        if entity is None:
            continue
        project_id = scoping_project(entity)
        if project_id is None:
            continue
        project_role = reach.role_in(project_id)
        classification = getattr(entity, "classification", None)
        if project_role is None:
            grounds = "not a member of the project"
        elif not reach.cleared_for(classification):
            grounds = f"{classification} is above the clearance {reach.clearance}"
        else:
            role = project_role
            continue
        services.app.record_refusal(
            project_id,
            entity_id,
            request.principal.subject,
            request.action,
            grounds,
            meta,
        )
        name = "project" if key == "project_id" else entity_name(type(entity))
        raise AccessRefusedError(name, entity_id)
    return replace(request.principal, role=role)


def grant_membership(
    services: Services, command: GrantMembership, meta: Meta
) -> Written:
    """Make a person a member of a project in a role (an event)."""
    return services.app.grant_membership(
        command.subject, command.project_id, command.role, meta
    )


def revoke_membership(
    services: Services, command: RevokeMembership, meta: Meta
) -> Written:
    """End a person's membership (an event); their sessions end with it."""
    return services.app.revoke_membership(command.subject, command.project_id, meta)


def set_clearance(services: Services, command: SetClearance, meta: Meta) -> Written:
    """Set a person's clearance (an event); lowering it ends their sessions."""
    return services.app.set_clearance(command.subject, command.clearance, meta)


def people(services: Services) -> list[dict[str, Any]]:
    """Every token and access record: who they are, their projects and clearance."""
    records = {a.subject: a for a in services.app.access_records()}
    found = []
    for token in services.app.list_tokens():
        subject = f"token:{token.token_id}"
        found.append(_person(subject, token.name, token.role, token.status, records))
        records.pop(subject, None)
    for subject in records:
        found.append(_person(subject, subject, "", "active", records))
    return found


def _person(
    subject: str, name: str, role: str, status: str, records: Mapping[str, Any]
) -> dict[str, Any]:
    access = records.get(subject)
    portfolio = role in PORTFOLIO_ROLES
    clearance = TOP_CLEARANCE if portfolio else DEFAULT_CLEARANCE
    if access is not None and not portfolio:
        clearance = access.clearance or DEFAULT_CLEARANCE
    return {
        "subject": subject,
        "name": name,
        "role": role,
        "status": status,
        "portfolio_wide": portfolio,
        "memberships": dict(access.memberships) if access and not portfolio else {},
        "clearance": clearance,
    }


def grant_existing_tokens(services: Services, meta: Meta) -> int:
    """Keep what tokens issued before memberships could read: every active token
    of a project role with no access record gets a portfolio-wide membership in
    its role and the top clearance (events). Returns how many tokens."""
    count = 0
    for token in services.app.list_tokens():
        subject = f"token:{token.token_id}"
        if token.status != "active" or token.role not in PROJECT_ROLES:
            continue
        if services.app.access_of(subject) is not None:
            continue
        services.app.grant_membership(subject, None, token.role, meta)
        services.app.set_clearance(subject, TOP_CLEARANCE, meta)
        count += 1
    return count


def readers(services: Services, query: ReadersQuery) -> list[Reader]:
    """Who could read an entity at a moment (default now), from the events:
    tokens active then, memberships and clearances as they stood then."""
    entity = services.app.any_entity(query.entity_id)
    if not isinstance(entity, query.kind) or entity is None:
        raise NotFoundError(entity_name(query.kind), query.entity_id)
    project_id = scoping_project(entity)
    classification = getattr(entity, "classification", None)
    moment = as_aware(query.as_of) if query.as_of else None
    if moment is not None and entity.created_on > moment:
        raise NotAvailableError(
            f"{query.entity_id} did not exist at {moment.isoformat()}"
        )
    history = _History()
    for event in services.app.access_history():
        if moment is not None and event.timestamp > moment:
            break
        history.apply(event)
    found = []
    for subject, (name, role, status) in history.people().items():
        if status != "active":
            continue
        portfolio = role in PORTFOLIO_ROLES
        clearance = TOP_CLEARANCE if portfolio else history.clearances.get(subject)
        reach = Reach(
            role, history.memberships.get(subject, {}), clearance or DEFAULT_CLEARANCE
        )
        via = "role"
        if project_id is not None:
            held = reach.role_in(project_id)
            if held is None or not reach.cleared_for(classification):
                continue
            via = "portfolio role" if portfolio else _via(reach, project_id)
            role = held
        found.append(Reader(subject, name, role, via, reach.clearance))
    return found


class _History:
    """Tokens, memberships and clearances as the events so far left them."""

    def __init__(self) -> None:
        self.tokens: dict[str, list[str]] = {}
        self.memberships: dict[str, dict[str, str]] = {}
        self.clearances: dict[str, str] = {}
        self.subjects: dict[UUID, str] = {}

    def apply(self, event: Any) -> None:
        kind = type(event).__name__
        if kind == "Issued":
            self.tokens[f"token:{event.originator_id}"] = [
                event.name,
                event.role,
                "active",
            ]
        elif kind == "Revoked":
            self.tokens[f"token:{event.originator_id}"][2] = "revoked"
        elif kind == "Opened":
            self.memberships[event.subject] = {}
            self.subjects[event.originator_id] = event.subject
        elif kind == "MembershipGranted":
            held = self.memberships[self.subjects[event.originator_id]]
            held[scope_key(event.project_id)] = event.role
        elif kind == "MembershipRevoked":
            held = self.memberships[self.subjects[event.originator_id]]
            held.pop(scope_key(event.project_id), None)
        elif kind == "ClearanceSet":
            self.clearances[self.subjects[event.originator_id]] = event.level

    def people(self) -> dict[str, list[str]]:
        """Every token, then everyone of the identity provider with a membership
        (their role is the one they hold in their memberships)."""
        found = dict(self.tokens)
        for subject, held in self.memberships.items():
            if subject not in found and held:
                found[subject] = [subject, next(iter(held.values())), "active"]
        return found


def _via(reach: Reach, project_id: UUID | str) -> str:
    if str(project_id) in reach.memberships:
        return "membership"
    return "portfolio-wide membership"

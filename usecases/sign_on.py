"""Single sign-on: the identity provider's groups, mapped by configuration to a
role, project memberships and a clearance, recorded as events on sign-on."""

from __future__ import annotations

import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from uuid import UUID, uuid5

from service.application import Principal
from service.domain.base import ROLES, InvalidValueError, Meta
from service.domain.membership import (
    CLEARANCES,
    DEFAULT_CLEARANCE,
    PORTFOLIO,
    PORTFOLIO_ROLES,
    PROJECT_ROLES,
    clearance_rank,
    scope_key,
)
from service.errors import AuthenticationError
from usecases.root import Services

EXTERNAL_NAMESPACE = UUID("6a1c3f9e-2b7d-4e58-a0c4-9d3e1f5b7a26")
# The first role listed wins when a person's groups map to several.
PRECEDENCE = ("pmo-head", "auditor", "project-officer", "custodian", "contributor")


class ConfigurationError(ValueError):
    """The single sign-on configuration file is missing a value or wrong."""


class NoRoleError(AuthenticationError):
    """None of the person's groups at the identity provider maps to a role."""


@dataclass(frozen=True)
class GroupGrant:
    """What membership of one group at the identity provider gives."""

    role: str
    projects: tuple[str, ...] = ()
    clearance: str | None = None


@dataclass(frozen=True)
class SignOnConfig:
    """The identity provider, this service's client there, and the group map."""

    issuer: str
    client_id: str
    client_secret: str
    groups: Mapping[str, GroupGrant]
    groups_claim: str = "groups"
    api_audience: str | None = None
    scopes: str = "openid profile groups"

    @classmethod
    def load(cls, path: Path) -> SignOnConfig:
        """Read the TOML configuration file (PMO_LEDGER_OIDC_CONFIG)."""
        try:
            data = tomllib.loads(path.read_text())
        except (OSError, tomllib.TOMLDecodeError) as error:
            raise ConfigurationError(f"{path}: {error}") from None
        try:
            groups = {
                name: _grant(name, value)
                for name, value in data.pop("groups", {}).items()
            }
            return cls(
                issuer=str(data.pop("issuer")).rstrip("/"),
                client_id=str(data.pop("client_id")),
                client_secret=str(data.pop("client_secret")),
                groups=groups,
                groups_claim=str(data.pop("groups_claim", "groups")),
                api_audience=data.pop("api_audience", None),
                scopes=str(data.pop("scopes", "openid profile groups")),
            )
        except KeyError as missing:
            raise ConfigurationError(f"{path}: {missing} is required") from None


def _grant(name: str, value: Mapping[str, Any]) -> GroupGrant:
    role = value.get("role")
    clearance = value.get("clearance")
    if role not in ROLES:
        raise ConfigurationError(f"group {name}: role must be one of {ROLES}")
    if clearance is not None and clearance not in CLEARANCES:
        raise ConfigurationError(f"group {name}: clearance must be one of {CLEARANCES}")
    return GroupGrant(role, tuple(value.get("projects", ())), clearance)


@dataclass(frozen=True)
class SignOn:
    """A person the identity provider vouched for, with their groups."""

    subject: str
    name: str
    groups: tuple[str, ...]


def external_principal(subject: str, name: str, role: str) -> Principal:
    """The caller for someone of the identity provider (a stand-in token id)."""
    external = f"oidc:{subject}"
    return Principal(name, role, uuid5(EXTERNAL_NAMESPACE, external), external)


def sign_on(
    services: Services, config: SignOnConfig, person: SignOn, meta: Meta
) -> Principal:
    """The caller the groups make of a person; their memberships and clearance
    are brought in line with the groups as events (only what changed)."""
    grants = [config.groups[g] for g in person.groups if g in config.groups]
    if not grants:
        raise NoRoleError(
            "none of your groups at the identity provider gives a role here"
        )
    role = min((g.role for g in grants), key=PRECEDENCE.index)
    principal = external_principal(person.subject, person.name, role)
    if role not in PORTFOLIO_ROLES:
        wanted = _memberships(services, grants)
        clearance = max(
            (g.clearance or DEFAULT_CLEARANCE for g in grants), key=clearance_rank
        )
        _align(services, principal.subject, wanted, clearance, meta)
    return principal


def _memberships(
    services: Services, grants: Iterable[GroupGrant]
) -> dict[UUID | None, str]:
    wanted: dict[UUID | None, str] = {}
    for grant in grants:
        if grant.role not in PROJECT_ROLES:
            continue
        for code in grant.projects:
            project = None if code == PORTFOLIO else _project_id(services, code)
            if code != PORTFOLIO and project is None:
                continue  # a project not registered (yet): nothing to join
            held = wanted.get(project)
            if held is None or PRECEDENCE.index(grant.role) < PRECEDENCE.index(held):
                wanted[project] = grant.role
    return wanted


def _project_id(services: Services, code: str) -> UUID | None:
    try:
        return services.app.project_id_for_code(code)
    except InvalidValueError:
        return None


def _align(
    services: Services,
    subject: str,
    wanted: Mapping[UUID | None, str],
    clearance: str,
    meta: Meta,
) -> None:
    app = services.app
    access = app.access_of(subject)
    held = dict(access.memberships) if access else {}
    for project, role in wanted.items():
        if held.get(scope_key(project)) != role:
            app.grant_membership(subject, project, role, meta)
    keys = {scope_key(project) for project in wanted}
    for key in held:
        if key not in keys:
            app.revoke_membership(
                subject, None if key == PORTFOLIO else UUID(key), meta
            )
    if (access.clearance if access else None) != clearance:
        app.set_clearance(subject, clearance, meta)

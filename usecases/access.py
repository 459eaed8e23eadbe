"""Access tokens: issue, revoke, list, and who a token or a session belongs to."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from service.access import IssuedToken, TokenSummary
from service.application import Principal
from service.domain.base import Meta
from service.domain.token import Token
from service.errors import NotFoundError
from usecases.root import Services


@dataclass(frozen=True)
class IssueToken:
    """Issue a token for a named principal in one role."""

    name: str
    role: str


@dataclass(frozen=True)
class RevokeToken:
    """Revoke a token; it stops working at once."""

    token_id: UUID


@dataclass(frozen=True)
class Authenticate:
    """Who a bearer token's secret belongs to."""

    secret: str


@dataclass(frozen=True)
class SessionQuery:
    """Who a signed-in session's token belongs to, while it is active."""

    token_id: str


def issue_token(services: Services, command: IssueToken, meta: Meta) -> IssuedToken:
    """Issue a token; its secret is returned once and only its hash is stored."""
    return services.app.issue_token(command.name, command.role, meta)


def revoke_token(services: Services, command: RevokeToken, meta: Meta) -> int:
    """Revoke a token; return the position of the revocation."""
    return services.app.revoke_token(command.token_id, meta)


def list_tokens(services: Services) -> list[TokenSummary]:
    """Every token ever issued, oldest first, with its status (never a secret)."""
    return services.app.list_tokens()


def authenticate(services: Services, query: Authenticate) -> Principal:
    """The principal of an active token, or AuthenticationError."""
    return services.app.authenticate(query.secret)


def session_principal(services: Services, query: SessionQuery) -> Principal | None:
    """The principal of a session's token, or None once it is unknown or revoked."""
    try:
        token = services.app.load(Token, UUID(query.token_id))
    except (NotFoundError, ValueError):
        return None
    if token.status != "active":
        return None
    return Principal(token.name, token.role, token.id)

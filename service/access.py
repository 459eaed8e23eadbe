"""Access tokens: issued and revoked as events, stored only as hashes."""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from service.application import ApplicationBase, Principal, new_token_secret
from service.domain.base import Meta
from service.domain.token import Token
from service.errors import AuthenticationError, NotFoundError

TOKEN_ISSUED: type = Token.Issued  # type: ignore[attr-defined]


@dataclass(frozen=True)
class IssuedToken:
    """A newly issued token: the secret is shown once and never stored."""

    token_id: UUID
    name: str
    role: str
    secret: str
    position: int


@dataclass(frozen=True)
class TokenSummary:
    """A token as listed for the PMO head (never the secret)."""

    token_id: UUID
    name: str
    role: str
    status: str
    issued_at: datetime
    issued_by: str


class AccessCommands(ApplicationBase):
    """Issue, revoke, list and check bearer tokens."""

    def issue_token(
        self, name: str, role: str, meta: Meta, secret: str | None = None
    ) -> IssuedToken:
        """Issue a token for a named principal in one role."""
        secret = secret or new_token_secret()
        token = Token(
            name=name, role=role, token_hash=self.check_secret(secret), meta=meta
        )
        written = self.create(token)
        return IssuedToken(token.id, name, role, secret, written.position)

    def revoke_token(self, token_id: UUID, meta: Meta) -> int:
        """Revoke a token; it stops working at once. Returns the position."""
        return self.change(Token, token_id, lambda t: t.revoke(meta)).position

    def authenticate(self, secret: str) -> Principal:
        """The principal a bearer token belongs to, or AuthenticationError."""
        token_hash = self.check_secret(secret)
        try:
            token = self.load(Token, Token.create_id(token_hash), read_only=True)
        except NotFoundError:
            raise AuthenticationError("unknown bearer token") from None
        # The id lookup already matched; compare again in constant time anyway so the
        # check does not depend on how the store compares keys.
        if not hmac.compare_digest(token.token_hash, token_hash):
            raise AuthenticationError("unknown bearer token")
        if token.status != "active":
            raise AuthenticationError("revoked bearer token")
        return Principal(token.name, token.role, token.id)

    def list_tokens(self) -> list[TokenSummary]:
        """Every token ever issued, oldest first, with its current status."""
        summaries = []
        for event, _position in self.iter_events_of(TOKEN_ISSUED):
            token = self.load(Token, event.originator_id)
            summaries.append(
                TokenSummary(
                    token.id,
                    token.name,
                    token.role,
                    token.status,
                    event.timestamp,
                    event.meta.actor,
                )
            )
        return summaries

    def has_tokens(self) -> bool:
        """Whether any token was ever issued (false on an empty store)."""
        return next(self.iter_events_of(TOKEN_ISSUED, batch=1), None) is not None

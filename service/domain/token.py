"""An access token: only its SHA-256 hash is stored, and the id derives from it."""

from __future__ import annotations

from typing import Final
from uuid import UUID, uuid5

from eventsourcing.domain import Aggregate, event

from service.domain.base import (
    ROLES,
    Meta,
    TransitionError,
    check_choice,
    check_sha256,
    check_text,
)

STATUSES: Final = ("active", "revoked")
TOKEN_NAMESPACE: Final = UUID("b3f6a2d4-8c1e-4f7a-9e25-0d7c3b9a61f4")


class Token(Aggregate):
    """A bearer token granting one role to a named holder."""

    @staticmethod
    def create_id(token_hash: str) -> UUID:
        """Return the id of the token whose secret hashes to token_hash."""
        return uuid5(TOKEN_NAMESPACE, token_hash)

    @event("Issued")
    def __init__(self, name: str, role: str, token_hash: str, meta: Meta) -> None:
        self.name = name
        self.role = role
        self.token_hash = token_hash
        self.status = "active"

    @classmethod
    def issue(cls, name: str, role: str, token_hash: str, meta: Meta) -> Token:
        """Validate and issue a token."""
        check_text("name", name, max_length=200)
        check_choice("role", role, ROLES)
        check_sha256("token_hash", token_hash)
        return cls(name, role, token_hash, meta)

    def revoke(self, meta: Meta) -> None:
        """Revoke an active token."""
        if self.status != "active":
            raise TransitionError("token", "revoke", self.status)
        self._revoke(meta)

    @event("Revoked")
    def _revoke(self, meta: Meta) -> None:
        self.status = "revoked"

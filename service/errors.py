"""Errors raised by the application layer (the domain's own live in service.domain)."""

from __future__ import annotations

from uuid import UUID


class ApplicationError(Exception):
    """Base class of errors raised by application commands and queries."""


class NotFoundError(ApplicationError):
    """No entity of the asked type has this id."""

    def __init__(self, entity: str, entity_id: UUID | str) -> None:
        super().__init__(f"no {entity} with id {entity_id}")
        self.entity = entity
        self.entity_id = str(entity_id)


class VersionConflictError(ApplicationError):
    """The aggregate is not at the version the caller expected."""

    def __init__(self, entity_id: UUID, expected: int, actual: int | None) -> None:
        actual_text = "a newer version" if actual is None else f"version {actual}"
        super().__init__(
            f"{entity_id} was expected at version {expected} but is at {actual_text}"
        )
        self.entity_id = entity_id
        self.expected = expected
        self.actual = actual


class ConcurrentWriteError(ApplicationError):
    """Another writer appended to the same aggregate first; retry on fresh state."""

    def __init__(self, entity_id: UUID) -> None:
        super().__init__(f"{entity_id} was changed by a concurrent request; retry")
        self.entity_id = entity_id


class DuplicateError(ApplicationError):
    """A unique value (such as a project code) is already taken."""

    def __init__(self, field: str, value: str) -> None:
        super().__init__(f"{field} {value!r} is already taken")
        self.field = field
        self.value = value


class AuthenticationError(ApplicationError):
    """The bearer token is missing, unknown or revoked."""


class StoreUnavailableError(ApplicationError):
    """The database cannot be reached just now; the request may be retried."""

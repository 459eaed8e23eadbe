"""Errors the use cases raise besides the domain's and the application's own.

Each keeps the exact wording clients have seen; api/errors.py maps them to HTTP.
"""

from __future__ import annotations

from uuid import UUID

from service.blobs import BlobTooLargeError
from service.domain.base import InvalidValueError
from service.errors import ApplicationError, VersionConflictError


class NotAvailableError(ApplicationError):
    """What was asked for is not there: not yet, not then, or no longer."""


class ReadModelsBehindError(ApplicationError):
    """The read models have not reached a position in time; the read may be retried."""

    def __init__(self, position: int) -> None:
        super().__init__(f"the read models have not reached position {position} yet")
        self.position = position


class ProofRefusedError(ApplicationError):
    """A proof that cannot be made (tree sizes out of order or beyond the tree)."""


class EvidenceError(ApplicationError):
    """The ledger does not prove what an evidence pack must show."""


class SigningUnavailableError(ApplicationError):
    """The ledger key cannot sign now (its HSM is unreachable); retry later."""


class VerificationError(ApplicationError):
    """A verification could not run to a conclusion (a log reader failed)."""


class ProjectVersionError(VersionConflictError):
    """A create under a project named a project version (If-Match) it is not at."""

    def __init__(self, project_id: UUID, expected: int, actual: int) -> None:
        super().__init__(project_id, expected, actual)
        self.args = (f"project {project_id} is at version {actual}, not {expected}",)


class PositionBeyondHeadError(InvalidValueError):
    """A read asked to wait for a position the store has not reached."""

    def __init__(self, position: int, head: int) -> None:
        super().__init__("min_position", f"must be at most {head}")
        self.args = (f"min_position {position} is beyond the store's head {head}",)


class QueryRefusedError(InvalidValueError):
    """A read-model query refused a value (a bad cursor or filter)."""

    def __init__(self, error: ValueError) -> None:
        text = str(error)
        field, _, message = text.partition(": ")
        name = field if message and field.isidentifier() else "query"
        super().__init__(name, message or text)
        self.args = (text,)


class UploadTooLargeError(BlobTooLargeError):
    """An upload announced more bytes than the configured limit."""

    def __init__(self, limit: int) -> None:
        super().__init__(limit)
        self.args = (f"uploads are limited to {limit} bytes",)

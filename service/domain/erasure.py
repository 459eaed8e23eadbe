"""Erasure of a data subject's personal data, recorded as an event (docs/privacy.md).

The event names the subjects by their random ids only (never a name or an
e-mail address), with who asked, why, and the legal basis; the keys that sealed
their personal data are destroyed outside the event store.
"""

from __future__ import annotations

from typing import Final

from eventsourcing.domain import Aggregate, event

from service.domain.base import InvalidValueError, Meta, check_choice

ERASED: Final = "[erased]"
"""What a read shows in place of a personal value whose key is destroyed."""

LEGAL_BASES: Final = (
    "no-longer-necessary",
    "consent-withdrawn",
    "objection",
    "unlawful-processing",
    "legal-obligation",
    "child-consent",
)
"""GDPR Art. 17(1)(a)-(f): the grounds on which a subject's data is erased."""


class Erasure(Aggregate):
    """One erasure request carried out: the subjects, the legal basis, who and why."""

    @event("Recorded")
    def __init__(
        self, subjects: list[str], redacted: int, legal_basis: str, meta: Meta
    ) -> None:
        self.subjects = subjects
        self.redacted = redacted
        self.legal_basis = legal_basis
        self.meta = meta

    @classmethod
    def record(
        cls, subjects: list[str], redacted: int, legal_basis: str, meta: Meta
    ) -> Erasure:
        """Validate and record an erasure (a reason is required)."""
        check_choice("legal_basis", legal_basis, LEGAL_BASES)
        if not (meta.reason and meta.reason.strip()):
            raise InvalidValueError("reason", "is required to erase personal data")
        return cls(subjects, redacted, legal_basis, meta)

"""The value objects of a document's state: its versions, legal holds and copies.

They are stored (in snapshots) by their lower-cased class name
(`service.application.dataclass_transcoding`), not by module, so they may
live apart from the `Document` aggregate (service.domain.document).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class Version:
    """One submitted version: its content's fingerprint and its review status."""

    number: int
    sha256: str
    size: int
    media_type: str
    filename: str
    comment: str
    status: str
    submitted_at: datetime
    submitted_by: str
    status_changed_at: datetime
    approved_at: datetime | None = None
    approved_by: str | None = None


@dataclass(frozen=True)
class Hold:
    """A legal hold that blocks disposal until released."""

    hold_id: str
    title: str
    mandate: str
    placed_at: datetime
    placed_by: str


@dataclass(frozen=True)
class Copy:
    """A copy of a version issued to a recipient, for a purpose."""

    number: int
    recipient: str
    purpose: str
    issued_at: datetime
    issued_by: str

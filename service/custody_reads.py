"""Custody queries: versions as at a date, copy-holders, stored-content audits."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Literal
from uuid import UUID

from service.application import ApplicationBase
from service.blobs import collect_garbage
from service.domain.base import check_sha256
from service.domain.disposition import DispositionReview
from service.domain.document import Document
from service.domain.document_parts import Copy, Version
from service.errors import NotFoundError

Problem = Literal["missing", "corrupt", "retained", "unexpected"]

VERSION_SUBMITTED: type = Document.VersionSubmitted  # type: ignore[attr-defined]
DISPOSED: type = Document.Disposed
EXECUTED: type = DispositionReview.Executed  # type: ignore[attr-defined]
STARTED: type = DispositionReview.ExecutionStarted  # type: ignore[attr-defined]


@dataclass(frozen=True)
class ContentRef:
    """One version's content as its VersionSubmitted event recorded it."""

    document_id: UUID
    number: int
    sha256: str
    size: int


@dataclass
class Inventory:
    """Every content hash the events reference, split by whether it must be held."""

    live: dict[str, list[ContentRef]] = field(default_factory=dict)
    disposed: dict[str, list[ContentRef]] = field(default_factory=dict)


@dataclass(frozen=True)
class Finding:
    """A stored blob that is not as the events say it should be."""

    sha256: str
    problem: Problem
    refs: tuple[ContentRef, ...] = ()


@dataclass
class VerificationReport:
    """The outcome of re-hashing the blob store against the events."""

    checked: int = 0
    findings: list[Finding] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """Whether every expected blob is intact and nothing else is stored."""
        return not self.findings


class CustodyReads(ApplicationBase):
    """Reads over documents and their stored content (they record nothing)."""

    def document_at(self, document_id: UUID, at: datetime) -> Document | None:
        """The document as it stood at a moment, or None before it was registered."""
        self.load(Document, document_id)  # an unknown id or another type: not found
        moment = at if at.tzinfo else at.replace(tzinfo=UTC)
        version = None
        for event in self.events.get(document_id):
            if event.timestamp > moment:  # type: ignore[attr-defined]
                break
            version = event.originator_version
        return None if version is None else self.load(Document, document_id, version)

    def authoritative_at(
        self, document_id: UUID, at: datetime | None = None
    ) -> Version | None:
        """The approved version now or at a moment (with who approved it, when)."""
        if at is None:
            # The cached document, not a copy: copying every version would make
            # the read grow with the history. At most one version is approved,
            # and it is usually a recent one.
            versions = self.load(Document, document_id, read_only=True).versions
            return next((v for v in reversed(versions) if v.status == "approved"), None)
        document = self.document_at(document_id, at)
        return None if document is None else document.authoritative

    def version_by_sha256(self, document_id: UUID, sha256: str) -> Version:
        """The latest version of the document whose content has this digest."""
        check_sha256("sha256", sha256)
        document = self.load(Document, document_id)
        for version in reversed(document.versions):
            if version.sha256 == sha256:
                return version
        raise NotFoundError("document version", f"{document_id} sha256 {sha256}")

    def copy_holders(self, document_id: UUID) -> list[Copy]:
        """Every copy issued: recipient, version, when, by whom and why."""
        return list(self.load(Document, document_id).copies)

    def content_inventory(self) -> Inventory:
        """Which content must be held (live) and which was disposed of, by hash."""
        refs: dict[ContentRef, None] = {}  # in order, once each
        disposed: set[UUID] = set()
        # One pass in global order over both event types keeps the two consistent.
        kinds = (VERSION_SUBMITTED, DISPOSED, EXECUTED, STARTED)
        for event, _ in self.iter_events_of(*kinds):
            document_id: UUID = event.originator_id
            if isinstance(event, EXECUTED | STARTED):
                # A disposition's certificate and transfer package are kept
                # for good (number 0 and -1: not versions of a document), the
                # package from the moment its execution starts.
                kept: Any = event
                digests = (
                    None if isinstance(event, STARTED) else kept.certificate_sha256,
                    kept.package_sha256,
                )
                for i, sha256 in enumerate(digests):
                    if sha256 is not None:
                        refs[ContentRef(document_id, -i, sha256, 0)] = None
            elif isinstance(event, DISPOSED):
                disposed.add(document_id)
            else:
                ref = ContentRef(document_id, event.number, event.sha256, event.size)
                refs[ref] = None
        inventory = Inventory()
        for ref in refs:
            side = inventory.disposed if ref.document_id in disposed else inventory.live
            side.setdefault(ref.sha256, []).append(ref)
        for sha256 in inventory.live:
            inventory.disposed.pop(sha256, None)  # shared content is still needed
        return inventory

    def verify_content(
        self,
        inventory: Inventory,
        *,
        grace: timedelta = timedelta(0),
        now: datetime | None = None,
        progress: Callable[[str], None] = lambda sha256: None,
    ) -> VerificationReport:
        """Re-hash every live blob; report missing, corrupt and extra content.

        Extra content stored within the grace period is not reported: an upload
        in flight stores its blob before its event commits.
        """
        report = VerificationReport()
        for sha256, refs in sorted(inventory.live.items()):
            verdict = self.blobs.verify(sha256)
            report.checked += 1
            if verdict != "ok":
                report.findings.append(Finding(sha256, verdict, tuple(refs)))
            progress(sha256)
        cutoff = (now or datetime.now(UTC)) - grace
        for sha256 in self.blobs.orphans(inventory.live.keys(), cutoff):
            disposed = inventory.disposed.get(sha256, [])
            problem: Problem = "retained" if disposed else "unexpected"
            report.findings.append(Finding(sha256, problem, tuple(disposed)))
        return report

    def collect_blob_garbage(
        self, grace: timedelta, now: datetime | None = None
    ) -> list[str]:
        """Remove blobs no live version references, stored over grace ago."""
        live = self.content_inventory().live
        return collect_garbage(self.blobs, live.keys(), grace, now or datetime.now(UTC))

"""Reading documents: downloads (which record the copy issued), the authoritative
version now or as at a moment, versions by digest, copies, retention, diffs, lists."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from projections.paging import Page
from service.blobs import BlobReader, RangeNotSatisfiableError
from service.diff import diff_versions
from service.domain.base import Meta
from service.domain.document import Document
from service.domain.document_parts import Version
from usecases.errors import NotAvailableError
from usecases.membership import Reach
from usecases.reads import plain, query_views, wait_for_position
from usecases.retention import ScheduleQuery, schedule
from usecases.root import Services

AS_AT_WAIT_SECONDS = 0.5
AWAITING = frozenset({"draft", "in-review"})


@dataclass(frozen=True)
class ByteRange:
    """One byte range as asked: first..last inclusive; no first means the last bytes."""

    first: int | None
    last: int | None

    def within(self, size: int) -> tuple[int, int]:
        """(start, end exclusive) of this range in content of `size` bytes."""
        if self.first is None:
            start, end = max(0, size - (self.last or 0)), size
        else:
            start = self.first
            end = min(size, self.last + 1) if self.last is not None else size
        if start >= size or start >= end:
            raise RangeNotSatisfiableError(start, end, size)
        return start, end


@dataclass(frozen=True)
class DownloadVersion:
    """Read a version's bytes (default: the authoritative one's) as the caller."""

    document_id: UUID
    number: int | None = None
    byte_range: ByteRange | None = None
    held: frozenset[str] = frozenset()
    """The digests the caller holds already ("*": any), so nothing is sent."""


@dataclass(frozen=True)
class Download:
    """A version and its bytes: none when the caller holds them, or one range."""

    version: Version
    content: Iterator[bytes] | None
    span: tuple[int, int] | None = None


@dataclass(frozen=True)
class DocumentsQuery:
    """A page of a project's documents, now or as at a moment."""

    project_id: UUID
    as_of: datetime | None = None
    after: str | None = None
    limit: int = 100
    min_position: int | None = None


@dataclass(frozen=True)
class DocumentQuery:
    """One document from the read models, now and optionally as at a moment."""

    document_id: UUID
    as_of: datetime | None = None


@dataclass(frozen=True)
class DocumentRecord:
    """A document now, as it stood then (if asked), its events and its disposal date."""

    current: dict[str, Any]
    then: dict[str, Any] | None
    events: list[dict[str, Any]]
    disposal: dict[str, Any]
    schedule: dict[str, Any]
    """The schedule version in force at the moment asked (or now), with its class."""


@dataclass(frozen=True)
class VersionQuery:
    """Something about one document: the approved version (as at), copies, dates."""

    document_id: UUID
    as_of: datetime | None = None


@dataclass(frozen=True)
class VersionBySha256:
    """The latest version of a document whose content has this digest."""

    document_id: UUID
    sha256: str


@dataclass(frozen=True)
class DiffQuery:
    """The unified diff between two text versions of a document."""

    document_id: UUID
    old: int
    new: int


def download_version(
    services: Services, command: DownloadVersion, meta: Meta
) -> Download:
    """A version's bytes; a download from the first byte records a copy issued.

    The copy is recorded before any byte is handed over (configuration control);
    content the caller holds already, or a range further in, records nothing.
    """
    app = services.app
    version = _version(services, command.document_id, command.number)
    if not app.blobs.exists(version.sha256):
        raise NotAvailableError("the content of this version is no longer stored")
    if "*" in command.held or version.sha256 in command.held:
        return Download(version, None)
    span = (
        None if command.byte_range is None else command.byte_range.within(version.size)
    )
    if span is None or span[0] == 0:
        app.record_copy_issued(command.document_id, version.number, meta)
    if span is None:
        return Download(version, _stream(app.blobs.open(version.sha256)))
    return Download(version, app.blobs.read_range(version.sha256, *span), span)


def _version(services: Services, document_id: UUID, number: int | None) -> Version:
    app = services.app
    if number is None:
        found = app.authoritative_at(document_id)
        if found is None:
            raise NotAvailableError(f"document {document_id} has no approved version")
        return found
    # The cached document, not a copy (a copy grows with the history).
    versions = app.load(Document, document_id, read_only=True).versions
    if not 1 <= number <= len(versions):
        raise NotAvailableError(f"document {document_id} has no version {number}")
    return versions[number - 1]


def _stream(reader: BlobReader) -> Iterator[bytes]:
    with reader:
        while chunk := reader.read_chunk():
            yield chunk


def list_documents(services: Services, query: DocumentsQuery) -> Page:
    """A page of a project's documents from the read models."""
    wait_for_position(services, query.min_position)
    return query_views(
        services.views.list_documents,
        query.project_id,
        as_of=query.as_of,
        after=query.after,
        limit=query.limit,
    )


def all_documents(services: Services, project_id: UUID) -> list[dict[str, Any]]:
    """Every document of a project now (the product status account)."""
    rows: list[dict[str, Any]] = []
    cursor: str | None = None
    while True:
        found = services.views.list_documents(
            project_id, as_of=None, after=cursor, limit=200
        )
        rows += found.items
        if found.next_cursor is None:
            return rows
        cursor = found.next_cursor


def versions_awaiting(
    services: Services, project_id: UUID, reach: Reach
) -> list[dict[str, Any]]:
    """The versions submitted but not yet approved of a project's documents that
    the caller is cleared for (above their clearance: not even counted)."""
    waiting: list[dict[str, Any]] = []
    for row in reach.documents(all_documents(services, project_id)):
        document = services.views.get_document(UUID(row["id"]))
        if document is None:
            continue
        waiting += [
            {**version, "title": document["title"], "document_id": row["id"]}
            for version in document["versions"]
            if version["status"] in AWAITING
        ]
    return waiting


def get_document(services: Services, query: DocumentQuery) -> dict[str, Any]:
    """A document's read-model row with its versions, holds and copies."""
    found = services.views.get_document(query.document_id, query.as_of)
    if found is None:
        raise NotAvailableError(f"no document with id {query.document_id}")
    return found


def document_record(services: Services, query: DocumentQuery) -> DocumentRecord:
    """A document now and as at a moment, its events and its disposal date."""
    views = services.views
    current = get_document(services, DocumentQuery(query.document_id))
    then = views.get_document(query.document_id, query.as_of) if query.as_of else None
    in_force = schedule(services, ScheduleQuery(query.as_of))
    name = current["retention_class"]
    return DocumentRecord(
        current,
        then,
        list(views.iter_audit(entity_id=query.document_id)),
        plain(services.app.disposal_date(query.document_id)),
        plain(in_force | {"class": in_force["classes"].get(name)}),
    )


def authoritative_version(
    services: Services, query: VersionQuery
) -> dict[str, Any] | None:
    """The approved version now or as at a moment, with who approved it and when.

    As at a moment it comes from the read model once that holds every event
    committed before the read (a few indexed lookups); otherwise it is replayed
    from the document's events, which takes longer the longer the history.
    """
    app = services.app
    if query.as_of is None:
        return plain(app.authoritative_at(query.document_id))
    head = app.head_position()
    if not services.views.wait_for(head, AS_AT_WAIT_SECONDS):
        return plain(app.authoritative_at(query.document_id, query.as_of))
    found = services.views.authoritative(query.document_id, query.as_of)
    if found is None:
        app.load(Document, query.document_id, read_only=True)  # unknown: not found
        return None
    row = found["authoritative"]
    if row is None:
        return None
    return {f.name: row[f.name] for f in dataclasses.fields(Version)}


def version_by_sha256(services: Services, query: VersionBySha256) -> dict[str, Any]:
    """The latest version whose content has this sha256."""
    return dict(plain(services.app.version_by_sha256(query.document_id, query.sha256)))


def copy_holders(services: Services, query: VersionQuery) -> list[dict[str, Any]]:
    """Every copy issued: recipient, version, when, by whom, why."""
    return list(plain(services.app.copy_holders(query.document_id)))


def disposal_date(services: Services, query: VersionQuery) -> dict[str, Any]:
    """The retention class, trigger, due date and earliest disposal date now."""
    return dict(plain(services.app.disposal_date(query.document_id)))


def diff(services: Services, query: DiffQuery) -> str:
    """The unified diff between two text versions ("" when identical)."""
    app = services.app
    document = app.load(Document, query.document_id, read_only=True)
    return diff_versions(app.blobs, document, query.old, query.new)

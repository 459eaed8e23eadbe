"""Executing a disposition review: checks, transfer package, disposal, certificate.

The certificate is canonical JSON kept in the blob store (custody) and named
by its SHA-256 in the review's Executed event, which the ledger covers; so
anyone holding it can check it against the events (verify_certificate).

Execution is resumable (decision 125): the transfer package is written and
its digest recorded (ExecutionStarted) before any record goes, and each
record's Disposed event names the review; executing a review whose execution
was interrupted skips the records it disposed of, reuses the package and
writes one certificate over every record.
"""

from __future__ import annotations

import io
import json
import tempfile
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import IO, Any, BinaryIO, cast
from uuid import UUID

from service.application import Written
from service.domain.base import Meta, TransitionError
from service.domain.disposition import DispositionReview
from service.domain.document import Document
from usecases import exports
from usecases.disposition import dated, describe
from usecases.errors import NotAvailableError
from usecases.fileplan import Record, plan_at, record_of
from usecases.matters import covering, holds_at
from usecases.reads import HistoryQuery, entity_history, entity_view, plain
from usecases.root import Services

KIND = "pmo-ledger disposition certificate"
_SPOOL_BYTES = 16 * 1024 * 1024


@dataclass(frozen=True)
class ExecuteDisposition:
    """Carry out an approved review, or finish one whose execution was cut short."""

    review_id: UUID
    progress: Callable[[int, int], None] = field(default=lambda done, total: None)
    """Told (records disposed of so far, records reviewed) before and after each."""


@dataclass(frozen=True)
class Execution:
    """The recorded execution and the digests of what it wrote."""

    written: Written
    certificate_sha256: str
    package_sha256: str | None


def _records(services: Services, review: DispositionReview) -> list[Record]:
    plan = plan_at(services)
    return [
        record_of(services, plan, services.app.load(Document, UUID(d)))
        for d in review.document_ids
    ]


def disposed_by(review: DispositionReview, document: Document) -> bool:
    """Whether the review's own execution has disposed of the document."""
    return document.status == "disposed" and document.disposed_by_review == review.id


def check_records(
    services: Services, review: DispositionReview, records: list[Record]
) -> None:
    """Refuse the whole execution if any record not yet disposed may not go now."""
    holds = [h for h in holds_at(services) if h.status == "placed"]
    day = datetime.now(UTC).date()
    for record in records:
        document = record.document
        if disposed_by(review, document):
            continue
        title = f"record {document.title!r} ({document.id})"
        if document.status == "disposed":
            outside = "disposed of outside this review"
            raise TransitionError(title, "dispose of", outside)
        document.check_active("dispose of")
        held = sorted(document.holds) + [h.matter for h in covering(holds, record)]
        if held:
            raise TransitionError(title, "dispose of", f"under hold {', '.join(held)}")
        when = dated(services, record)
        if when.disposable_from is None or day < when.disposable_from:
            raise TransitionError(title, "dispose of", "not yet due")
        if when.action not in (review.action, "review"):
            raise TransitionError(
                title, f"{review.action} ", f"scheduled for {when.action}"
            )


def execute(services: Services, command: ExecuteDisposition, meta: Meta) -> Execution:
    """Check every record, write the package (transfer), dispose, certify, record.

    A review whose execution started and was interrupted is finished: the
    records it disposed of are skipped, its recorded package is reused.
    """
    app = services.app
    review = app.load(DispositionReview, command.review_id)
    review.check_executable()
    records = _records(services, review)
    check_records(services, review, records)
    package = _package(services, review, records, meta)
    earlier = [r for r in records if disposed_by(review, r.document)]
    reason = f"disposition review {review.id}: {review.action}"
    done, total = len(earlier), len(records)
    command.progress(done, total)
    for record in records:
        if disposed_by(review, record.document):
            continue
        app.dispose_document(
            record.document.id,
            Meta(meta.actor, meta.role, reason, meta.request_id),
            review_id=review.id,
        )
        done += 1
        command.progress(done, total)
    if earlier:  # an interruption may have come before their content went
        app.remove_disposed_content(_hashes(earlier))
    body = certificate_body(review, entries(services, records), package, meta)
    sha256 = app.blobs.put(io.BytesIO(body)).sha256
    written = app.change(
        DispositionReview, review.id, lambda r: r.execute(sha256, package, meta)
    )
    return Execution(written, sha256, package)


def _package(
    services: Services, review: DispositionReview, records: list[Record], meta: Meta
) -> str | None:
    """Start the execution (writing a transfer's package), or the one recorded."""
    app = services.app
    if review.status == "executing":
        digest = review.package_sha256
        if digest is not None and (state := app.blobs.verify(digest)) != "ok":
            raise TransitionError(
                "disposition review", "finish", f"without its package ({state})"
            )
        return digest
    package = None
    if review.action == "transfer":
        with transfer_package(services, records, meta) as spool:
            package = app.blobs.put(cast(BinaryIO, spool)).sha256
    app.change(DispositionReview, review.id, lambda r: r.start(package, meta))
    return package


def _hashes(records: list[Record]) -> list[str]:
    return sorted({v.sha256 for r in records for v in r.document.versions})


def entries(services: Services, records: list[Record]) -> list[dict[str, Any]]:
    """Every record's lines, once all are disposed of, whenever each went.

    Content is removed when no live document references it and it is no
    longer stored; retained otherwise (shared, or stored within the grace).
    """
    app = services.app
    live = app.content_inventory().live
    found = []
    for record in records:
        hashes = _hashes([record])
        removed = [h for h in hashes if h not in live and not app.blobs.exists(h)]
        retained = [h for h in hashes if h not in removed]
        when = dated(services, record)
        found.append(certified(record, when, tuple(removed), tuple(retained)))
    return found


def certified(
    record: Record, when: Any, removed: tuple[str, ...], retained: tuple[str, ...]
) -> dict[str, Any]:
    """One record's lines in the certificate."""
    document = record.document
    return plain(
        {
            "document_id": document.id,
            "title": document.title,
            "doc_type": document.doc_type,
            "project_id": document.project_id,
            "project": record.project_code,
            "record_class": record.record_class,
            "schedule": {
                "version": when.schedule_version,
                "retention_class": when.retention_class,
                "trigger": when.trigger,
                "period": when.period,
                "action": when.action,
                "due_on": when.due_on,
                "disposable_from": when.disposable_from,
            },
            "versions": [
                {"number": v.number, "sha256": v.sha256, "size": v.size}
                for v in document.versions
            ],
            "removed": list(removed),
            "retained": list(retained),
        }
    )


def certificate_body(
    review: DispositionReview,
    entries: list[dict[str, Any]],
    package: str | None,
    meta: Meta,
) -> bytes:
    """The certificate as canonical JSON (sorted keys, no spaces)."""
    shown = describe(review)
    data = {
        "kind": KIND,
        "review_id": shown["id"],
        "action": review.action,
        "note": review.note,
        "proposed": {"by": review.proposed_by, "at": shown["proposed_at"]},
        "reviewed": {"by": review.reviewed_by, "at": shown["reviewed_at"]},
        "approved": {"by": review.approved_by, "at": shown["approved_at"]},
        "executed": {"by": meta.actor, "at": datetime.now(UTC).isoformat()},
        "package_sha256": package,
        "records": entries,
    }
    return json.dumps(data, sort_keys=True, separators=(",", ":")).encode()


def transfer_package(
    services: Services, records: list[Record], meta: Meta
) -> IO[bytes]:
    """A zip of each record's content, metadata and history, plus evidence packs."""
    app = services.app
    spool = tempfile.SpooledTemporaryFile(max_size=_SPOOL_BYTES)  # noqa: SIM115
    try:
        with zipfile.ZipFile(spool, "w", zipfile.ZIP_DEFLATED) as archive:
            for record in records:
                document = record.document
                folder = f"records/{document.id}"
                state = entity_view(document).state | {
                    "record_class": record.record_class
                }
                archive.writestr(f"{folder}/metadata.json", _json(state))
                events = entity_history(services, HistoryQuery(Document, document.id))
                archive.writestr(f"{folder}/history.json", _json(events.events))
                for version in document.versions:
                    name = f"{folder}/v{version.number}-{version.filename}"
                    with (
                        archive.open(name, "w") as out,
                        app.blobs.open(version.sha256) as reader,
                    ):
                        while chunk := reader.read_chunk():
                            out.write(chunk)
            for project_id in sorted({r.document.project_id for r in records}):
                pack = exports.export_evidence(
                    services, exports.ExportEvidence(project_id, "transfer"), meta
                )
                with pack.content:
                    archive.writestr(f"evidence/{pack.filename}", pack.content.read())
        spool.seek(0)
    except BaseException:
        spool.close()
        raise
    return spool


def _json(value: Any) -> str:
    return json.dumps(plain(value), indent=2, sort_keys=True)


def stored(services: Services, review_id: UUID, which: str) -> bytes:
    """The certificate (or transfer package) an executed review names."""
    review = services.app.load(DispositionReview, review_id, read_only=True)
    sha256 = getattr(review, f"{which}_sha256")
    if sha256 is None:
        raise NotAvailableError(f"review {review_id} has no {which}")
    with services.app.blobs.open(sha256) as reader:
        return b"".join(iter(reader.read_chunk, b""))


def verify_certificate(services: Services, review_id: UUID) -> dict[str, Any]:
    """Check the stored certificate against the review and the documents' events."""
    app = services.app
    review = app.load(DispositionReview, review_id, read_only=True)
    if review.certificate_sha256 is None:
        raise NotAvailableError(f"review {review_id} is not executed")
    problems = []
    for which in ("certificate", "package"):
        digest = getattr(review, f"{which}_sha256")
        if digest is not None and app.blobs.verify(digest) != "ok":
            problems.append(f"the {which} is {app.blobs.verify(digest)}")
    if problems:
        return _verdict(review, problems)
    data = json.loads(stored(services, review_id, "certificate"))
    expected = {
        "review_id": str(review.id),
        "action": review.action,
        "approved": review.approved_by,
        "package_sha256": review.package_sha256,
    }
    found = data | {"approved": data["approved"]["by"]}
    problems += [f"{k} differs" for k, v in expected.items() if found.get(k) != v]
    listed = sorted(r["document_id"] for r in data["records"])
    if listed != review.document_ids:
        problems.append("the records listed are not those reviewed")
    live = app.content_inventory().live
    for entry in data["records"]:
        document = app.load(Document, UUID(entry["document_id"]), read_only=True)
        if document.status != "disposed":
            problems.append(f"{document.id} is not disposed of")
        hashes = [v.sha256 for v in document.versions]
        if [v["sha256"] for v in entry["versions"]] != hashes:
            problems.append(f"{document.id}: version hashes differ from its events")
        kept = [h for h in entry["removed"] if h not in live and app.blobs.exists(h)]
        problems += [f"{document.id}: {h} is still stored" for h in kept]
    return _verdict(review, problems)


def _verdict(review: DispositionReview, problems: list[str]) -> dict[str, Any]:
    return {
        "review_id": str(review.id),
        "certificate_sha256": review.certificate_sha256,
        "ok": not problems,
        "problems": problems,
    }

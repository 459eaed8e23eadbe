"""Disposition at scale: the worklist of records due, and the review's steps."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import UUID

from service.application import Written
from service.domain.base import InvalidValueError, Meta
from service.domain.disposition import DispositionReview
from service.domain.document import Document
from service.retention import DisposalDate, disposal_date
from usecases.errors import NotAvailableError
from usecases.fileplan import Record, aggregate_at, records_at
from usecases.matters import check_reach, covering, holds_at
from usecases.membership import Reach
from usecases.reads import plain
from usecases.root import Services

PROPOSED: type = DispositionReview.Proposed  # type: ignore[attr-defined]
MAX_DAYS = 36_500


@dataclass(frozen=True)
class WorklistQuery:
    """Records due by a day (as at a moment), by class, project and action."""

    within_days: int = 0
    record_class: str | None = None
    project_id: UUID | None = None
    action: str | None = None
    as_of: datetime | None = None


@dataclass(frozen=True)
class ProposeDisposition:
    """Propose records for destruction or transfer."""

    action: str
    document_ids: tuple[UUID, ...]
    note: str
    reach: Reach | None = None
    """The caller's reach: a document beyond it is not found."""


@dataclass(frozen=True)
class ReviewStep:
    """Review, approve or reject a disposition review."""

    review_id: UUID
    step: str


STEPS = ("review", "approve", "reject")


def dated(services: Services, record: Record) -> DisposalDate:
    """What the schedule says about a record."""
    history = services.app.retention_history()
    return disposal_date(record.document, record.project, history)


def worklist(services: Services, query: WorklistQuery) -> list[dict[str, Any]]:
    """Every live record disposable by the day asked, soonest first.

    The day is the moment asked (today when none) plus within_days; a record
    under any hold is listed with the holds named, since it is due but blocked.
    """
    if not 0 <= query.within_days <= MAX_DAYS:
        raise InvalidValueError("within_days", f"must be from 0 to {MAX_DAYS}")
    moment = query.as_of or datetime.now(UTC)
    try:
        by = moment.date() + timedelta(days=query.within_days)
    except OverflowError:  # within days of the last day there is
        by = date.max
    holds = [h for h in holds_at(services, query.as_of) if h.status == "placed"]
    rows = []
    for record in records_at(services, query.as_of):
        if record.document.status != "active" or not _selected(record, query):
            continue
        when = dated(services, record)
        if when.disposable_from is None or when.disposable_from > by:
            continue
        if query.action is not None and when.action != query.action:
            continue
        rows.append(due_row(record, when, [h.matter for h in covering(holds, record)]))
    return sorted(rows, key=lambda r: (r["disposable_from"], r["title"]))


def _selected(record: Record, query: WorklistQuery) -> bool:
    if query.project_id is not None and record.document.project_id != query.project_id:
        return False
    return query.record_class is None or query.record_class in record.classes


def due_row(record: Record, when: DisposalDate, matters: list[str]) -> dict[str, Any]:
    """A worklist row: the record, its dates, its action and what holds it."""
    document = record.document
    held = sorted(document.holds) + matters
    return plain(
        {
            "document_id": document.id,
            "title": document.title,
            "project_id": document.project_id,
            "project": record.project_code,
            "record_class": record.record_class,
            "classification": document.classification,
            "retention_class": when.retention_class,
            "action": when.action,
            "due_on": when.due_on,
            "disposable_from": when.disposable_from,
            "held_by": held,
            "schedule_version": when.schedule_version,
        }
    )


def propose(services: Services, command: ProposeDisposition, meta: Meta) -> Written:
    """Propose records that exist and are not yet disposed of."""
    check_reach(services, command.reach, None, command.document_ids)
    for document_id in command.document_ids:
        document = aggregate_at(services, Document, document_id, None)
        if document is None:
            raise InvalidValueError("document_ids", f"no document {document_id}")
        document.check_active("propose the disposal of")
    return services.app.create(
        DispositionReview.propose(
            command.action, list(command.document_ids), command.note, meta
        )
    )


def take_step(services: Services, command: ReviewStep, meta: Meta) -> Written:
    """Review, approve (a second person) or reject a proposal."""
    if command.step not in STEPS:
        raise InvalidValueError("step", f"must be one of {', '.join(STEPS)}")
    return services.app.change(
        DispositionReview,
        command.review_id,
        lambda r: getattr(r, command.step)(meta),
    )


def describe(review: DispositionReview) -> dict[str, Any]:
    """A review for people and clients."""
    keys = (
        *("action", "document_ids", "note", "status"),
        *("proposed_by", "proposed_at", "reviewed_by", "reviewed_at"),
        *("approved_by", "approved_at", "started_by", "started_at"),
        *("executed_by", "executed_at"),
        *("certificate_sha256", "package_sha256"),
    )
    return plain({"id": review.id, **{k: getattr(review, k) for k in keys}})


def get_review(
    services: Services, review_id: UUID, as_of: datetime | None = None
) -> dict[str, Any]:
    """One review now or as at a moment."""
    services.app.load(DispositionReview, review_id, read_only=True)
    found = aggregate_at(services, DispositionReview, review_id, as_of)
    if found is None:
        raise NotAvailableError(f"review {review_id} was not yet proposed then")
    return describe(found)


def covered(services: Services, review: dict[str, Any]) -> dict[str, dict[str, str]]:
    """The title and status of each document a review covers, by its id."""
    found = {}
    for d in review["document_ids"]:
        document = services.app.load(Document, UUID(d), read_only=True)
        found[d] = {"title": document.title, "status": document.status}
    return found


def list_reviews(
    services: Services, as_of: datetime | None = None
) -> list[dict[str, Any]]:
    """Every review as at a moment, newest first."""
    found = []
    for event, _ in services.app.iter_events_of(PROPOSED):
        review = aggregate_at(services, DispositionReview, event.originator_id, as_of)
        if review is not None:
            found.append(describe(review))
    return found[::-1]

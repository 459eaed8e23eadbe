"""Legal holds over matters: place, release, what each covers now or as at a moment."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from service.application import Written
from service.domain.base import InvalidValueError, Meta, TransitionError
from service.domain.document import Document
from service.domain.matter import Candidate, MatterHold
from service.domain.project import Project
from service.errors import NotFoundError
from usecases.errors import NotAvailableError
from usecases.fileplan import Record, aggregate_at, plan_at, record_of, records_at
from usecases.membership import Reach
from usecases.reads import plain
from usecases.root import Services

PLACED: type = MatterHold.Placed  # type: ignore[attr-defined]


@dataclass(frozen=True)
class PlaceMatterHold:
    """Hold every record a selection takes in, now and later, for a matter."""

    matter: str
    title: str
    mandate: str
    project_id: UUID | None = None
    record_class: str | None = None
    query: str | None = None
    document_ids: tuple[UUID, ...] = ()
    reach: Reach | None = None
    """The caller's reach: a project or document beyond it is not found."""


@dataclass(frozen=True)
class ReleaseMatterHold:
    """Release one hold over a matter (the reason is required)."""

    hold_id: UUID


def place_hold(services: Services, command: PlaceMatterHold, meta: Meta) -> Written:
    """Place a hold; the project, class and documents it names must exist."""
    app = services.app
    check_reach(services, command.reach, command.project_id, command.document_ids)
    if command.project_id is not None:
        app.load(Project, command.project_id, read_only=True)
    if command.record_class is not None:
        plan = plan_at(services)
        if plan is None or command.record_class not in plan.classes:
            raise InvalidValueError(
                "record_class", f"no class {command.record_class} in the file plan"
            )
    for document_id in command.document_ids:
        app.load(Document, document_id, read_only=True)
    return app.create(
        MatterHold.place(
            command.matter,
            command.title,
            command.mandate,
            command.project_id,
            command.record_class,
            command.query,
            list(command.document_ids),
            meta,
        )
    )


def check_reach(
    services: Services,
    reach: Reach | None,
    project_id: UUID | None,
    document_ids: tuple[UUID, ...],
) -> None:
    """Answer a project or document the caller does not reach as unknown.

    Ids in a body are not checked by the adapters' path check, so a hold or
    proposal must not tell an outsider that they exist.
    """
    if reach is None:
        return
    if project_id is not None and reach.role_in(project_id) is None:
        raise NotFoundError("project", project_id)
    for document_id in document_ids:
        document = services.app.load(Document, document_id, read_only=True)
        if reach.role_in(document.project_id) is None or not reach.cleared_for(
            document.classification
        ):
            raise NotFoundError("document", document_id)


def release_hold(services: Services, command: ReleaseMatterHold, meta: Meta) -> Written:
    """Release one hold over a matter."""
    return services.app.change(MatterHold, command.hold_id, lambda h: h.release(meta))


def holds_at(services: Services, as_of: datetime | None = None) -> list[MatterHold]:
    """Every hold as it stood at a moment (placed or released), oldest first."""
    found = []
    for event, _ in services.app.iter_events_of(PLACED):
        hold = aggregate_at(services, MatterHold, event.originator_id, as_of)
        if hold is not None:
            found.append(hold)
    return found


def candidate(record: Record) -> Candidate:
    """What a hold's selection looks at in a record."""
    document = record.document
    return Candidate(
        str(document.id),
        str(document.project_id),
        record.classes,
        f"{document.title} {document.doc_type}",
    )


def covering(holds: list[MatterHold], record: Record) -> list[MatterHold]:
    """The placed holds that take in a record."""
    seen = candidate(record)
    return [h for h in holds if h.status == "placed" and h.covers(seen)]


def describe(hold: MatterHold) -> dict[str, Any]:
    """A hold for people and clients."""
    return plain(
        {
            "id": hold.id,
            "matter": hold.matter,
            "title": hold.title,
            "mandate": hold.mandate,
            "status": hold.status,
            "project_id": hold.project,
            "record_class": hold.record_class,
            "query": hold.query,
            "document_ids": hold.document_ids,
            "placed_at": hold.placed_at,
            "placed_by": hold.placed_by,
            "released_at": hold.released_at,
            "released_by": hold.released_by,
        }
    )


def list_holds(
    services: Services, as_of: datetime | None = None
) -> list[dict[str, Any]]:
    """Every hold over a matter as at a moment, with how many records it covers."""
    holds = holds_at(services, as_of)
    records = records_at(services, as_of)
    return [
        describe(h) | {"covers": sum(1 for r in records if covering([h], r))}
        for h in holds
    ]


def coverage(
    services: Services, hold_id: UUID, as_of: datetime | None = None
) -> dict[str, Any]:
    """One hold and every record it covers, now or as at a moment."""
    hold = aggregate_at(services, MatterHold, hold_id, None)
    if hold is None:
        services.app.load(MatterHold, hold_id)  # not found: 404
    then = aggregate_at(services, MatterHold, hold_id, as_of)
    if then is None:
        raise NotAvailableError(f"hold {hold_id} was not yet placed then")
    records = [r for r in records_at(services, as_of) if covering([then], r)]
    return describe(then) | {
        "as_of": plain(as_of),
        "records": [record_row(r) for r in records],
    }


def record_row(record: Record) -> dict[str, Any]:
    """One record as a report row."""
    document = record.document
    return plain(
        {
            "document_id": document.id,
            "title": document.title,
            "doc_type": document.doc_type,
            "project_id": document.project_id,
            "project": record.project_code,
            "record_class": record.record_class,
            "retention_class": document.retention_class,
            "classification": document.classification,
            "status": document.status,
            "document_holds": len(document.holds),
        }
    )


def check_not_held(services: Services, document_id: UUID) -> None:
    """Refuse to dispose of a record any placed hold over a matter covers."""
    holds = [h for h in holds_at(services) if h.status == "placed"]
    if not holds:
        return
    document = services.app.load(Document, document_id, read_only=True)
    held = covering(holds, record_of(services, plan_at(services), document))
    if held:
        names = ", ".join(sorted(h.matter for h in held))
        raise TransitionError("document", "dispose of", f"under legal hold ({names})")

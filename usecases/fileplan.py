"""The file plan: record classes, filing, reclassification, records as at a moment.

A document is filed in (1) the class of its latest reclassification, else
(2) the class that lists its document type, else (3) the first class (by
code) kept under its retention class, else it is unfiled (decision in
docs/decisions.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar
from uuid import UUID

from eventsourcing.domain import Aggregate

from service.application import Written
from service.domain.base import InvalidValueError, Meta
from service.domain.document import Document
from service.domain.fileplan import PLAN_ID, FilePlan
from service.domain.project import Project
from service.domain.register import PORTFOLIO_ID
from service.errors import ConcurrentWriteError, NotFoundError
from usecases.reads import as_aware, plain
from usecases.root import Services

A = TypeVar("A", bound=Aggregate)
REGISTERED: type = Document.Registered  # type: ignore[attr-defined]
UNFILED = "UNFILED"


@dataclass(frozen=True)
class AddClass:
    """Add a record class to the file plan."""

    code: str
    title: str
    retention_class: str
    classification: str
    owner: str
    parent: str | None = None
    doc_types: tuple[str, ...] = ()


@dataclass(frozen=True)
class Reclassify:
    """File a document in another record class (the reason is required)."""

    document_id: UUID
    record_class: str


OFFICE_CODE = "PMO"
"""What the records reports name as the project of the office's own documents."""


@dataclass(frozen=True)
class Record:
    """A document as at a moment, with its project and where it is filed."""

    document: Document
    project: Project | None
    """None for the office's own documents (the PMO library)."""
    record_class: str
    classes: tuple[str, ...]
    """The class and every class above it."""

    @property
    def project_code(self) -> str:
        """The project's code, or the office's for a library document."""
        return self.project.code if self.project is not None else OFFICE_CODE


def aggregate_at(
    services: Services, cls: type[A], entity_id: UUID, moment: datetime | None
) -> A | None:
    """An aggregate now, or as it stood at a moment (None: it did not exist)."""
    app = services.app
    try:
        if moment is None:
            return app.load(cls, entity_id)
        version = None
        for event in app.events.get(entity_id):
            if event.timestamp > as_aware(moment):  # type: ignore[attr-defined]
                break
            version = event.originator_version
        return None if version is None else app.load(cls, entity_id, version)
    except NotFoundError:
        return None


def plan_at(services: Services, as_of: datetime | None = None) -> FilePlan | None:
    """The file plan now or as at a moment (None before its first class)."""
    return aggregate_at(services, FilePlan, PLAN_ID, as_of)


def file_plan(services: Services, as_of: datetime | None = None) -> dict[str, Any]:
    """The plan as a tree: each class with its children, and its reclassifications."""
    plan = plan_at(services, as_of)
    classes = {} if plan is None else plan.classes
    nodes = {code: dict(values, children=[]) for code, values in classes.items()}
    roots: list[dict[str, Any]] = []
    for code in sorted(nodes):
        parent = nodes[code]["parent"]
        (nodes[parent]["children"] if parent else roots).append(nodes[code])
    return plain(
        {
            "as_of": as_of,
            "version": 0 if plan is None else plan.version,
            "classes": roots,
            "count": len(nodes),
            "reclassified": {} if plan is None else dict(plan.filings),
        }
    )


def add_class(services: Services, command: AddClass, meta: Meta) -> Written:
    """Add a class; its retention class must be in the schedule in force."""
    app = services.app
    app.retention_history().current.schedule.get(command.retention_class)

    def add(plan: FilePlan) -> None:
        plan.add_class(
            command.code,
            command.title,
            command.parent,
            command.retention_class,
            command.classification,
            command.owner,
            list(command.doc_types),
            meta,
        )

    try:
        return app.change(FilePlan, PLAN_ID, add)
    except NotFoundError:
        plan = FilePlan.start(meta)
        add(plan)
        try:
            return app.create(plan)
        except ConcurrentWriteError:
            return app.change(FilePlan, PLAN_ID, add)


def reclassify(services: Services, command: Reclassify, meta: Meta) -> Written:
    """File a document in another class, naming the class it leaves."""
    app = services.app
    document = app.load(Document, command.document_id, read_only=True)
    plan = plan_at(services)
    if plan is None:
        raise InvalidValueError("record_class", "the file plan has no classes yet")
    current = class_of(plan, document)
    return app.change(
        FilePlan,
        PLAN_ID,
        lambda p: p.reclassify(
            command.document_id,
            None if current == UNFILED else current,
            command.record_class,
            meta,
        ),
    )


def class_of(plan: FilePlan | None, document: Document) -> str:
    """Where the plan files a document (see the module's docstring)."""
    if plan is None:
        return UNFILED
    found = plan.filings.get(str(document.id)) or plan.class_for_type(document.doc_type)
    if found is not None:
        return found
    return next(
        (
            code
            for code in sorted(plan.classes)
            if plan.classes[code]["retention_class"] == document.retention_class
        ),
        UNFILED,
    )


def document_ids_at(services: Services, as_of: datetime | None) -> list[UUID]:
    """Every document registered by a moment (any project), oldest first."""
    moment = None if as_of is None else as_aware(as_of)
    return [
        event.originator_id
        for event, _ in services.app.iter_events_of(REGISTERED)
        if moment is None or event.timestamp <= moment
    ]


def records_at(services: Services, as_of: datetime | None = None) -> list[Record]:
    """Every document as it stood at a moment, filed by the plan as it stood."""
    plan = plan_at(services, as_of)
    found = []
    for document_id in document_ids_at(services, as_of):
        document = aggregate_at(services, Document, document_id, as_of)
        if document is not None:
            found.append(record_of(services, plan, document))
    return found


def record_of(services: Services, plan: FilePlan | None, document: Document) -> Record:
    """A document with its project and where the plan files it."""
    project = (
        None
        if document.project_id == PORTFOLIO_ID
        else services.app.load(Project, document.project_id, read_only=True)
    )
    code = class_of(plan, document)
    chain = tuple(plan.ancestors(code)) if plan is not None else ()
    return Record(document, project, code, chain or (code,))

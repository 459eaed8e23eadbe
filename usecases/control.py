"""Quality, lessons, actions, contracts and links read across their registers.

The quality policy (which document types need a signed-off quality review
before a version is approved) and the gate approval passes through; each
document version's review record; lessons searched across the portfolio;
overdue actions; contracts ending soon; the links of an entry, on both ends.
Every read answers now or as at a moment.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from uuid import UUID

from service.application import Written
from service.domain.base import InvalidValueError, Meta, require_role
from service.domain.document import Document
from service.domain.project import Project
from service.domain.quality import QualityReview
from service.domain.quality_policy import (
    POLICY_ID,
    POLICY_ROLES,
    QualityGateError,
    QualityPolicy,
    rules,
)
from service.errors import NotFoundError
from usecases.errors import NotAvailableError
from usecases.reads import (
    EntityQuery,
    RegisterQuery,
    plain,
    read_entity,
    register_rows,
    wait_for_position,
)
from usecases.root import Services


@dataclass(frozen=True)
class SetQualityRule:
    """Require (or stop requiring) a signed-off review for a document type."""

    doc_type: str
    required: bool


@dataclass(frozen=True)
class AsOf:
    """A read now, or as at a moment."""

    as_of: datetime | None = None
    min_position: int | None = None


def set_quality_rule(
    services: Services, command: SetQualityRule, meta: Meta
) -> Written:
    """Record a rule of the quality policy (the PMO head sets it)."""
    require_role(meta, "set the quality policy", POLICY_ROLES)
    app = services.app
    try:
        return app.change(
            QualityPolicy,
            POLICY_ID,
            lambda p: p.set_rule(command.doc_type, command.required, meta),
        )
    except NotFoundError:
        policy = QualityPolicy.start(meta)
        policy.set_rule(command.doc_type, command.required, meta)
        return app.create(policy)


def quality_policy(services: Services, query: AsOf) -> dict[str, Any]:
    """Which document types need a signed-off review, now or as at a moment."""
    wait_for_position(services, query.min_position)
    try:
        state = read_entity(
            services, EntityQuery(QualityPolicy, POLICY_ID, query.as_of)
        )
    except (NotFoundError, NotAvailableError):
        return {"as_of": _moment(query.as_of), "required": {}}
    return {"as_of": _moment(query.as_of), "required": rules(state.state)}


def check_quality_gate(services: Services, document_id: UUID, number: int) -> None:
    """Refuse a version's approval its type's policy says needs a signed-off review."""
    app = services.app
    document = app.load(Document, document_id, read_only=True)
    try:
        policy = app.load(QualityPolicy, POLICY_ID, read_only=True)
    except NotFoundError:
        return
    if not policy.requires_review(document.doc_type):
        return
    reviews = version_reviews(services, document_id, number)
    if any(_signed_off(services, r["id"]) for r in reviews):
        return
    held = "; ".join(f"{r['title']!r} is {r['status']}" for r in reviews)
    found = f" (its reviews: {held})" if held else " (none is planned)"
    missing = f"a signed-off quality review of version {number} of {document.title!r}"
    message = (
        f"cannot approve version {number} of {document.title!r}: the quality "
        f"policy for {document.doc_type!r} documents requires {missing}{found}"
    )
    raise QualityGateError(message, f"missing {missing}")


def _signed_off(services: Services, review_id: Any) -> bool:
    """Whether a review is signed off in the event store (not just the view)."""
    review = services.app.load(QualityReview, UUID(str(review_id)), read_only=True)
    return review.status == "signed-off"


def version_reviews(
    services: Services, document_id: UUID, number: int | None = None
) -> list[dict[str, Any]]:
    """The quality reviews of a document (of one version), once views caught up."""
    document = services.app.load(Document, document_id, read_only=True)
    wait_for_position(services, services.app.head_position())
    return _reviews(services, document, None, number)


def _reviews(
    services: Services, document: Document, as_of: datetime | None, number: int | None
) -> list[dict[str, Any]]:
    rows = register_rows(
        services,
        RegisterQuery(
            "reviews",
            document.project_id,
            as_of,
            filters={"document_id": str(document.id)},
        ),
    )
    return [
        {k: plain(v) for k, v in row.items()}
        for row in rows
        if number is None or row["document_version"] in (number, None)
    ]


def document_reviews(
    services: Services, document_id: UUID, query: AsOf
) -> dict[str, Any]:
    """Each version's quality review record (and reviews of the whole document)."""
    wait_for_position(services, query.min_position)
    document = services.app.load(Document, document_id, read_only=True)
    reviews = _reviews(services, document, query.as_of, None)
    versions = [
        {
            "number": v.number,
            "status": v.status,
            "reviews": [r for r in reviews if r["document_version"] == v.number],
        }
        for v in document.versions
    ]
    return {
        "document_id": str(document_id),
        "doc_type": document.doc_type,
        "as_of": _moment(query.as_of),
        "versions": versions,
        "whole_document": [r for r in reviews if r["document_version"] is None],
    }


@dataclass(frozen=True)
class LessonSearch:
    """Lessons of every project with these words, in a category, in a status."""

    text: str | None = None
    category: str | None = None
    status: str | None = None
    as_of: datetime | None = None
    min_position: int | None = None


def search_lessons(services: Services, query: LessonSearch) -> dict[str, Any]:
    """Lessons across the portfolio (the library: status accepted)."""
    wait_for_position(services, query.min_position)
    filters: dict[str, object] = {"q": query.text, "category": query.category}
    filters["status"] = query.status
    found = []
    for project in services.views.list_projects(as_of=query.as_of):
        rows = register_rows(
            services,
            RegisterQuery("lessons", UUID(str(project["id"])), query.as_of, filters),
        )
        for row in rows:
            found.append(
                {k: plain(v) for k, v in row.items()}
                | {"project_code": project["code"], "project_name": project["name"]}
            )
    found.sort(key=lambda r: (r["category"], r["title"]))
    return {"as_of": _moment(query.as_of), "total": len(found), "items": found}


@dataclass(frozen=True)
class Watch:
    """Entries to watch across projects (one project when given), now or as at."""

    project_id: UUID | None = None
    within_days: int = 30
    as_of: datetime | None = None
    min_position: int | None = None


def overdue_actions(services: Services, query: Watch) -> dict[str, Any]:
    """Open actions past their due date on the day asked about."""
    day = _day(query.as_of)
    rows = _portfolio_rows(services, "actions", query, {"status": "open"})
    due = [r | {"days_overdue": (day - _date(r["due_on"])).days} for r in rows]
    items = sorted((r for r in due if r["days_overdue"] > 0), key=_by_due)
    return {"as_of": _moment(query.as_of), "on": str(day), "items": items}


def contracts_ending(services: Services, query: Watch) -> dict[str, Any]:
    """Awarded or active contracts ending within N days of the day asked about."""
    if not 0 <= query.within_days <= 3660:
        raise InvalidValueError("within", "must be from 0 to 3660 days")
    day = _day(query.as_of)
    try:
        last = day + timedelta(days=query.within_days)
    except OverflowError:
        last = date.max
    rows = _portfolio_rows(
        services, "contracts", query, {"status": ["awarded", "active"]}
    )
    items = [
        r | {"days_left": (_date(r["ends_on"]) - day).days}
        for r in rows
        if day <= _date(r["ends_on"]) <= last
    ]
    items.sort(key=lambda r: r["days_left"])
    return {"as_of": _moment(query.as_of), "on": str(day), "items": items}


def _portfolio_rows(
    services: Services, kind: str, query: Watch, filters: dict[str, object]
) -> list[dict[str, Any]]:
    wait_for_position(services, query.min_position)
    if query.project_id is not None:
        services.app.load(Project, query.project_id, read_only=True)
        one = services.views.get_project(query.project_id, query.as_of)
        projects = [] if one is None else [one]
    else:
        projects = services.views.list_projects(as_of=query.as_of)
    found = []
    for project in projects:
        rows = register_rows(
            services,
            RegisterQuery(kind, UUID(str(project["id"])), query.as_of, filters),
        )
        found += [
            {k: plain(v) for k, v in row.items()} | {"project_code": project["code"]}
            for row in rows
        ]
    return found


@dataclass(frozen=True)
class LinksQuery:
    """The links from and to one entry (or document), now or as at a moment."""

    entry_id: UUID
    project_id: UUID
    as_of: datetime | None = None
    min_position: int | None = None


def entry_links(services: Services, query: LinksQuery) -> dict[str, Any]:
    """What an entry links to, and what links to it, in its project."""
    wait_for_position(services, query.min_position)
    key = str(query.entry_id)

    def rows(end: str) -> list[dict[str, Any]]:
        found = register_rows(
            services,
            RegisterQuery(
                "links",
                query.project_id,
                query.as_of,
                {f"{end}_id": key, "status": "active"},
            ),
        )
        return [{k: plain(v) for k, v in row.items()} for row in found]

    return {
        "entry_id": key,
        "as_of": _moment(query.as_of),
        "links_from": rows("from"),
        "links_to": rows("to"),
    }


def _by_due(row: dict[str, Any]) -> tuple[str, str]:
    return (str(row["due_on"]), str(row["title"]))


def _date(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def _day(as_of: datetime | None) -> date:
    return (as_of or datetime.now().astimezone()).date()


def _moment(as_of: datetime | None) -> str | None:
    return None if as_of is None else as_of.isoformat()

"""Projects: register, change details and stage, report status, close, reopen, list."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from uuid import UUID, uuid5

from service.application import Written
from service.domain.base import Meta
from service.domain.project import PROJECT_CODE_NAMESPACE, Project
from usecases.content import versions_awaiting
from usecases.errors import NotAvailableError, ProjectVersionError
from usecases.membership import Reach
from usecases.reads import plain, query_views, wait_for_position
from usecases.root import Services


@dataclass(frozen=True)
class RegisterProject:
    """Register a project under a unique code."""

    code: str
    name: str
    description: str
    sponsor: str
    manager: str


@dataclass(frozen=True)
class ChangeProjectDetails:
    """Replace a project's name, description, sponsor and manager."""

    project_id: UUID
    name: str
    description: str
    sponsor: str
    manager: str
    expected_version: int | None = None


@dataclass(frozen=True)
class ChangeProjectStage:
    """Move a project into a named stage."""

    project_id: UUID
    stage: str
    expected_version: int | None = None


@dataclass(frozen=True)
class ReportStatus:
    """Record a highlight report: RAG per dimension and a summary for a period."""

    project_id: UUID
    period_start: date
    period_end: date
    rag: dict[str, str]
    summary: str
    work_done: str
    work_next: str
    tolerance_status: str
    lessons: str
    expected_version: int | None = None


@dataclass(frozen=True)
class CloseProject:
    """Close a project; nothing more may be recorded against it."""

    project_id: UUID
    expected_version: int | None = None


@dataclass(frozen=True)
class ReopenProject:
    """Reopen a closed project."""

    project_id: UUID
    expected_version: int | None = None


@dataclass(frozen=True)
class ProjectsQuery:
    """Every project, now or as at a moment, once the read models reach a position."""

    as_of: datetime | None = None
    min_position: int | None = None


def register_project(
    services: Services, command: RegisterProject, meta: Meta
) -> Written:
    """Register a project under a code no other project has used."""
    return services.app.register_project(
        command.code,
        command.name,
        command.description,
        command.sponsor,
        command.manager,
        meta,
    )


def change_project_details(
    services: Services, command: ChangeProjectDetails, meta: Meta
) -> Written:
    """Replace a project's name, description, sponsor and manager."""
    return services.app.change_project_details(
        command.project_id,
        command.name,
        command.description,
        command.sponsor,
        command.manager,
        meta,
        command.expected_version,
    )


def change_project_stage(
    services: Services, command: ChangeProjectStage, meta: Meta
) -> Written:
    """Move a project into a named stage."""
    return services.app.change_project_stage(
        command.project_id, command.stage, meta, command.expected_version
    )


def report_status(services: Services, command: ReportStatus, meta: Meta) -> Written:
    """Record a highlight report for a period."""
    return services.app.report_project_status(
        command.project_id,
        command.period_start,
        command.period_end,
        dict(command.rag),
        command.summary,
        command.work_done,
        command.work_next,
        command.tolerance_status,
        command.lessons,
        meta,
        command.expected_version,
    )


def close_project(services: Services, command: CloseProject, meta: Meta) -> Written:
    """Close a project."""
    return services.app.close_project(
        command.project_id, meta, command.expected_version
    )


def reopen_project(services: Services, command: ReopenProject, meta: Meta) -> Written:
    """Reopen a closed project (the domain allows the PMO head only)."""
    return services.app.reopen_project(
        command.project_id, meta, command.expected_version
    )


def list_projects(services: Services, query: ProjectsQuery) -> list[dict[str, Any]]:
    """Every project from the read models, as plain values."""
    wait_for_position(services, query.min_position)
    rows = query_views(services.views.list_projects, as_of=query.as_of)
    return list(plain(rows))


def check_project_version(
    services: Services, project_id: UUID, expected: int | None
) -> None:
    """A create under a project honours If-Match: it names the project's version."""
    if expected is None:
        return
    project = services.app.load(Project, project_id)
    if project.version != expected:
        raise ProjectVersionError(project_id, expected, project.version)


def find_project(services: Services, reference: str) -> UUID:
    """The id of a project named by its id or its code."""
    try:
        project_id = UUID(reference)
    except ValueError:
        found = services.app.project_id_for_code(reference)
        if found is None:
            raise NotAvailableError(f"no project {reference!r}") from None
        return found
    return services.app.load(Project, project_id, read_only=True).id


def project_id_in_path(services: Services, code: str) -> UUID:
    """The id of the project with a code, for a path that named it by its code.

    An unknown code gives an id no entity has, so the request is answered
    exactly as one naming an unknown id (decision 101): a code says no more
    about which projects exist than an id does.
    """
    found = services.app.project_id_for_code(code)
    return found or uuid5(PROJECT_CODE_NAMESPACE, "no-project:" + code.upper())


@dataclass(frozen=True)
class ProjectQuery:
    """One project from the read model, now or as at a moment."""

    project_id: UUID
    as_of: datetime | None = None


def get_project(services: Services, query: ProjectQuery) -> dict[str, Any]:
    """A project's read-model row (ids as text)."""
    found = services.views.get_project(query.project_id, query.as_of)
    if found is None:
        raise NotAvailableError(f"no project with id {query.project_id}")
    return found


def portfolio(services: Services, reach: Reach) -> list[dict[str, Any]]:
    """Every project the caller reaches now, each with its count of versions
    awaiting approval of documents the caller is cleared for."""
    projects: list[dict[str, Any]] = reach.projects(services.views.list_projects())
    for project in projects:
        waiting = versions_awaiting(services, UUID(project["id"]), reach)
        project["awaiting"] = len(waiting)
    return projects

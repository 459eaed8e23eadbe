"""Project commands: register, change, report status, close, reopen."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import TypeVar
from uuid import UUID

from eventsourcing.domain import Aggregate

from service.application import ApplicationBase, Written
from service.domain.base import InvalidValueError, Meta
from service.domain.project import Project, ProjectCode, normalise_code
from service.domain.register import PORTFOLIO_ID
from service.errors import ConcurrentWriteError, DuplicateError, NotFoundError

A = TypeVar("A", bound=Aggregate)


class ProjectCommands(ApplicationBase):
    """Commands on projects, and the open-project check other commands share."""

    def register_project(
        self,
        code: str,
        name: str,
        description: str,
        sponsor: str,
        manager: str,
        meta: Meta,
    ) -> Written:
        """Register a project under a code no other project has used."""
        code = normalise_code(code)
        project = Project.register(code, name, description, sponsor, manager, meta)
        reservation = ProjectCode(code, project.id, meta)
        try:
            return self.create(project, reservation)
        except ConcurrentWriteError:
            raise DuplicateError("code", code) from None

    def project_id_for_code(self, code: str) -> UUID | None:
        """The id of the project registered under a code, if any."""
        try:
            reservation = self.load(
                ProjectCode, ProjectCode.create_id(normalise_code(code))
            )
        except (NotFoundError, InvalidValueError):
            return None
        return reservation.project_id

    def change_project_details(
        self,
        project_id: UUID,
        name: str,
        description: str,
        sponsor: str,
        manager: str,
        meta: Meta,
        expected_version: int | None = None,
    ) -> Written:
        """Replace a project's name, description, sponsor and manager."""
        return self.change(
            Project,
            project_id,
            lambda p: p.change_details(name, description, sponsor, manager, meta),
            expected_version,
        )

    def change_project_stage(
        self,
        project_id: UUID,
        stage: str,
        meta: Meta,
        expected_version: int | None = None,
    ) -> Written:
        """Move a project into a named stage."""
        return self.change(
            Project, project_id, lambda p: p.change_stage(stage, meta), expected_version
        )

    def report_project_status(
        self,
        project_id: UUID,
        period_start: date,
        period_end: date,
        rag: dict[str, str],
        summary: str,
        work_done: str,
        work_next: str,
        tolerance_status: str,
        lessons: str,
        meta: Meta,
        expected_version: int | None = None,
    ) -> Written:
        """Record a highlight report for a period."""
        return self.change(
            Project,
            project_id,
            lambda p: p.report_status(
                period_start,
                period_end,
                rag,
                summary,
                work_done,
                work_next,
                tolerance_status,
                lessons,
                meta,
            ),
            expected_version,
        )

    def close_project(
        self, project_id: UUID, meta: Meta, expected_version: int | None = None
    ) -> Written:
        """Close a project; nothing more may be recorded against it."""
        return self.change(
            Project, project_id, lambda p: p.close(meta), expected_version
        )

    def reopen_project(
        self, project_id: UUID, meta: Meta, expected_version: int | None = None
    ) -> Written:
        """Reopen a closed project (PMO head only)."""
        return self.change(
            Project, project_id, lambda p: p.reopen(meta), expected_version
        )

    def check_open(self, project_id: UUID, action: str) -> None:
        """Refuse the action in a closed project (the office itself never closes)."""
        if project_id != PORTFOLIO_ID:
            self.load(Project, project_id, read_only=True).check_open(action)

    def owning_project(self, project_id: UUID) -> Project | None:
        """The project an entity belongs to; None for the office's own (the library)."""
        return None if project_id == PORTFOLIO_ID else self.load(Project, project_id)

    def create_in_project(
        self, project_id: UUID, action: str, build: Callable[[], A]
    ) -> Written:
        """Create an aggregate that belongs to an open project."""
        with self.one_check():
            self.check_open(project_id, action)
            return self.create(build())

    def change_in_project(
        self,
        cls: type[A],
        entity_id: UUID,
        action: str,
        command: Callable[[A], object],
        expected_version: int | None = None,
    ) -> Written:
        """Change an aggregate whose project must still be open."""

        def checked(aggregate: A) -> object:
            project_id: UUID = aggregate.project_id  # type: ignore[attr-defined]
            self.check_open(project_id, action)
            return command(aggregate)

        return self.change(cls, entity_id, checked, expected_version)

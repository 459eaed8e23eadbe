"""Register commands: any declared register's entries, started and changed."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from service.application import Written
from service.domain import catalogue
from service.domain.base import InvalidValueError, Meta
from service.domain.entry import RegisterEntry
from service.domain.register import PORTFOLIO_ID, Command, Field
from service.errors import NotFoundError
from service.projects import ProjectCommands


def in_project(action: str, noun: str) -> str:
    """The words naming a command on an entry in a project (for a refusal)."""
    article = "an" if noun[0] in "aeiou" else "a"
    return f"{action} {article} {noun} in"


class RegisterCommands(ProjectCommands):
    """Commands on the entries of every declared register."""

    def perform(
        self,
        use_case: str,
        subject: UUID,
        values: dict[str, Any],
        meta: Meta,
        expected_version: int | None = None,
    ) -> Written:
        """Any register command by its use-case name, on an entry or its project."""
        cls = catalogue.entry_class_for(use_case)
        if use_case == cls.register_kind.create.use_case:
            return self.start_entry(cls, subject, values, meta)
        return self.change_entry(cls, subject, use_case, values, meta, expected_version)

    def start_entry(
        self,
        cls: type[RegisterEntry],
        project_id: UUID,
        values: dict[str, Any],
        meta: Meta,
    ) -> Written:
        """Record a new entry in an open project (or in the portfolio)."""
        command = cls.register_kind.create
        if cls.register_kind.portfolio:
            with self.one_check():
                return self.create(cls.start(PORTFOLIO_ID, values, meta))

        def build() -> RegisterEntry:
            checked = values | self.referenced(cls, command, values, project_id)
            return cls.start(project_id, checked, meta)

        return self.create_in_project(project_id, command.action, build)

    def change_entry(
        self,
        cls: type[RegisterEntry],
        entry_id: UUID,
        use_case: str,
        values: dict[str, Any],
        meta: Meta,
        expected_version: int | None = None,
    ) -> Written:
        """Give an entry of an open project one of its register's commands."""
        kind = cls.register_kind
        command = kind.command(use_case)
        references = {
            p.name: self.load(cls, values[p.name])
            for p in command.params
            if p.kind == "entry" and not p.refers_to
        }
        values = values | {name: str(e.id) for name, e in references.items()}

        def run(entry: RegisterEntry) -> None:
            for name, other in references.items():
                if other.project_id != entry.project_id:
                    message = f"must be a {kind.noun} of the same project"
                    raise InvalidValueError(name, message)
            others = self.referenced(cls, command, values, entry.project_id)
            entry.run(use_case, values | others, meta)

        if command.after_close or kind.portfolio:
            return self.change(cls, entry_id, run, expected_version)
        action = in_project(command.action, kind.noun)
        return self.change_in_project(cls, entry_id, action, run, expected_version)

    def referenced(
        self,
        cls: type[RegisterEntry],
        command: Command,
        values: dict[str, Any],
        project_id: UUID,
    ) -> dict[str, Any]:
        """The command's ids of other registers' entries, each checked to exist.

        An entry pointed at must belong to the same project and, where the
        field says so, be in one of the statuses it names.
        """
        checked: dict[str, Any] = {}
        for param in command.params:
            if not param.refers_to or param.kind not in ("entry", "entries"):
                continue
            given = values[param.name]
            if param.kind == "entry":
                one = param.check(str(given))
                self.check_reference(param.name, param, one, project_id)
                checked[param.name] = one
            else:
                ids = param.check(given)
                for i, other in enumerate(ids):
                    self.check_reference(f"{param.name}[{i}]", param, other, project_id)
                checked[param.name] = ids
        return checked

    def check_reference(
        self, name: str, param: Field, given: str, project_id: UUID
    ) -> None:
        """Refuse an id that names no entry of the register, of this project."""
        other_cls = catalogue.entry_class_of(param.refers_to)
        noun = other_cls.register_kind.noun
        try:
            other = self.load(other_cls, UUID(given), read_only=True)
        except (NotFoundError, ValueError):
            raise InvalidValueError(name, f"no {noun} has the id {given}") from None
        if other.project_id != project_id:
            raise InvalidValueError(name, f"must be a {noun} of the same project")
        if param.refers_statuses and other.status not in param.refers_statuses:
            wanted = " or ".join(param.refers_statuses)
            message = f"must be a {noun} that is {wanted} (it is {other.status})"
            raise InvalidValueError(name, message)

"""Register commands: any declared register's entries, started and changed."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from service.application import Written
from service.domain import catalogue
from service.domain.base import InvalidValueError, Meta
from service.domain.document import Document
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
            resolved = self.resolve_references(command, values, project_id)
            return cls.start(project_id, resolved, meta)

        return self.create_in_project(project_id, command.action, build)

    def resolve_references(
        self,
        command: Command,
        values: dict[str, Any],
        project_id: UUID,
    ) -> dict[str, Any]:
        """Check the entries of other registers a command names; ids as text.

        A named entry must exist in its register and, unless the field says
        otherwise, belong to the project (`project_id`) and be in one of the
        statuses the field names. An entries field names several.
        """
        resolved = dict(values)
        for param in command.params:
            if param.version_of and values.get(param.name) is not None:
                self.check_document_version(param, values, project_id)
            if param.kind not in ("entry", "entries") or not param.refers_to:
                continue
            given = values.get(param.name)
            if given is None:
                continue
            if param.kind == "entries":
                ids = param.check(given)
                for i, one in enumerate(ids):
                    name = f"{param.name}[{i}]"
                    self.check_reference(name, param, one, project_id, values)
                resolved[param.name] = ids
                continue
            found = self.check_reference(param.name, param, given, project_id, values)
            resolved[param.name] = str(found.id)
        return resolved

    def check_document_version(
        self, param: Field, values: dict[str, Any], project_id: UUID
    ) -> None:
        """A version number names a version of the document given beside it."""
        document_id = values.get(param.version_of)
        if document_id is None:
            message = f"is only given with {param.version_of}"
            raise InvalidValueError(param.name, message)
        field = Field(param.version_of, "entry", refers_to="documents")
        found = self.check_reference(
            param.version_of, field, document_id, project_id, values
        )
        numbers = [v.number for v in getattr(found, "versions", ())]
        if values[param.name] not in numbers:
            message = f"must be a version of that document (it has {len(numbers)})"
            raise InvalidValueError(param.name, message)

    def check_reference(
        self,
        name: str,
        param: Field,
        given: object,
        project_id: UUID,
        values: dict[str, Any] | None = None,
    ) -> RegisterEntry:
        """The entry an id names, refused unless the field allows it."""
        other, noun = self.referent(name, param, values or {})
        try:
            found = self.load(other, UUID(str(given)), read_only=True)
        except (NotFoundError, ValueError):
            raise InvalidValueError(name, f"must be the id of a {noun}") from None
        if param.same_project and found.project_id != project_id:
            raise InvalidValueError(name, f"must be a {noun} of the same project")
        if param.refers_statuses and found.status not in param.refers_statuses:
            wanted = " or ".join(param.refers_statuses)
            message = f"must be a {noun} that is {wanted} (it is {found.status})"
            raise InvalidValueError(name, message)
        return found

    @staticmethod
    def referent(name: str, param: Field, values: dict[str, Any]) -> tuple[Any, str]:
        """The aggregate class a reference names, and its noun.

        A field referring to "@other" names the register given in `other`.
        """
        register = param.refers_to
        if register.startswith("@"):
            register = str(values.get(register[1:]) or "")
            if not register:
                message = f"is only given with {param.refers_to[1:]}"
                raise InvalidValueError(name, message)
        if register == "documents":
            return Document, "document"
        try:
            other = catalogue.entry_class_of(register)
        except KeyError:
            raise InvalidValueError(name, f"names no register {register!r}") from None
        return other, other.register_kind.noun

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
            resolved = self.resolve_references(command, values, entry.project_id)
            entry.run(use_case, resolved, meta)

        if command.after_close or kind.portfolio:
            return self.change(cls, entry_id, run, expected_version)
        action = command.in_project or in_project(command.action, kind.noun)
        return self.change_in_project(cls, entry_id, action, run, expected_version)

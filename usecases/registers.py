"""The commands of every declared register, as dataclasses, and the one handler.

Each register command's dataclass follows from its declaration: named after
the use case (`assess_risk` -> `AssessRisk`), its first field the id of the
entry it changes (or of the project a new entry goes in), then the
command's parameters in declared order, then `expected_version` (If-Match).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from functools import cache
from typing import Any, ClassVar
from uuid import UUID

from service.application import Written
from service.domain import catalogue
from service.domain.base import Meta
from service.domain.project import Project
from service.domain.register import Command, RegisterKind
from usecases.reads import RegisterQuery, register_rows, wait_for_position
from usecases.root import Services


@dataclass(frozen=True)
class RegisterCommand:
    """A command on a declared register (the base of every generated one)."""

    register: ClassVar[str]
    use_case: ClassVar[str]


def singular(kind: RegisterKind) -> str:
    """The register's name for one entry in paths and ids (`risks` -> `risk`)."""
    return kind.name.removesuffix("s")


def target(kind: RegisterKind, command: Command) -> str:
    """The name of the id a command is given: its entry's, or its project's."""
    return "project_id" if command is kind.create else f"{singular(kind)}_id"


def camel(name: str) -> str:
    """`plan_risk_response` -> `PlanRiskResponse`."""
    return "".join(part.capitalize() for part in name.split("_"))


@cache
def command_class(kind: RegisterKind, use_case: str) -> type[RegisterCommand]:
    """The dataclass of one register command."""
    command = kind.command(use_case)
    cls = dataclasses.make_dataclass(
        camel(use_case),
        [
            (target(kind, command), UUID),
            *((p.name, p.python_type()) for p in command.given_params()),
            ("expected_version", int | None, dataclasses.field(default=None)),
        ],
        bases=(RegisterCommand,),
        frozen=True,
        namespace={"register": kind.name, "use_case": use_case},
    )
    cls.__doc__ = command.summary
    cls.__module__ = __name__
    return cls


def command(use_case: str) -> type[RegisterCommand]:
    """The dataclass of a register command by its use-case name."""
    for kind in catalogue.kinds():
        if use_case in {c.use_case for c in (kind.create, *kind.commands)}:
            return command_class(kind, use_case)
    raise KeyError(use_case)


def execute(services: Services, given: RegisterCommand, meta: Meta) -> Written:
    """Record what a register command asks, in an open project."""
    kind = catalogue.entry_class_of(given.register).register_kind
    declared = kind.command(given.use_case)
    values: dict[str, Any] = {
        p.name: getattr(given, p.name) for p in declared.given_params()
    }
    subject: UUID = getattr(given, target(kind, declared))
    expected: int | None = getattr(given, "expected_version", None)
    if declared.compose is not None:
        values |= declared.compose(project_entries(services, kind, declared, subject))
    return services.app.perform(given.use_case, subject, values, meta, expected)


def project_entries(
    services: Services, kind: RegisterKind, declared: Command, subject: UUID
) -> dict[str, list[dict[str, Any]]]:
    """The current entries of the registers a command reads, in its project.

    The read models are read once they have reached the store's head, so
    every entry written before this command is seen.
    """
    if declared is kind.create:
        project_id = subject
    else:
        cls = catalogue.entry_class_of(kind.name)
        project_id = services.app.load(cls, subject, read_only=True).project_id
    services.app.load(Project, project_id, read_only=True)
    wait_for_position(services, services.app.head_position())
    return {
        name: register_rows(services, RegisterQuery(name, project_id))
        for name in declared.reads
    }

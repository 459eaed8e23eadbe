"""Entries in every status a register can reach, found from its declaration.

Each command's values are made from its fields (the first choice, the
smallest integer, the field's example decimal, a date, a text naming the
field), with the few values a guard compares given in `GIVEN`. From the
creating command's status, every command allowed there is tried on a new
entry (each choice when the decision picks the status); a status reached
for the first time keeps the way there. So a register that gains a status
or a command is walked without this module changing.
"""

from __future__ import annotations

from collections import deque
from datetime import date
from typing import Any, Final
from uuid import NAMESPACE_URL, UUID, uuid5

from service.domain import catalogue
from service.domain.base import DomainError, Meta
from service.domain.register import PORTFOLIO_ID, Command, Field, RegisterKind
from usecases.root import Services

Steps = list[tuple[str, dict[str, Any]]]
WALKER: Final = Meta("walker", "pmo-head", "walked to every status")
GIVEN: Final[dict[str, dict[str, Any]]] = {
    "identify_benefit": {"baseline_value": "10", "target_value": "20"},
    "add_budget_line": {"currency": "EUR"},
    "tender_contract": {"ends_on": date(2026, 12, 31), "currency": "EUR"},
    "approve_course": {"review_by": date(2027, 1, 1)},
    "reforecast_milestone": {"forecast_date": date(2026, 3, 1)},
}
"""Values a guard compares with another (a target unlike the baseline, an end
after the start, a forecast after the baseline date: slipped)."""


def sample(field: Field) -> Any:
    """A value the field's own checks accept."""
    if field.nullable:
        return None
    made: dict[str, Any] = {
        "choice": field.choices[0] if field.choices else "",
        "integer": min(max(1, field.low), field.high),
        "decimal": field.example,
        "date": date(2026, 1, 1),
        "month": "2026-01",
        "texts": [f"{field.name} 1", f"{field.name} 2"],
        "entries": [],
        "entry": str(uuid5(NAMESPACE_URL, field.name)),
    }
    return made.get(field.kind, f"{field.name} text")


def values_for(command: Command) -> dict[str, Any]:
    """The command's values: sampled, then the ones `GIVEN` sets."""
    made = {p.name: sample(p) for p in command.given_params()}
    return made | GIVEN.get(command.use_case, {})


def variants(command: Command) -> list[dict[str, Any]]:
    """The command's values, once per choice when a choice picks the status."""
    made = values_for(command)
    if command.status_of is None:
        return [made]
    name, _ = command.status_of
    [picking] = [p for p in command.params if p.name == name]
    return [made | {name: c} for c in picking.choices]


def reach(kind: RegisterKind) -> dict[str, Steps]:
    """The commands that bring a new entry to each status it can reach."""
    cls = catalogue.entry_class_of(kind.name)
    ways: dict[str, Steps] = {str(kind.create.status): []}
    queue = deque(ways)
    while queue:
        status = queue.popleft()
        for command in kind.commands:
            if command.allowed and status not in command.allowed:
                continue
            for values in variants(command):
                entry = cls.start(PORTFOLIO_ID, values_for(kind.create), WALKER)
                try:
                    for use_case, given in [*ways[status], (command.use_case, values)]:
                        entry.run(use_case, given, WALKER)
                except DomainError:
                    continue
                reached = entry.attributes()["status"]
                if reached not in ways:
                    ways[reached] = [*ways[status], (command.use_case, values)]
                    queue.append(reached)
    return ways


def command_register(command: Command) -> str:
    """The register whose command it is."""
    return catalogue.entry_class_for(command.use_case).register_kind.name


def with_references(
    services: Services, owner: UUID, command: Command, values: dict[str, Any]
) -> dict[str, Any]:
    """The values with each entry they must name made in the owner's registers."""
    made = dict(values)
    for param in command.params:
        if param.kind != "entry" or made[param.name] is None:
            continue
        register = param.refers_to or command_register(command)
        if register.startswith("@"):
            register = made[register[1:]]
        made[param.name] = record(services, owner, register, [])
    return made


def record(services: Services, owner: UUID, register: str, steps: Steps) -> UUID:
    """A new entry of the register in the owner's, taken through the steps."""
    kind = catalogue.entry_class_of(register).register_kind
    perform = services.app.perform
    create = with_references(services, owner, kind.create, values_for(kind.create))
    entry = perform(kind.create.use_case, owner, create, WALKER).id
    for use_case, values in steps:
        command = kind.command(use_case)
        perform(
            use_case, entry, with_references(services, owner, command, values), WALKER
        )
    return entry

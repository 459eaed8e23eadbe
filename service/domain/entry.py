"""The aggregate of every declared register, built from its `RegisterKind`.

`entry_class(KIND)` makes the aggregate class a register module exports
(`Risk = entry_class(RISK)`): one event class per command, named and placed
as the declaration says so that stored topics stay put, a method per command
(positional parameters in declared order, then `meta`), the creating class
method, and a property per derived value. Events carry the command's checked
values; applying one sets the attributes its command declares.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar
from uuid import UUID

from eventsourcing.domain import Aggregate

from service.domain.base import Meta, TransitionError
from service.domain.clock import timestamp
from service.domain.register import Command, RegisterKind

E = TypeVar("E", bound="RegisterEntry")
DECLARED: dict[str, type[RegisterEntry]] = {}
"""Every register kind's aggregate by register name, in declaration order."""
BOOKKEEPING = frozenset(
    {"originator_id", "originator_version", "originator_topic", "timestamp", "meta"}
)


class RegisterEntry(Aggregate):
    """An entry of a declared register."""

    register_kind: ClassVar[RegisterKind]
    if TYPE_CHECKING:  # set by events (annotations would make an __init__)
        project_id: UUID
        status: str

    class Event(Aggregate.Event):
        """An event of a register entry: applies as its command declares."""

        create_timestamp = staticmethod(timestamp)

        def apply(self, aggregate: Any) -> None:
            """Set the attributes the event's command changes."""
            aggregate.apply_recorded(type(self).__name__, vars(self))

    class Created(Aggregate.Created):
        """The event that starts an entry."""

        create_timestamp = staticmethod(timestamp)

        def apply(self, aggregate: Any) -> None:
            """Start from every field's initial value, then apply the command."""
            aggregate.apply_recorded(type(self).__name__, vars(self))

    def apply_recorded(self, event: str, recorded: dict[str, Any]) -> None:
        """Apply a recorded event's values (older events may lack newer fields)."""
        command = self.register_kind.by_event()[event]
        values = {k: v for k, v in recorded.items() if k not in BOOKKEEPING}
        if command is self.register_kind.create:
            self.__dict__.update(self.register_kind.initial_state())
            self.project_id = values.pop("project_id")
        for param in command.params:
            values.setdefault(param.name, param.initial())
        self.__dict__.update(command.changes(values, self.attributes()))

    def attributes(self) -> dict[str, Any]:
        """The entry's own attributes and id as a mapping."""
        state = {k: v for k, v in vars(self).items() if not k.startswith("_")}
        state["id"] = self.id
        return state

    def state(self) -> dict[str, Any]:
        """The entry's attributes, id and derived values as a mapping."""
        return self.register_kind.with_derived(self.attributes())

    def check_command(
        self, command: Command, values: dict[str, Any], meta: Meta
    ) -> dict[str, Any]:
        """The checked values of a command this entry may take now."""
        if command.allowed and self.status not in command.allowed:
            raise TransitionError(self.register_kind.noun, command.action, self.status)
        if command.guard is not None:
            command.guard(self.state(), values, meta)
        return {p.name: p.check(values[p.name]) for p in command.params}

    def run(self, use_case: str, values: dict[str, Any], meta: Meta) -> None:
        """Give the entry a command by its use-case name, with named values."""
        command = self.register_kind.command(use_case)
        checked = self.check_command(command, values, meta)
        self.trigger_event(getattr(type(self), command.event), **checked, meta=meta)

    @classmethod
    def start(cls: type[E], project_id: UUID, values: dict[str, Any], meta: Meta) -> E:
        """Check and record a new entry of the project, with named values."""
        command = cls.register_kind.create
        if command.guard is not None:
            command.guard({}, values, meta)
        checked = {p.name: p.check(values[p.name]) for p in command.params}
        event = getattr(cls, command.event)
        return cls._create(event, project_id=project_id, **checked, meta=meta)


def bind(
    command: Command, args: tuple[Any, ...], kwargs: dict[str, Any]
) -> tuple[dict[str, Any], Meta]:
    """Positional and named arguments of a command method as named values."""
    names = [p.name for p in command.params] + ["meta"]
    if len(args) > len(names):
        raise TypeError(f"{command.method}() takes {len(names)} arguments")
    values = dict(zip(names, args, strict=False)) | kwargs
    missing = [n for n in names if n not in values]
    if missing:
        raise TypeError(f"{command.method}() is missing {', '.join(missing)}")
    meta = values.pop("meta")
    return values, meta


def _method(command: Command) -> Callable[..., None]:
    def method(self: RegisterEntry, *args: Any, **kwargs: Any) -> None:
        values, meta = bind(command, args, kwargs)
        self.run(command.use_case, values, meta)

    method.__name__ = command.method
    method.__doc__ = command.summary
    return method


def _creator(command: Command) -> Callable[..., Any]:
    def create(
        cls: type[RegisterEntry], project_id: UUID, *args: Any, **kwargs: Any
    ) -> Any:
        values, meta = bind(command, args, kwargs)
        return cls.start(project_id, values, meta)

    create.__name__ = command.method
    create.__doc__ = command.summary
    return classmethod(create)  # type: ignore[return-value]


def _derived(name: str) -> property:
    def value(self: RegisterEntry) -> Any:
        return self.register_kind.derived[name](self.attributes())

    value.__name__ = name
    return property(value)


def _event_class(kind: RegisterKind, command: Command) -> type:
    created = command is kind.create
    annotations: dict[str, Any] = {"project_id": UUID} if created else {}
    for param in command.params:
        annotations[param.name] = str if param.kind == "entry" else param.python_type()
    annotations["meta"] = Meta
    base = RegisterEntry.Created if created else RegisterEntry.Event
    namespace = {
        "__annotations__": annotations,
        "__module__": kind.module,
        "__qualname__": f"{kind.aggregate}.{command.event}",
        "__doc__": command.summary,
    }
    return type(command.event, (base,), namespace)


def entry_class(kind: RegisterKind) -> type[RegisterEntry]:
    """The aggregate class of a register kind (its module must export it)."""
    namespace: dict[str, Any] = {
        "__module__": kind.module,
        "__qualname__": kind.aggregate,
        "__doc__": kind.description,
        "register_kind": kind,
    }
    for command in (kind.create, *kind.commands):
        namespace[command.event] = _event_class(kind, command)
    namespace[kind.create.method] = _creator(kind.create)
    for command in kind.commands:
        namespace[command.method] = _method(command)
    for name in kind.derived:
        namespace[name] = _derived(name)
    cls = type(kind.aggregate, (RegisterEntry,), namespace)
    DECLARED[kind.name] = cls
    return cls

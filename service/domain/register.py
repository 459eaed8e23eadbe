"""The vocabulary a register is declared in: fields, commands and the kind itself.

A register kind (risk, issue, change request, decision, ...) is declared once,
in its own module, as a `RegisterKind`: its fields with their types and
checks, its states, the commands that move an entry between them with their
guards and the event each records, its derived values, list filters and
export columns. The aggregate (`service.domain.entry`), the application's
commands, the request schemas and routes, the temporal read model, the CSV
import and export and the role matrix are all derived from that declaration.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final
from uuid import UUID

from service.domain.base import InvalidValueError, Meta

# The field vocabulary (service.domain.fields), importable from here as the
# register kinds import it.
from service.domain.fields import MONTH as MONTH
from service.domain.fields import Field as Field
from service.domain.fields import any_reference as any_reference
from service.domain.fields import choice as choice
from service.domain.fields import document_version as document_version
from service.domain.fields import fte as fte
from service.domain.fields import money as money
from service.domain.fields import month as month
from service.domain.fields import number as number
from service.domain.fields import optional_reference as optional_reference
from service.domain.fields import optional_text as optional_text
from service.domain.fields import reference as reference
from service.domain.fields import references as references
from service.domain.fields import scale as scale
from service.domain.fields import text as text

RAISERS: Final = ("pmo-head", "project-officer", "contributor")
KEEPERS: Final = ("pmo-head", "project-officer")
State = Mapping[str, Any]


@dataclass(frozen=True)
class ReasonRequired:
    """A guard refusing the command unless its meta gives a reason."""

    action: str

    def __call__(self, state: State, values: dict[str, Any], meta: Meta) -> None:
        """Refuse a command given without a reason."""
        if not (meta.reason and meta.reason.strip()):
            raise InvalidValueError("reason", f"is required to {self.action}")


def needs_reason(action: str) -> ReasonRequired:
    """A guard refusing the command unless its meta gives a reason."""
    return ReasonRequired(action)


@dataclass(frozen=True, eq=False)
class Command:
    """A command on an entry: its parameters, guard, event and resulting status.

    `use_case` names the application command (`assess_risk`); `method` the
    aggregate's own (`assess`); `path` the HTTP sub-resource it is posted to
    (None for the command that creates an entry). `allowed` lists the statuses
    it may be given in (empty: any); `status` is the status it leaves (a
    field name's value mapped through `status_of` when the status depends on
    what was decided). `effect` turns the event's values into the attributes
    they change when those are not simply the same names; `guard` refuses
    what the field checks cannot see (the entry's state, the reason given).
    """

    use_case: str
    method: str
    event: str
    params: tuple[Field, ...] = ()
    path: str | None = None
    schema: str = ""
    summary: str = ""
    action: str = ""
    allowed: tuple[str, ...] = ()
    status: str | None = None
    status_of: tuple[str, Mapping[str, str]] | None = None
    effect: Callable[[dict[str, Any], State], dict[str, Any]] | None = None
    guard: Callable[[State, dict[str, Any], Meta], None] | None = None
    roles: tuple[str, ...] = KEEPERS
    created: bool = True
    body_required: bool = True
    endpoint: str = ""
    in_project: str = ""
    """How a refusal in a closed project names this command, when the words
    made from `action` and the noun would not read well."""
    reads: tuple[str, ...] = ()
    """Registers whose current entries (of the entry's project) `compose` reads."""
    compose: Callable[[Mapping[str, Sequence[State]]], dict[str, Any]] | None = None
    """The values of the params not `given`, from the entries `reads` names."""
    after_close: bool = False
    """Also given once the project is closed (a benefit measured afterwards)."""

    @property
    def needs_reason(self) -> ReasonRequired | None:
        """The guard asking for a reason, when the command is refused without one."""
        return self.guard if isinstance(self.guard, ReasonRequired) else None

    def given_params(self) -> tuple[Field, ...]:
        """The parameters a request (or an imported row) gives."""
        return tuple(p for p in self.params if p.given)

    @property
    def endpoint_name(self) -> str:
        """The HTTP endpoint's name (the role matrix's key within the register)."""
        return self.endpoint or self.use_case

    def changes(self, values: dict[str, Any], state: State) -> dict[str, Any]:
        """The attributes the event changes, its status included."""
        if self.effect is not None:
            changed = self.effect(values, state)
        else:
            changed = {k: v for k, v in values.items() if k != "meta"}
        if self.status_of is not None:
            name, statuses = self.status_of
            changed["status"] = statuses[values[name]]
        elif self.status is not None:
            changed["status"] = self.status
        return changed


@dataclass(frozen=True)
class ImportStep:
    """A command an imported row also records when one of `when` columns is set.

    A monthly step runs once for each column named `<monthly>YYYY-MM` that has
    a value: the command's first parameter takes the month, its second the cell.

    A step with `statuses` also runs when the row's status is one of them and
    the entry, not there yet, may take the command: the steps lead the entry
    to the status the row names, and a row whose columns lead elsewhere is
    refused (change requests: an approved row is assessed, then decided).
    """

    use_case: str
    when: tuple[str, ...] = ()
    monthly: str | None = None
    statuses: tuple[str, ...] = ()
    renamed: tuple[tuple[str, str], ...] = ()
    """(parameter, column) pairs: a parameter read from the export's column
    of another name (the change's `implementation_notes` for `notes`)."""
    bundle: str = ""
    """A column holding the parameters as one JSON object, as the export
    writes the field the command sets (the change's `impact`); a parameter's
    own column, when filled, is taken instead."""


@dataclass(frozen=True, eq=False)
class RegisterKind:
    """A register declared once: everything else is derived from this."""

    name: str
    noun: str
    aggregate: str
    module: str
    description: str
    fields: tuple[Field, ...]
    create: Command
    commands: tuple[Command, ...]
    statuses: tuple[str, ...]
    derived: Mapping[str, Callable[[State], Any]] = field(default_factory=dict)
    derived_fields: tuple[Field, ...] = ()
    filters: Mapping[str, tuple[str, str]] = field(default_factory=dict)
    list_filters: tuple[str, ...] = ("status",)
    sorts: tuple[str, ...] = ("created_at", "recorded_at", "title")
    export_columns: tuple[str, ...] = ()
    import_steps: tuple[ImportStep, ...] | None = None
    import_refused: str = ""
    """Why the register is not imported from CSV (`import_steps` None), told to
    whoever tries."""
    import_requires: tuple[str, ...] = ()
    """Columns an imported row must fill although the creating command may omit
    them (a register written on paper is expected to be complete)."""
    import_renamed: tuple[tuple[str, str], ...] = ()
    """(parameter, column) pairs: a creating parameter read, when its own
    column is empty, from the export's column of another name (a risk's
    `probability` from `inherent_probability`)."""
    blueprint_description: str = ""
    list_summary: str = ""
    title: str = ""
    """The register's heading where people read it (the UI)."""
    ui_columns: tuple[str, ...] = ()
    """The columns a person sees in the register, in order."""
    ui_filters: tuple[str, ...] = ("status",)
    """The filters offered beside the register: a choice field is a menu."""
    ui_trend: tuple[str, ...] = ()
    """Date fields whose movement over an entry's versions the UI draws."""
    portfolio: bool = False
    """Entries belong to the whole portfolio (`PORTFOLIO_ID`), not to a project."""

    @property
    def heading(self) -> str:
        """The register's heading (its title, else its OpenAPI description)."""
        return self.title or self.blueprint_description or self.name.capitalize()

    @property
    def label(self) -> str:
        """The register's short name in a menu ("Risks")."""
        return self.name.replace("-", " ").capitalize()

    def columns(self) -> tuple[str, ...]:
        """The columns people see: declared, else the export columns."""
        declared = self.ui_columns or tuple(c for c in self.export_columns if c != "id")
        return declared or ("title", "status", "created_at")

    def entry_name(self, row: Mapping[str, Any]) -> str:
        """What people call an entry: its title, else its first text column shown."""
        texts = tuple(f.name for f in self.fields if f.kind == "text")
        for name in ("title", *self.columns(), *texts):
            if name in texts and row.get(name):
                return str(row[name])
        return f"{self.noun.capitalize()} {str(row.get('id', ''))[:8]}"

    def menus(self) -> dict[str, tuple[str, ...]]:
        """The UI filters that are a choice of fixed values, with those values."""
        return {
            name: self.field(name).choices
            for name in self.ui_filters
            if self.field(name).kind == "choice"
        }

    def text_filters(self) -> tuple[str, ...]:
        """The UI filters typed as text."""
        return tuple(n for n in self.ui_filters if self.field(n).kind != "choice")

    def field(self, name: str) -> Field:
        """A field of the entry (or a derived one) by name."""
        for candidate in (*self.fields, *self.derived_fields):
            if candidate.name == name:
                return candidate
        raise KeyError(name)

    def command(self, use_case: str) -> Command:
        """The command (creation included) with this use-case name."""
        for candidate in (self.create, *self.commands):
            if candidate.use_case == use_case:
                return candidate
        raise KeyError(use_case)

    def by_event(self) -> dict[str, Command]:
        """Each command by the name of the event it records."""
        return {c.event: c for c in (self.create, *self.commands)}

    def initial_state(self) -> dict[str, Any]:
        """Every field at its initial value, before the creating event's."""
        return {f.name: f.initial() for f in self.fields}

    def with_derived(self, state: dict[str, Any]) -> dict[str, Any]:
        """The state with its derived values computed from it."""
        for name, compute in self.derived.items():
            state[name] = compute(state)
        return state


PORTFOLIO_ID: Final = UUID("00000000-0000-5000-8000-000000000000")
"""The project id a portfolio-level register's entries carry (no such project)."""

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

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Final
from uuid import UUID

from service.domain.base import (
    InvalidValueError,
    Meta,
    check_choice,
    check_date,
    check_optional_text,
    check_scale,
    check_text,
)

RAISERS: Final = ("pmo-head", "project-officer", "contributor")
KEEPERS: Final = ("pmo-head", "project-officer")
State = Mapping[str, Any]


@dataclass(frozen=True)
class Field:
    """One value of an entry or of a command: its type, its checks, its default.

    `kind` is one of text, choice, integer, decimal, date, texts (a list of
    texts), entry (the id of another entry of the same register) and json
    (a value the domain composes, never given directly); and month (YYYY-MM)
    and entries (a list of ids of another register's entries), checked by
    `check_more`.

    `refers_to` may also be "documents" (a document in custody) or
    "@<field>": the register another field of the command names.
    """

    name: str
    kind: str = "text"
    max_length: int = 10_000
    required: bool = True
    nullable: bool = False
    choices: tuple[str, ...] = ()
    low: int = 1
    high: int = 5
    max_items: int = 50
    pattern: str = ""
    example: str = ""
    default: Any = None
    refers_to: str = ""
    """An entry field's register (another register's name; empty: its own)."""
    same_project: bool = True
    """An entry field must name an entry of the same project (False: any)."""
    given: bool = True
    """False: the command's `compose` supplies the value; a request never does."""
    refers_statuses: tuple[str, ...] = ()
    """The statuses an entry a reference names must be in (empty: any)."""
    version_of: str = ""
    """An integer field naming a version of the document another field names."""
    personal: str = ""
    """Personal data (docs/privacy.md): "name" or "email" (they identify the
    data subject) or "text" (free text about them); empty: not personal."""

    def check(self, value: Any) -> Any:
        """The value if the domain accepts it, else InvalidValueError."""
        if value is None and self.nullable:
            return None
        kind = self.kind
        if kind == "text":
            if self.required:
                check_text(self.name, value, max_length=self.max_length)
            else:
                check_optional_text(self.name, value, max_length=self.max_length)
        elif kind == "choice":
            check_choice(self.name, value, self.choices)
        elif kind == "integer":
            if (self.low, self.high) == (1, 5):
                check_scale(self.name, value)
            elif (
                isinstance(value, bool)
                or not isinstance(value, int)
                or not self.low <= value <= self.high
            ):
                message = f"must be an integer from {self.low} to {self.high}"
                raise InvalidValueError(self.name, message)
        elif kind == "decimal":
            if not isinstance(value, str) or not re.fullmatch(self.pattern, value):
                raise InvalidValueError(
                    self.name, f"must be a decimal like {self.example}"
                )
        elif kind == "date":
            check_date(self.name, value)
        elif kind == "texts":
            if not isinstance(value, list):
                raise InvalidValueError(self.name, "must be a list of texts")
            for i, item in enumerate(value):
                check_text(f"{self.name}[{i}]", item, max_length=self.max_length)
            return list(value)
        elif kind == "entry":
            check_text(self.name, value, max_length=self.max_length)
        elif kind in MORE_KINDS:
            return check_more(self, value)
        return value

    def initial(self) -> Any:
        """The value an entry holds before any command sets it."""
        if self.default is not None or self.nullable:
            return self.default
        return {"texts": [], "entries": [], "json": None}.get(self.kind, "")

    def python_type(self) -> Any:
        """The annotation of this field on an event or a command."""
        base: Any = {
            "integer": int,
            "date": date,
            "texts": list[str],
            "entries": list[str],
            "json": dict[str, Any],
            "entry": UUID,
        }.get(self.kind, str)
        return base | None if self.nullable else base


def text(name: str, max_length: int = 10_000) -> Field:
    """Required, non-empty text."""
    return Field(name, "text", max_length)


def optional_text(name: str, max_length: int = 10_000) -> Field:
    """Text that may be empty (its default)."""
    return Field(name, "text", max_length, required=False)


def choice(name: str, choices: tuple[str, ...]) -> Field:
    """One of a fixed set of values."""
    return Field(name, "choice", choices=choices)


def scale(name: str) -> Field:
    """A rating from 1 to 5."""
    return Field(name, "integer")


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


def reference(name: str, register: str, *, same_project: bool = True) -> Field:
    """The id of an entry of another register (of the same project by default)."""
    return Field(name, "entry", 100, refers_to=register, same_project=same_project)


def optional_reference(name: str, register: str, *, same_project: bool = True) -> Field:
    """An optional id of an entry of another register."""
    return Field(
        name,
        "entry",
        100,
        nullable=True,
        refers_to=register,
        same_project=same_project,
    )


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
MORE_KINDS: Final = ("month", "entries")
MONTH: Final = re.compile(r"\d{4}-(0[1-9]|1[0-2])")
MONEY: Final = r"\d{1,13}(\.\d{1,3})?"
SIGNED_MONEY: Final = r"-?\d{1,13}(\.\d{1,3})?"
FTE: Final = r"\d{1,3}(\.\d{1,2})?"
UUID_TEXT: Final = re.compile(r"[0-9a-fA-F]{8}-?([0-9a-fA-F]{4}-?){3}[0-9a-fA-F]{12}")


def check_more(field: Field, value: Any) -> Any:
    """The checks of the month and entries kinds (the value, normalised)."""
    if field.kind == "month":
        if not isinstance(value, str) or not MONTH.fullmatch(value):
            raise InvalidValueError(field.name, "must be a month like 2026-04")
        return value
    if not isinstance(value, list | tuple):
        raise InvalidValueError(field.name, "must be a list of ids")
    if len(value) > field.max_items:
        message = f"must list at most {field.max_items} ids"
        raise InvalidValueError(field.name, message)
    ids = [str(item) for item in value]
    for i, item in enumerate(ids):
        if not UUID_TEXT.fullmatch(item):
            raise InvalidValueError(f"{field.name}[{i}]", "must be an id (a UUID)")
    normalised = [str(UUID(item)) for item in ids]
    if len(set(normalised)) != len(normalised):
        raise InvalidValueError(field.name, "must not list an id twice")
    return normalised


def money(name: str, *, signed: bool = False) -> Field:
    """An amount of money as a decimal string (never a float): "125000.00"."""
    if signed:
        return Field(name, "decimal", 20, pattern=SIGNED_MONEY, example="-1500.50")
    return Field(name, "decimal", 20, pattern=MONEY, example="125000.00")


def number(name: str, *, nullable: bool = False) -> Field:
    """A measured quantity as a signed decimal string: "-12.5"."""
    pattern = r"-?\d{1,15}(\.\d{1,6})?"
    return Field(
        name, "decimal", 24, nullable=nullable, pattern=pattern, example="42.5"
    )


def fte(name: str) -> Field:
    """Full-time equivalents as a decimal string, 0 to 999.99: "1.5"."""
    return Field(name, "decimal", 6, pattern=FTE, example="1.5")


def month(name: str) -> Field:
    """A calendar month, YYYY-MM."""
    return Field(name, "month", 7, example="2026-04")


def document_version(name: str, document_field: str) -> Field:
    """An optional version number of the document `document_field` names."""
    return Field(
        name, "integer", nullable=True, low=1, high=1_000_000, version_of=document_field
    )


def any_reference(name: str, register_field: str) -> Field:
    """An optional id of an entry (or document) of the register another field names."""
    return Field(name, "entry", 100, nullable=True, refers_to=f"@{register_field}")


def references(name: str, register: str) -> Field:
    """Ids of entries of another register, of the same project (may be empty)."""
    return Field(name, "entries", 100, required=False, refers_to=register)

"""The fields a register kind declares: their kinds, checks, initial values, types.

`Field` is one value of an entry or of a command; the functions below build
the usual ones (`text`, `choice`, `money`, `reference`, ...).
`service.domain.register` declares the kinds with them and re-exports them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any, Final
from uuid import UUID

from service.domain.base import (
    InvalidValueError,
    check_choice,
    check_date,
    check_optional_text,
    check_scale,
    check_text,
)

MORE_KINDS: Final = ("month", "entries")
MONTH: Final = re.compile(r"\d{4}-(0[1-9]|1[0-2])")
MONEY: Final = r"\d{1,13}(\.\d{1,3})?"
SIGNED_MONEY: Final = r"-?\d{1,13}(\.\d{1,3})?"
FTE: Final = r"\d{1,3}(\.\d{1,2})?"
UUID_TEXT: Final = re.compile(r"[0-9a-fA-F]{8}-?([0-9a-fA-F]{4}-?){3}[0-9a-fA-F]{12}")


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

"""The contracts register, declared: what the project buys, from whom, until when.

Transitions (status -> command -> status):

- tendering -> award_contract -> awarded (the supplier and the value agreed)
- awarded -> start_contract -> active
- awarded / active -> extend_contract -> same (a later end date, with a reason)
- tendering / awarded / active -> relink_contract -> same (its risks, issues
  and documents: the contract document itself is in custody)
- active -> close_contract -> closed
- tendering / awarded / active -> terminate_contract -> terminated (with a reason)

The value is money as the value registers keep it: a decimal string in an
ISO 4217 currency, with no more decimal places than the currency has.
"""

from __future__ import annotations

from datetime import date
from typing import Any, Final

from service.domain.base import InvalidValueError, Meta
from service.domain.budget import known_currency
from service.domain.currency import fits, minor_units
from service.domain.entry import entry_class
from service.domain.register import (
    KEEPERS,
    Command,
    Field,
    ImportStep,
    RegisterKind,
    State,
    choice,
    money,
    needs_reason,
    optional_text,
    references,
    text,
)

STATUSES: Final = ("tendering", "awarded", "active", "closed", "terminated")
LIVE: Final = ("tendering", "awarded", "active")

LINKED: Final = (
    references("risk_ids", "risks"),
    references("issue_ids", "issues"),
    references("document_ids", "documents"),
)
DESCRIBED: Final = (
    text("title", 200),
    text("supplier", 200),
    text("reference", 100),
    text("scope"),
    money("value"),
    text("currency", 3),
    Field("starts_on", "date"),
    Field("ends_on", "date"),
    text("owner", 200),
    *LINKED,
)


def as_date(value: Any) -> Any:
    """A date recorded as text in a read model's row, as a date."""
    return date.fromisoformat(value[:10]) if isinstance(value, str) else value


def dated(state: State, values: dict[str, Any], meta: Meta) -> None:
    """A contract ends after it starts; its value fits its currency."""
    start = as_date(values.get("starts_on", state.get("starts_on")))
    end = as_date(values.get("ends_on", state.get("ends_on")))
    if isinstance(start, date) and isinstance(end, date) and end <= start:
        if "ends_on" in values:
            raise InvalidValueError("ends_on", "must be after starts_on")
        raise InvalidValueError("starts_on", f"must be before the end ({end})")
    if "currency" in values:
        known_currency(state, {"currency": values["currency"]}, meta)
    currency = str(values.get("currency") or state.get("currency") or "")
    amount = values.get("value")
    if isinstance(amount, str) and currency and not fits(amount, currency):
        places = minor_units(currency)
        message = f"must have at most {places} decimal places in {currency}"
        raise InvalidValueError("value", message)


def extended(state: State, values: dict[str, Any], meta: Meta) -> None:
    """A contract is extended to a later end date, for a reason."""
    needs_reason("extend a contract")(state, values, meta)
    end = values.get("ends_on")
    current = as_date(state["ends_on"])
    if isinstance(end, date) and end <= current:
        raise InvalidValueError("ends_on", f"must be after the current end ({current})")


CONTRACT = RegisterKind(
    name="contracts",
    noun="contract",
    aggregate="Contract",
    module=__name__,
    description="A contract with a supplier: its scope, value, dates, owner and "
    "the risks, issues and documents that go with it.",
    blueprint_description="Contracts register",
    list_summary="A project's contracts, filtered, a page at a time.",
    statuses=STATUSES,
    fields=(
        *DESCRIBED,
        Field("awarded_on", "date", nullable=True),
        optional_text("closing_note", 2000),
        choice("status", STATUSES),
    ),
    create=Command(
        "tender_contract",
        "tender",
        "Tendered",
        DESCRIBED,
        schema="ContractTender",
        summary="Record a contract being tendered in an open project (the value "
        "is the estimate until it is awarded).",
        action="record a contract in",
        status="tendering",
        guard=dated,
    ),
    commands=(
        Command(
            "award_contract",
            "award",
            "Awarded",
            (
                text("supplier", 200),
                money("value"),
                Field("awarded_on", "date"),
            ),
            path="award",
            schema="ContractAward",
            summary="Record the award of a contract: the supplier and the value "
            "agreed.",
            action="award",
            allowed=("tendering",),
            status="awarded",
            guard=dated,
            created=False,
        ),
        Command(
            "start_contract",
            "begin",
            "Started",
            (Field("starts_on", "date"),),
            path="start",
            schema="ContractStart",
            summary="Record that an awarded contract is active from a date.",
            action="start",
            allowed=("awarded",),
            status="active",
            guard=dated,
            created=False,
        ),
        Command(
            "extend_contract",
            "extend",
            "Extended",
            (Field("ends_on", "date"),),
            path="extension",
            schema="ContractExtension",
            summary="Extend a contract to a later end date (a reason is required).",
            action="extend",
            allowed=("awarded", "active"),
            guard=extended,
            created=False,
        ),
        Command(
            "relink_contract",
            "relink",
            "Relinked",
            LINKED,
            path="links",
            schema="ContractLinks",
            summary="Set the risks, issues and documents (of the same project) that "
            "go with a contract.",
            action="relink",
            allowed=LIVE,
            created=False,
        ),
        Command(
            "close_contract",
            "close",
            "Closed",
            (optional_text("closing_note", 2000),),
            path="close",
            schema="ContractClosure",
            summary="Close an active contract whose work is done.",
            action="close",
            allowed=("active",),
            status="closed",
            created=False,
            body_required=False,
            after_close=True,
        ),
        Command(
            "terminate_contract",
            "terminate",
            "Terminated",
            path="terminate",
            summary="Terminate a contract early (a reason is required).",
            action="terminate",
            allowed=LIVE,
            status="terminated",
            guard=needs_reason("terminate a contract"),
            created=False,
            body_required=False,
            roles=KEEPERS,
        ),
    ),
    filters={
        "status": ("status", "eq"),
        "supplier": ("supplier", "eq"),
        "currency": ("currency", "eq"),
    },
    list_filters=("status",),
    title="Contracts register",
    ui_columns=(
        "title",
        "supplier",
        "reference",
        "value",
        "currency",
        "starts_on",
        "ends_on",
        "owner",
        "status",
    ),
    ui_filters=("status", "supplier", "owner"),
    sorts=("created_at", "recorded_at", "title", "ends_on"),
    export_columns=(
        "id",
        "title",
        "supplier",
        "reference",
        "scope",
        "value",
        "currency",
        "starts_on",
        "ends_on",
        "owner",
        "risk_ids",
        "issue_ids",
        "document_ids",
        "awarded_on",
        "closing_note",
    ),
    import_steps=(
        ImportStep(
            "award_contract", ("awarded_on",), statuses=("awarded", "active", "closed")
        ),
        ImportStep("start_contract", statuses=("active", "closed")),
        ImportStep("close_contract", ("closing_note",), statuses=("closed",)),
        ImportStep("terminate_contract", statuses=("terminated",)),
    ),
)
Contract = entry_class(CONTRACT)

"""Links between entries, declared: first-class, event-sourced, kept as at any date.

A link joins two entries (or documents) of one project: an action on a risk,
a lesson from an issue, a review of a document's version. It is recorded in
the project of both ends (an end of another project, or an unknown id, is
refused) and shown on both ends; removing it is a later event (with a
reason), so the links of any moment can be read back.
"""

from __future__ import annotations

from typing import Any, Final

from service.domain.action import LINKABLE
from service.domain.base import InvalidValueError, Meta
from service.domain.entry import entry_class
from service.domain.register import (
    RAISERS,
    Command,
    Field,
    RegisterKind,
    State,
    choice,
    document_version,
    needs_reason,
    optional_text,
)

RELATIONS: Final = (
    "relates-to",
    "action-on",
    "lesson-from",
    "review-of",
    "caused-by",
    "mitigates",
    "contract-for",
    "sent-about",
)
STATUSES: Final = ("active", "removed")


def two_ends(state: State, values: dict[str, Any], meta: Meta) -> None:
    """An entry is not linked to itself; a version is only given for a document."""
    if values.get("from_id") is not None and str(values.get("from_id")) == str(
        values.get("to_id")
    ):
        raise InvalidValueError("to_id", "must not be the entry linked from")
    if values.get("to_version") is not None and values.get("to_register") != (
        "documents"
    ):
        raise InvalidValueError("to_version", "is only given for a document")


ENDS: Final = (
    choice("from_register", LINKABLE),
    Field("from_id", "entry", 100, refers_to="@from_register"),
    choice("relation", RELATIONS),
    choice("to_register", LINKABLE),
    Field("to_id", "entry", 100, refers_to="@to_register"),
    document_version("to_version", "to_id"),
    optional_text("note", 1000),
)

LINK = RegisterKind(
    name="links",
    noun="link",
    aggregate="Link",
    module=__name__,
    description="A link between two entries (or documents) of a project.",
    blueprint_description="Links between entries",
    list_summary="A project's links between entries, a page at a time.",
    statuses=STATUSES,
    fields=(*ENDS, choice("status", STATUSES)),
    create=Command(
        "link_entries",
        "link",
        "Linked",
        ENDS,
        schema="LinkBetweenEntries",
        summary="Link two entries (or documents) of an open project.",
        action="link entries in",
        in_project="link entries in",
        status="active",
        guard=two_ends,
        roles=RAISERS,
    ),
    commands=(
        Command(
            "remove_link",
            "remove",
            "Removed",
            path="remove",
            summary="Remove a link that no longer holds (a reason is required).",
            action="remove",
            allowed=("active",),
            status="removed",
            guard=needs_reason("remove a link"),
            created=False,
            body_required=False,
        ),
    ),
    filters={
        "status": ("status", "eq"),
        "relation": ("relation", "eq"),
        "from_id": ("from_id", "eq"),
        "to_id": ("to_id", "eq"),
    },
    list_filters=("status", "relation"),
    title="Links",
    ui_columns=("from_register", "relation", "to_register", "to_version", "status"),
    ui_filters=("status", "relation"),
    export_columns=(
        "id",
        "from_register",
        "from_id",
        "relation",
        "to_register",
        "to_id",
        "to_version",
        "note",
    ),
    import_steps=(),
)
Link = entry_class(LINK)

"""Actions and the daily log, declared: the secretariat's diary and its to-do list.

- actions: open -> complete_action -> done; open -> drop_action (with a
  reason) -> dropped; open -> redate_action (with a reason) -> open. An
  action may be about any register entry or document of its project
  (`subject_register`, `subject_id`); it is overdue while open past its due
  date (worked out when read: overdue depends on the day asked about).
- diary (the daily log): problems, events and notes, each with its author
  and time; never changed: a correction is a later entry naming it.
"""

from __future__ import annotations

from typing import Any, Final

from service.domain.base import InvalidValueError, Meta
from service.domain.entry import entry_class
from service.domain.register import (
    RAISERS,
    Command,
    Field,
    ImportStep,
    RegisterKind,
    State,
    any_reference,
    choice,
    needs_reason,
    optional_reference,
    optional_text,
    text,
)

LINKABLE: Final = (
    "risks",
    "issues",
    "changes",
    "decisions",
    "milestones",
    "baselines",
    "dependencies",
    "benefits",
    "budgets",
    "demands",
    "reviews",
    "stakeholders",
    "communications",
    "messages",
    "lessons",
    "actions",
    "diary",
    "contracts",
    "documents",
)
"""The registers (and custody's documents) an entry may be linked to."""
STATUSES: Final = ("open", "done", "dropped")
DIARY_KINDS: Final = ("problem", "event", "note", "action")


def subject_pair(state: State, values: dict[str, Any], meta: Meta) -> None:
    """A subject is named by its register and its id together, or not at all."""
    register, entry = values.get("subject_register"), values.get("subject_id")
    if (register is None) != (entry is None):
        missing = "subject_id" if entry is None else "subject_register"
        raise InvalidValueError(missing, "is required when the other subject is given")


SET: Final = (
    text("title", 200),
    optional_text("description"),
    text("owner", 200),
    Field("due_on", "date"),
    Field("subject_register", "choice", choices=LINKABLE, nullable=True),
    any_reference("subject_id", "subject_register"),
)

ACTION = RegisterKind(
    name="actions",
    noun="action",
    aggregate="Action",
    module=__name__,
    description="Something someone must do by a date, perhaps about a register "
    "entry or a document.",
    blueprint_description="Actions",
    list_summary="A project's actions, filtered, a page at a time.",
    statuses=STATUSES,
    fields=(*SET, optional_text("outcome", 2000), choice("status", STATUSES)),
    create=Command(
        "set_action",
        "set",
        "Set",
        SET,
        schema="ActionSet",
        summary="Set an action, with an owner and a due date, in an open project.",
        action="set an action in",
        status="open",
        guard=subject_pair,
        roles=RAISERS,
    ),
    commands=(
        Command(
            "complete_action",
            "complete",
            "Done",
            (optional_text("outcome", 2000),),
            path="done",
            schema="ActionDone",
            summary="Record that an open action is done, and its outcome.",
            action="complete",
            allowed=("open",),
            status="done",
            created=False,
            body_required=False,
            roles=RAISERS,
        ),
        Command(
            "redate_action",
            "redate",
            "Redated",
            (Field("due_on", "date"),),
            path="due-date",
            schema="ActionDueDate",
            summary="Move an open action's due date (a reason is required).",
            action="redate",
            allowed=("open",),
            guard=needs_reason("move an action's due date"),
            created=False,
        ),
        Command(
            "drop_action",
            "drop",
            "Dropped",
            path="drop",
            summary="Drop an open action no longer needed (a reason is required).",
            action="drop",
            allowed=("open",),
            status="dropped",
            guard=needs_reason("drop an action"),
            created=False,
            body_required=False,
        ),
    ),
    filters={
        "status": ("status", "eq"),
        "owner": ("owner", "eq"),
        "subject_register": ("subject_register", "eq"),
        "subject_id": ("subject_id", "eq"),
    },
    list_filters=("status", "subject_register"),
    title="Actions",
    ui_columns=("title", "owner", "due_on", "subject_register", "status"),
    ui_filters=("status", "owner"),
    sorts=("created_at", "recorded_at", "title", "due_on"),
    export_columns=(
        "id",
        "title",
        "description",
        "owner",
        "due_on",
        "subject_register",
        "subject_id",
        "outcome",
    ),
    import_steps=(
        ImportStep("complete_action", ("outcome",), statuses=("done",)),
        ImportStep("drop_action", statuses=("dropped",)),
    ),
)
Action = entry_class(ACTION)

NOTED: Final = (
    choice("entry_kind", DIARY_KINDS),
    text("text", 5000),
    optional_reference("corrects_id", "diary"),
)


DIARY = RegisterKind(
    name="diary",
    noun="daily log entry",
    aggregate="DiaryEntry",
    module=__name__,
    description="An entry of the project's daily log: a problem, event, note or "
    "action, with its author and time (the event's who and when); never changed.",
    blueprint_description="Daily log",
    list_summary="A project's daily log, a page at a time.",
    statuses=("noted",),
    fields=(*NOTED, choice("status", ("noted",))),
    create=Command(
        "note_in_diary",
        "note",
        "Noted",
        NOTED,
        schema="DiaryEntry",
        summary="Write an entry in an open project's daily log (never changed: a "
        "correction is a later entry naming it in corrects_id).",
        action="write in the daily log of",
        in_project="write in the daily log of",
        status="noted",
        roles=RAISERS,
    ),
    commands=(),
    filters={
        "entry_kind": ("entry_kind", "eq"),
        "corrects_id": ("corrects_id", "eq"),
    },
    list_filters=("entry_kind",),
    title="Daily log",
    ui_columns=("created_at", "entry_kind", "text", "corrects_id"),
    ui_filters=("entry_kind",),
    export_columns=("id", "entry_kind", "text", "corrects_id"),
    import_steps=(),
)
DiaryEntry = entry_class(DIARY)

"""The decision log, declared: a decision is recorded once, only superseded."""

from __future__ import annotations

from typing import Any, Final

from service.domain.base import InvalidValueError, Meta
from service.domain.entry import entry_class
from service.domain.register import (
    Command,
    Field,
    RegisterKind,
    State,
    choice,
    text,
)

STATUSES: Final = ("approved", "superseded")


def not_itself(state: State, values: dict[str, Any], meta: Meta) -> None:
    """A decision is superseded by another one."""
    if values["superseded_by"] == str(state["id"]):
        raise InvalidValueError("superseded_by", "a decision cannot supersede itself")


DECISION = RegisterKind(
    name="decisions",
    noun="decision",
    aggregate="Decision",
    module=__name__,
    description="A decision with its context, options considered and rationale.",
    blueprint_description="Decision log",
    list_summary="A project's decision log, filtered, a page at a time.",
    statuses=STATUSES,
    fields=(
        text("title", 200),
        text("context"),
        Field("options", "texts", 1000),
        text("outcome"),
        text("rationale"),
        text("decided_by", 200),
        Field("decided_on", "date"),
        Field("related_ids", "texts", 100),
        Field("superseded_by", "entry", 100, nullable=True),
        choice("status", STATUSES),
    ),
    create=Command(
        "record_decision",
        "record",
        "Recorded",
        (
            text("title", 200),
            text("context"),
            Field("options", "texts", 1000, required=False),
            text("outcome"),
            text("rationale"),
            text("decided_by", 200),
            Field("decided_on", "date"),
            Field("related_ids", "texts", 100, required=False),
        ),
        schema="DecisionRecord",
        summary="Record a decision in an open project's decision log.",
        action="record a decision in",
        status="approved",
    ),
    commands=(
        Command(
            "supersede_decision",
            "supersede",
            "Superseded",
            (Field("superseded_by", "entry", 100),),
            path="supersede",
            schema="Supersession",
            summary="Mark a decision superseded by a newer one of the same project.",
            action="supersede",
            allowed=("approved",),
            status="superseded",
            guard=not_itself,
            created=False,
        ),
    ),
    filters={"status": ("status", "eq"), "decided_by": ("decided_by", "eq")},
    title="Decision log",
    import_requires=("options",),
    ui_columns=("title", "decided_on", "decided_by", "outcome", "status"),
    ui_filters=("status", "decided_by"),
    sorts=("created_at", "recorded_at", "title", "decided_on"),
    export_columns=(
        "id",
        "title",
        "decided_on",
        "decided_by",
        "outcome",
        "context",
        "options",
        "rationale",
        "related_ids",
        "superseded_by",
    ),
    import_steps=(),
)
Decision = entry_class(DECISION)

"""The lessons log, declared: what a project learned, and whether the PMO keeps it.

Transitions (status -> command -> status):

- logged -> review_lesson -> reviewed
- reviewed -> accept_lesson -> accepted (into the PMO's lessons library,
  which every project searches)
- logged / reviewed -> close_lesson -> closed (with a reason)

Lessons are reviewed and accepted after a project closes as often as before,
so those commands are taken in a closed project too.
"""

from __future__ import annotations

from typing import Final

from service.domain.entry import entry_class
from service.domain.register import (
    RAISERS,
    Command,
    ImportStep,
    RegisterKind,
    choice,
    needs_reason,
    optional_text,
    text,
)

STATUSES: Final = ("logged", "reviewed", "accepted", "closed")
CATEGORIES: Final = (
    "planning",
    "governance",
    "commercial",
    "technical",
    "people",
    "quality",
    "risk",
    "communication",
    "finance",
)
PRIORITIES: Final = ("low", "medium", "high")
SCOPES: Final = ("project", "corporate")

OBSERVED: Final = (
    text("title", 200),
    text("observation"),
    optional_text("cause"),
    optional_text("effect"),
    optional_text("early_warning"),
    text("recommendation"),
    choice("category", CATEGORIES),
    choice("priority", PRIORITIES),
    text("raised_by", 200),
)

LESSON = RegisterKind(
    name="lessons",
    noun="lesson",
    aggregate="Lesson",
    module=__name__,
    description="A lesson a project learned: what happened, why, what it did, and "
    "what to do next time.",
    blueprint_description="Lessons log",
    list_summary="A project's lessons log, filtered, a page at a time.",
    statuses=STATUSES,
    fields=(
        *OBSERVED,
        choice("scope", SCOPES),
        optional_text("review_note", 2000),
        choice("status", STATUSES),
    ),
    create=Command(
        "log_lesson",
        "log",
        "Logged",
        OBSERVED,
        schema="LessonLog",
        summary="Log a lesson in an open project.",
        action="log a lesson in",
        status="logged",
        roles=RAISERS,
    ),
    commands=(
        Command(
            "review_lesson",
            "review",
            "Reviewed",
            (text("review_note", 2000), choice("scope", SCOPES)),
            path="review",
            schema="LessonReview",
            summary="Review a logged lesson: a note, and whether it is the project's "
            "own or corporate.",
            action="review",
            allowed=("logged",),
            status="reviewed",
            after_close=True,
            created=False,
        ),
        Command(
            "accept_lesson",
            "accept",
            "Accepted",
            path="accept",
            summary="Accept a reviewed lesson into the PMO's lessons library.",
            action="accept",
            allowed=("reviewed",),
            status="accepted",
            roles=("pmo-head",),
            created=False,
            body_required=False,
            after_close=True,
        ),
        Command(
            "close_lesson",
            "close",
            "Closed",
            path="close",
            summary="Close a lesson not taken into the library (a reason is required).",
            action="close",
            allowed=("logged", "reviewed"),
            status="closed",
            guard=needs_reason("close a lesson"),
            created=False,
            body_required=False,
            after_close=True,
        ),
    ),
    filters={
        "status": ("status", "eq"),
        "category": ("category", "eq"),
        "priority": ("priority", "eq"),
        "scope": ("scope", "eq"),
    },
    list_filters=("status", "category", "priority", "scope"),
    title="Lessons log",
    ui_columns=("title", "category", "priority", "raised_by", "scope", "status"),
    ui_filters=("status", "category", "priority", "scope"),
    export_columns=(
        "id",
        "title",
        "observation",
        "cause",
        "effect",
        "early_warning",
        "recommendation",
        "category",
        "priority",
        "raised_by",
        "scope",
        "review_note",
    ),
    import_steps=(
        ImportStep(
            "review_lesson", ("review_note",), statuses=("reviewed", "accepted")
        ),
        ImportStep("accept_lesson", statuses=("accepted",)),
        ImportStep("close_lesson", statuses=("closed",)),
    ),
)
Lesson = entry_class(LESSON)

"""The register of approved training courses, declared for the whole portfolio.

The PMO head keeps the list of courses people in project roles may take: the
course, who provides it, its level and the qualification it leads to, the
roles it is approved for, when it was approved and when it is next reviewed.

- proposed -> approve_course (approval and review dates) -> approved
- approved -> review_course (reviewed on, next review by) -> approved
- proposed | approved -> withdraw_course (with a reason) -> withdrawn
"""

from __future__ import annotations

from datetime import date
from typing import Any, Final

from service.domain.base import InvalidValueError, Meta
from service.domain.entry import entry_class
from service.domain.register import (
    Command,
    Field,
    ImportStep,
    RegisterKind,
    State,
    choice,
    needs_reason,
    optional_text,
    text,
)

COURSE_STATUSES: Final = ("proposed", "approved", "withdrawn")
LEVELS: Final = ("foundation", "practitioner", "advanced", "specialist")
HEAD: Final = ("pmo-head",)
DETAILS: Final = (
    text("title", 300),
    text("provider", 200),
    choice("level", LEVELS),
    optional_text("qualification", 300),
    Field("for_roles", "texts", 100, max_items=20),
)
"""What a course is, given when it is proposed."""


def roles_named(state: State, values: dict[str, Any], meta: Meta) -> None:
    """A course is proposed for at least one role."""
    if values.get("for_roles") == []:
        raise InvalidValueError("for_roles", "must name at least one role")


def review_after(start: str) -> Any:
    """A guard: the next review falls after the `start` date given with it."""

    def guard(state: State, values: dict[str, Any], meta: Meta) -> None:
        begun, review = values.get(start), values.get("review_by")
        if isinstance(begun, date) and isinstance(review, date) and review <= begun:
            raise InvalidValueError("review_by", f"must be after {start}")

    guard.__doc__ = f"The next review falls after {start}."
    return guard


def next_review(values: dict[str, Any], state: State) -> dict[str, Any]:
    """A review moves the review date on and remembers when it was held."""
    return {"reviewed_on": values["reviewed_on"], "review_by": values["review_by"]}


COURSES = RegisterKind(
    name="courses",
    noun="training course",
    aggregate="TrainingCourse",
    module=__name__,
    description="A training course the office approves for project roles.",
    blueprint_description="Approved training courses",
    list_summary="The portfolio's training courses, filtered, a page at a time.",
    statuses=COURSE_STATUSES,
    fields=(
        *DETAILS,
        Field("approved_on", "date", nullable=True),
        Field("reviewed_on", "date", nullable=True),
        Field("review_by", "date", nullable=True),
        choice("status", COURSE_STATUSES),
    ),
    create=Command(
        "propose_course",
        "propose",
        "Proposed",
        DETAILS,
        schema="CourseProposal",
        summary="Propose a training course for the office to approve.",
        action="propose a training course in",
        status="proposed",
        guard=roles_named,
    ),
    commands=(
        Command(
            "approve_course",
            "approve",
            "Approved",
            (Field("approved_on", "date"), Field("review_by", "date")),
            path="approval",
            schema="CourseApproval",
            summary="Approve a proposed course, with the date it is next reviewed.",
            action="approve",
            allowed=("proposed",),
            status="approved",
            guard=review_after("approved_on"),
            roles=HEAD,
            created=False,
        ),
        Command(
            "review_course",
            "review",
            "Reviewed",
            (Field("reviewed_on", "date"), Field("review_by", "date")),
            path="reviews",
            schema="CourseReview",
            summary="Record a review of an approved course and its next review date.",
            action="review",
            allowed=("approved",),
            effect=next_review,
            guard=review_after("reviewed_on"),
            roles=HEAD,
        ),
        Command(
            "withdraw_course",
            "withdraw",
            "Withdrawn",
            path="withdraw",
            summary="Withdraw (with a reason) a proposed or approved course.",
            action="withdraw",
            allowed=("proposed", "approved"),
            status="withdrawn",
            guard=needs_reason("withdraw a training course"),
            roles=HEAD,
            created=False,
            body_required=False,
        ),
    ),
    filters={"status": ("status", "eq"), "level": ("level", "eq")},
    list_filters=("status", "level"),
    title="Approved training courses",
    ui_columns=(
        "title",
        "provider",
        "level",
        "qualification",
        "for_roles",
        "approved_on",
        "review_by",
        "status",
    ),
    ui_filters=("status", "level"),
    sorts=("created_at", "recorded_at", "title", "review_by"),
    export_columns=(
        "id",
        "title",
        "provider",
        "level",
        "qualification",
        "for_roles",
        "approved_on",
        "reviewed_on",
        "review_by",
        "status",
    ),
    import_steps=(
        ImportStep("approve_course", ("approved_on",)),
        ImportStep("review_course", ("reviewed_on",)),
        ImportStep("withdraw_course", statuses=("withdrawn",)),
    ),
    portfolio=True,
)
TrainingCourse = entry_class(COURSES)

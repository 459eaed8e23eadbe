"""The quality register, declared: one entry per quality review of a product.

The product is usually a document in custody, optionally one version of it.
Transitions (status -> command -> status):

- planned / re-planned -> replan_quality_review -> same (a new date, with a reason)
- planned / re-planned -> record_quality_result -> held (pass), actions-open
  (pass with actions) or failed (fail)
- held / actions-open -> add_quality_follow_up -> actions-open
- actions-open -> complete_quality_follow_up -> held once every action is done
- held -> sign_off_quality_review -> signed-off (by the approver)
- failed -> re_review_quality -> re-planned (a new date; the failed result
  stays in the entry's history)

A signed-off review of a document's exact version is what a quality policy
(`service.domain.quality_policy`) may require before that version is approved.
"""

from __future__ import annotations

from datetime import date
from typing import Any, Final

from service.domain.base import InvalidValueError, Meta
from service.domain.clock import timestamp
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
    optional_reference,
    optional_text,
    text,
)

STATUSES: Final = (
    "planned",
    "re-planned",
    "held",
    "actions-open",
    "signed-off",
    "failed",
)
METHODS: Final = ("review", "inspection", "test", "audit")
RESULTS: Final = ("pass", "pass-with-actions", "fail")
WAITING: Final = ("planned", "re-planned")

DESCRIBED: Final = (
    text("title", 200),
    optional_reference("document_id", "documents"),
    document_version("document_version", "document_id"),
    choice("method", METHODS),
    text("producer", 200),
    Field("reviewers", "texts", 200),
    text("chair", 200),
    text("approver", 200),
    Field("planned_on", "date"),
)
"""What a quality review is, given when it is planned."""


def has_reviewers(state: State, values: dict[str, Any], meta: Meta) -> None:
    """A review has at least one reviewer."""
    if isinstance(values.get("reviewers"), list) and not values["reviewers"]:
        raise InvalidValueError("reviewers", "must name at least one reviewer")


def held_by_now(state: State, values: dict[str, Any], meta: Meta) -> None:
    """A review's result is recorded once it has been held, not before."""
    held, today = values.get("held_on"), timestamp().date()
    if isinstance(held, date) and held > today:
        message = f"must not be after today ({today}): a review is held first"
        raise InvalidValueError("held_on", message)


def all_actions_done(state: State, values: dict[str, Any], meta: Meta) -> None:
    """Only a review without open follow-up actions is signed off."""
    open_actions = [a for a in state.get("follow_ups") or [] if not a["done"]]
    if open_actions:
        message = f"{len(open_actions)} follow-up action(s) are still open"
        raise InvalidValueError("follow_ups", message)


def known_follow_up(state: State, values: dict[str, Any], meta: Meta) -> None:
    """The follow-up action named exists and is still open."""
    number = values.get("number")
    actions = state.get("follow_ups") or []
    if not isinstance(number, int) or not 1 <= number <= len(actions):
        message = f"must be the number of a follow-up action (1 to {len(actions)})"
        raise InvalidValueError("number", message)
    if actions[number - 1]["done"]:
        raise InvalidValueError("number", "that follow-up action is already done")


def follow_up_added(values: dict[str, Any], state: State) -> dict[str, Any]:
    """The action joins the review's follow-ups, which are then open."""
    action = {"action": values["action"], "owner": values["owner"], "done": False}
    return {"follow_ups": [*(state.get("follow_ups") or []), action]}


def follow_up_done(values: dict[str, Any], state: State) -> dict[str, Any]:
    """The action is done; the review is held once every action is."""
    actions = [dict(a) for a in state.get("follow_ups") or []]
    actions[values["number"] - 1]["done"] = True
    left = any(not a["done"] for a in actions)
    return {"follow_ups": actions, "status": "actions-open" if left else "held"}


def re_reviewed(values: dict[str, Any], state: State) -> dict[str, Any]:
    """A failed review is planned again; its result is cleared, the round counts."""
    return {
        "planned_on": values["planned_on"],
        "held_on": None,
        "result": None,
        "follow_ups": [],
        "rounds": int(state.get("rounds") or 1) + 1,
    }


QUALITY_REVIEW = RegisterKind(
    name="reviews",
    noun="quality review",
    aggregate="QualityReview",
    module=__name__,
    description="A quality review, inspection, test or audit of a product "
    "(a document, optionally one version of it).",
    blueprint_description="Quality register",
    list_summary="A project's quality register, filtered, a page at a time.",
    statuses=STATUSES,
    fields=(
        *DESCRIBED,
        Field("held_on", "date", nullable=True),
        Field("result", "choice", choices=RESULTS, nullable=True),
        Field("follow_ups", "json", nullable=True),
        optional_text("sign_off_note", 2000),
        Field("rounds", "integer", low=1, high=1000, default=1),
        choice("status", STATUSES),
    ),
    derived={
        "open_actions": lambda s: sum(
            1 for a in s.get("follow_ups") or [] if not a["done"]
        )
    },
    derived_fields=(Field("open_actions", "integer", low=0, high=1_000_000),),
    create=Command(
        "plan_quality_review",
        "plan",
        "Planned",
        DESCRIBED,
        schema="QualityReviewPlan",
        summary="Plan a quality review of a product in an open project.",
        action="plan a quality review in",
        status="planned",
        guard=has_reviewers,
        roles=RAISERS,
    ),
    commands=(
        Command(
            "replan_quality_review",
            "replan",
            "Replanned",
            (Field("planned_on", "date"),),
            path="planned-date",
            schema="QualityReviewDate",
            summary="Move a review not yet held to another date (a reason is "
            "required).",
            action="replan",
            allowed=WAITING,
            guard=needs_reason("move a quality review"),
            created=False,
        ),
        Command(
            "record_quality_result",
            "record_result",
            "Held",
            (Field("held_on", "date"), choice("result", RESULTS)),
            path="result",
            schema="QualityReviewResult",
            summary="Record that a review was held, and its result.",
            action="record the result of",
            allowed=WAITING,
            status_of=(
                "result",
                {"pass": "held", "pass-with-actions": "actions-open", "fail": "failed"},
            ),
            guard=held_by_now,
            created=False,
        ),
        Command(
            "add_quality_follow_up",
            "add_follow_up",
            "FollowUpAdded",
            (text("action", 500), text("owner", 200)),
            path="follow-ups",
            schema="QualityFollowUp",
            summary="Add a follow-up action, with its owner, to a held review.",
            action="add a follow-up action to",
            allowed=("held", "actions-open"),
            status="actions-open",
            effect=follow_up_added,
        ),
        Command(
            "complete_quality_follow_up",
            "complete_follow_up",
            "FollowUpDone",
            (Field("number", "integer", low=1, high=1000),),
            path="follow-ups-done",
            schema="QualityFollowUpDone",
            summary="Record that a follow-up action (by its number) is done.",
            action="complete a follow-up action of",
            allowed=("actions-open",),
            guard=known_follow_up,
            effect=follow_up_done,
            created=False,
        ),
        Command(
            "sign_off_quality_review",
            "sign_off",
            "SignedOff",
            (optional_text("sign_off_note", 2000),),
            path="sign-off",
            schema="QualityReviewSignOff",
            summary="Sign off a held review whose follow-up actions are all done.",
            action="sign off",
            allowed=("held",),
            status="signed-off",
            guard=all_actions_done,
            created=False,
            body_required=False,
        ),
        Command(
            "re_review_quality",
            "re_review",
            "ReReviewPlanned",
            (Field("planned_on", "date"),),
            path="re-review",
            schema="QualityReReview",
            summary="Plan a failed review again (its failed result stays in its "
            "history).",
            action="re-plan",
            allowed=("failed",),
            status="re-planned",
            effect=re_reviewed,
            created=False,
        ),
    ),
    filters={
        "status": ("status", "eq"),
        "method": ("method", "eq"),
        "result": ("result", "eq"),
        "document_id": ("document_id", "eq"),
    },
    list_filters=("status", "method"),
    title="Quality register",
    ui_columns=(
        "title",
        "method",
        "document_version",
        "chair",
        "approver",
        "planned_on",
        "held_on",
        "result",
        "open_actions",
        "status",
    ),
    ui_filters=("status", "method", "approver"),
    sorts=("created_at", "recorded_at", "title", "planned_on"),
    export_columns=(
        "id",
        "title",
        "document_id",
        "document_version",
        "method",
        "producer",
        "reviewers",
        "chair",
        "approver",
        "planned_on",
        "held_on",
        "result",
        "open_actions",
    ),
    import_steps=(),
)
QualityReview = entry_class(QUALITY_REVIEW)

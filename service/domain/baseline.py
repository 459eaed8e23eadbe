"""Plan baselines, declared: a named, approved snapshot of a project's milestone dates.

Approving a baseline records, in one event, the date of every milestone of
the project that is not cancelled (its actual date once achieved, else its
forecast), the time tolerance in days that goes with the plan, and who
approved it: the PMO head (given in the pmo-head role), or the project board,
whose approval is a decision in the project's decision log. The newest
baseline of a project is its current one; approving another is a rebaseline,
which needs a reason and names the baseline it supersedes. Baselines are
never changed: a new plan is a new baseline, so every earlier one stays
readable for slippage against it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any, Final

from service.domain.base import InvalidValueError, Meta, require_role
from service.domain.entry import entry_class
from service.domain.register import (
    Command,
    Field,
    RegisterKind,
    State,
    choice,
    optional_reference,
    text,
)

STATUSES: Final = ("approved",)
APPROVALS: Final = ("pmo-head", "project-board")
MAX_TOLERANCE_DAYS: Final = 365
SNAPSHOT: Final = (
    Field("dates", "json", given=False),
    Field(
        "supersedes",
        "entry",
        100,
        nullable=True,
        refers_to="baselines",
        given=False,
    ),
)
"""What the approval snapshots: the composed values, never given in a request."""


def snapshot(entries: Mapping[str, Sequence[State]]) -> dict[str, Any]:
    """The milestones' dates now, and the newest earlier baseline (superseded)."""
    dates = {
        str(m["id"]): str(m["actual_date"] or m["forecast_date"])
        for m in entries["milestones"]
        if m["status"] != "cancelled"
    }
    earlier = sorted(entries["baselines"], key=lambda b: str(b["created_at"]))
    return {"dates": dates, "supersedes": str(earlier[-1]["id"]) if earlier else None}


def check_approval(state: State, values: dict[str, Any], meta: Meta) -> None:
    """The PMO head approves in person; the board through a recorded decision."""
    if values["approval"] == "pmo-head":
        require_role(meta, "approve a baseline as the PMO head", ("pmo-head",))
    elif values["approval"] == "project-board" and not values["board_decision_id"]:
        message = "is required when the project board approved the baseline"
        raise InvalidValueError("board_decision_id", message)
    if values.get("supersedes") and not (meta.reason and meta.reason.strip()):
        raise InvalidValueError("reason", "is required to rebaseline a project")
    dates = values.get("dates")
    if not isinstance(dates, dict) or not dates:
        raise InvalidValueError("dates", "the project has no milestones to baseline")
    for milestone, when in dates.items():
        try:
            date.fromisoformat(when)
        except (TypeError, ValueError):
            raise InvalidValueError(f"dates.{milestone}", "must be a date") from None


BASELINE = RegisterKind(
    name="baselines",
    noun="plan baseline",
    aggregate="Baseline",
    module=__name__,
    description="An approved snapshot of a project's milestone dates and time "
    "tolerance.",
    blueprint_description="Plan baselines",
    list_summary="A project's plan baselines, oldest first, a page at a time.",
    statuses=STATUSES,
    fields=(
        text("name", 200),
        Field("tolerance_days", "integer", low=0, high=MAX_TOLERANCE_DAYS),
        choice("approval", APPROVALS),
        optional_reference("board_decision_id", "decisions"),
        *SNAPSHOT,
        choice("status", STATUSES),
    ),
    create=Command(
        "approve_baseline",
        "approve",
        "Approved",
        (
            text("name", 200),
            Field("tolerance_days", "integer", low=0, high=MAX_TOLERANCE_DAYS),
            choice("approval", APPROVALS),
            optional_reference("board_decision_id", "decisions"),
            *SNAPSHOT,
        ),
        schema="BaselineApproval",
        summary="Approve the project's milestone dates as a plan baseline "
        "(a rebaseline needs a reason).",
        action="approve a plan baseline in",
        status="approved",
        guard=check_approval,
        reads=("milestones", "baselines"),
        compose=snapshot,
    ),
    commands=(),
    filters={"approval": ("approval", "eq")},
    list_filters=(),
    title="Plan baselines",
    ui_columns=("name", "tolerance_days", "approval", "created_at"),
    ui_filters=("approval",),
    sorts=("created_at", "recorded_at", "name"),
    export_columns=(
        "id",
        "name",
        "tolerance_days",
        "approval",
        "board_decision_id",
        "supersedes",
        "dates",
    ),
    import_refused="a baseline is an approval of the milestones' dates as they "
    "stand, given one at a time: approve one instead "
    "(POST /api/v1/projects/{id}/baselines)",
)
Baseline = entry_class(BASELINE)

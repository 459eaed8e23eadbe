"""The issue register, declared: open -> examined -> resolved -> closed.

An open or examined issue can be (re-)examined; only an examined issue can be
resolved. A resolved issue closes without further ado; an open or examined
one may also be closed (a duplicate, withdrawn or overtaken issue), but only
with a reason in the event's meta, so the register explains why it was closed
unresolved. A closed issue accepts nothing further.
"""

from __future__ import annotations

from typing import Any, Final

from service.domain.base import InvalidValueError, Meta
from service.domain.entry import entry_class
from service.domain.register import (
    RAISERS,
    Command,
    ImportStep,
    RegisterKind,
    State,
    choice,
    optional_text,
    text,
)

STATUSES: Final = ("open", "examined", "resolved", "closed")
ISSUE_TYPES: Final = ("request-for-change", "off-specification", "problem-concern")
PRIORITIES: Final = ("low", "medium", "high", "critical")
SEVERITIES: Final = ("minor", "significant", "major", "critical")


EXAMINATION: Final = ("impact_analysis", "options", "recommendation")
IMPORT_STEPS: Final = (
    ImportStep("examine_issue", EXAMINATION, statuses=("examined", "resolved")),
    ImportStep("resolve_issue", ("resolution",), statuses=("resolved",)),
    ImportStep("close_issue", statuses=("closed",)),
)
"""An imported issue reaches the status its row names the way the workflow
allows (decision 129): examined with the row's analysis, options and
recommendation, resolved with its resolution, closed (an unresolved one with
the import's file and line as the reason the close asks for)."""


def reason_unless_resolved(state: State, values: dict[str, Any], meta: Meta) -> None:
    """An unresolved issue is closed only with a reason saying why."""
    if state["status"] != "resolved" and not (meta.reason and meta.reason.strip()):
        raise InvalidValueError("reason", "is required to close an unresolved issue")


ISSUE = RegisterKind(
    name="issues",
    noun="issue",
    aggregate="Issue",
    module=__name__,
    description="A request for change, off-specification or problem/concern.",
    blueprint_description="Issue register",
    list_summary="A project's issue register, filtered, a page at a time.",
    statuses=STATUSES,
    fields=(
        choice("issue_type", ISSUE_TYPES),
        text("title", 200),
        text("description"),
        choice("priority", PRIORITIES),
        choice("severity", SEVERITIES),
        optional_text("impact_analysis"),
        optional_text("options"),
        optional_text("recommendation"),
        optional_text("resolution"),
        choice("status", STATUSES),
    ),
    create=Command(
        "raise_issue",
        "raise_issue",
        "Raised",
        (
            choice("issue_type", ISSUE_TYPES),
            text("title", 200),
            text("description"),
            choice("priority", PRIORITIES),
            choice("severity", SEVERITIES),
        ),
        schema="IssueRaise",
        summary="Raise an issue in an open project.",
        action="raise an issue in",
        status="open",
        roles=RAISERS,
    ),
    commands=(
        Command(
            "examine_issue",
            "examine",
            "Examined",
            (text("impact_analysis"), text("options"), text("recommendation")),
            path="examination",
            schema="IssueExamination",
            summary="Record the impact analysis, options and recommendation.",
            action="examine",
            allowed=("open", "examined"),
            status="examined",
            created=False,
        ),
        Command(
            "resolve_issue",
            "resolve",
            "Resolved",
            (text("resolution"),),
            path="resolution",
            schema="IssueResolution",
            summary="Record how an examined issue was resolved.",
            action="resolve",
            allowed=("examined",),
            status="resolved",
            created=False,
        ),
        Command(
            "close_issue",
            "close",
            "Closed",
            path="close",
            summary="Close an issue (an unresolved one only with a reason).",
            action="close",
            allowed=("open", "examined", "resolved"),
            status="closed",
            guard=reason_unless_resolved,
            created=False,
            body_required=False,
        ),
    ),
    list_filters=("status", "issue_type", "priority", "severity"),
    title="Issue register",
    ui_columns=(
        "title",
        "issue_type",
        "priority",
        "severity",
        "status",
        "created_at",
        "recorded_at",
    ),
    ui_filters=("status", "issue_type", "priority", "severity"),
    filters={
        "status": ("status", "eq"),
        "issue_type": ("issue_type", "eq"),
        "type": ("issue_type", "eq"),
        "priority": ("priority", "eq"),
        "severity": ("severity", "eq"),
    },
    export_columns=(
        "id",
        "title",
        "issue_type",
        "priority",
        "severity",
        "description",
        "impact_analysis",
        "options",
        "recommendation",
        "resolution",
    ),
    import_steps=IMPORT_STEPS,
)
Issue = entry_class(ISSUE)

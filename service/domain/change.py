"""Change control, declared: capture, examine, decide, implement.

Transitions (status -> command -> status):

- raised / assessed / deferred / info-requested -> assess_impact -> assessed
- assessed -> decide -> approved | rejected | deferred | info-requested
- approved -> implement -> implemented
- implemented / rejected / deferred -> close -> closed

A decision always follows an assessment, so a deferred or info-requested
change is re-assessed before it is decided again. A deferred change may be
closed (deferred indefinitely); an approved one must be implemented first.
"""

from __future__ import annotations

from typing import Any, Final

from service.domain.entry import entry_class
from service.domain.register import (
    RAISERS,
    Command,
    Field,
    ImportStep,
    RegisterKind,
    State,
    choice,
    optional_text,
    text,
)

STATUSES: Final = (
    "raised",
    "assessed",
    "approved",
    "rejected",
    "deferred",
    "info-requested",
    "implemented",
    "closed",
)
DECISIONS: Final = ("approve", "reject", "defer", "request-info")
STEPS: Final = ("capture", "examine", "decide", "implement", "done")
DECIDED_STATUS: Final = {
    "approve": "approved",
    "reject": "rejected",
    "defer": "deferred",
    "request-info": "info-requested",
}
STEP: Final = {
    "raised": "capture",
    "info-requested": "examine",
    "deferred": "examine",
    "assessed": "decide",
    "approved": "implement",
    "rejected": "done",
    "implemented": "done",
    "closed": "done",
}
MAX_DAYS: Final = 3650
IMPACTS: Final = ("scope_impact", "quality_impact", "risk_impact", "benefits_impact")
DECIDED: Final = tuple(DECIDED_STATUS.values())
ASSESSMENT: Final = ("impact", "cost_impact", "time_impact_days", *IMPACTS)
"""The columns an imported assessment is read from: the export's `impact`
(one JSON object) or a column per value."""
IMPORT_STEPS: Final = (
    ImportStep("assess_change", ASSESSMENT, statuses=STATUSES[1:], bundle="impact"),
    ImportStep(
        "decide_change", ("decision",), statuses=(*DECIDED, "implemented", "closed")
    ),
    ImportStep(
        "implement_change",
        ("implementation_notes",),
        statuses=("implemented", "closed"),
        renamed=(("notes", "implementation_notes"),),
    ),
    ImportStep("close_change", statuses=("closed",)),
    ImportStep("assess_change", statuses=("assessed",), bundle="impact"),
)
"""An imported change reaches the status its row names the way the workflow
allows (decision 127): assessed, decided by the authority the row names,
implemented, closed; a deferred or info-requested change assessed again is
decided, then re-assessed."""


def impact_assessed(values: dict[str, Any], state: State) -> dict[str, Any]:
    """The assessment is kept whole, as the change's impact."""
    return {"impact": dict(values)}


def implemented(values: dict[str, Any], state: State) -> dict[str, Any]:
    """The notes are the change's implementation notes."""
    return {"implementation_notes": values["notes"]}


CHANGE = RegisterKind(
    name="changes",
    noun="change request",
    aggregate="ChangeRequest",
    module=__name__,
    description="A proposed change to a project's baseline.",
    blueprint_description="Change control",
    list_summary="A project's change requests, filtered, a page at a time.",
    statuses=STATUSES,
    fields=(
        text("title", 200),
        text("description"),
        text("justification"),
        Field("related_issue_id", "text", 100, nullable=True),
        Field("impact", "json", nullable=True),
        Field("decision", "choice", nullable=True, choices=DECISIONS),
        optional_text("authority", 200),
        optional_text("rationale"),
        optional_text("implementation_notes"),
        choice("status", STATUSES),
    ),
    derived={"step": lambda s: STEP[s["status"]]},
    derived_fields=(choice("step", STEPS),),
    create=Command(
        "raise_change",
        "raise_request",
        "Raised",
        (
            text("title", 200),
            text("description"),
            text("justification"),
            Field("related_issue_id", "text", 100, nullable=True),
        ),
        schema="ChangeRaise",
        summary="Raise a change request in an open project.",
        action="raise a change request in",
        status="raised",
        roles=RAISERS,
    ),
    commands=(
        Command(
            "assess_change",
            "assess_impact",
            "ImpactAssessed",
            (
                Field(
                    "cost_impact",
                    "decimal",
                    pattern=r"-?\d{1,12}(\.\d{1,2})?",
                    example="-1500.50",
                ),
                Field("time_impact_days", "integer", low=-MAX_DAYS, high=MAX_DAYS),
                *(optional_text(name) for name in IMPACTS),
            ),
            path="assessments",
            schema="ChangeAssessment",
            summary="Record the change's impact assessment.",
            action="assess",
            allowed=("raised", "assessed", "deferred", "info-requested"),
            status="assessed",
            effect=impact_assessed,
        ),
        Command(
            "decide_change",
            "decide",
            "Decided",
            (choice("decision", DECISIONS), text("authority", 200), text("rationale")),
            path="decisions",
            schema="ChangeDecision",
            summary="Record the change authority's decision.",
            action="decide",
            allowed=("assessed",),
            status_of=("decision", DECIDED_STATUS),
        ),
        Command(
            "implement_change",
            "implement",
            "Implemented",
            (optional_text("notes"),),
            path="implementation",
            schema="ChangeImplementation",
            summary="Record that an approved change was implemented.",
            action="implement",
            allowed=("approved",),
            status="implemented",
            effect=implemented,
            created=False,
        ),
        Command(
            "close_change",
            "close",
            "Closed",
            path="close",
            summary="Close an implemented, rejected or deferred change request.",
            action="close",
            allowed=("implemented", "rejected", "deferred"),
            status="closed",
            created=False,
            body_required=False,
        ),
    ),
    filters={
        "status": ("status", "eq"),
        "step": ("step", "eq"),
        "decision": ("decision", "eq"),
        "authority": ("authority", "eq"),
    },
    list_filters=("status", "step"),
    title="Change log",
    ui_columns=("title", "step", "status", "decision", "authority", "created_at"),
    ui_filters=("status", "step", "decision"),
    export_columns=(
        "id",
        "title",
        "step",
        "decision",
        "authority",
        "description",
        "justification",
        "impact",
        "rationale",
        "implementation_notes",
        "related_issue_id",
    ),
    import_steps=IMPORT_STEPS,
)
ChangeRequest = entry_class(CHANGE)

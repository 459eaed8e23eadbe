"""The risk register, declared: cause, event and effect, scored 1-25.

The probability and impact given when a risk is identified are its inherent
values; until an assessment says otherwise the residual values equal them.
Only an open risk can be assessed, responded to or closed; only a closed one
can be reopened.
"""

from __future__ import annotations

from typing import Any, Final

from service.domain.base import Meta, check_choice
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
    scale,
    text,
)

STATUSES: Final = ("open", "closed")
CATEGORIES: Final = (
    "schedule",
    "cost",
    "quality",
    "scope",
    "legal",
    "commercial",
    "technical",
    "resource",
    "safety",
    "other",
)
KINDS: Final = ("threat", "opportunity")
PROXIMITIES: Final = ("imminent", "within-stage", "within-project", "beyond-project")
RESPONSES: Final = {
    "threat": ("avoid", "reduce", "prepare", "transfer", "share", "accept"),
    "opportunity": ("exploit", "enhance", "share", "reject"),
}
RATINGS: Final = (
    "inherent_probability",
    "inherent_impact",
    "residual_probability",
    "residual_impact",
)

DESCRIBED: Final = (
    text("title", 200),
    text("cause"),
    text("event"),
    text("effect"),
    choice("category", CATEGORIES),
    choice("kind", KINDS),
    text("owner", 200),
    choice("proximity", PROXIMITIES),
)
"""What a risk is, given when it is identified and kept as given."""


def identified(values: dict[str, Any], state: State) -> dict[str, Any]:
    """The given probability and impact are both inherent and residual."""
    changes = dict(values)
    probability = changes.pop("probability")
    impact = changes.pop("impact")
    return changes | dict(zip(RATINGS, (probability, impact) * 2, strict=True))


def response_fits_kind(state: State, values: dict[str, Any], meta: Meta) -> None:
    """Threats and opportunities have different response categories."""
    check_choice("response", values["response"], RESPONSES[state["kind"]])


RISK = RegisterKind(
    name="risks",
    noun="risk",
    aggregate="Risk",
    module=__name__,
    description="A threat or opportunity with one owner.",
    blueprint_description="Risk register",
    list_summary="A project's risk register, filtered, a page at a time.",
    statuses=STATUSES,
    fields=(
        *DESCRIBED,
        *(scale(name) for name in RATINGS),
        Field("response", "choice", nullable=True, choices=RESPONSES["threat"]),
        optional_text("actions"),
        optional_text("actionee", 200),
        choice("status", STATUSES),
    ),
    derived={
        "inherent_score": lambda s: s["inherent_probability"] * s["inherent_impact"],
        "residual_score": lambda s: s["residual_probability"] * s["residual_impact"],
    },
    derived_fields=(
        Field("inherent_score", "integer", high=25),
        Field("residual_score", "integer", high=25),
    ),
    create=Command(
        "identify_risk",
        "identify",
        "Identified",
        (
            *DESCRIBED,
            scale("probability"),
            scale("impact"),
        ),
        schema="RiskIdentification",
        summary="Record a newly identified risk in an open project.",
        action="record a risk in",
        status="open",
        effect=identified,
        roles=RAISERS,
    ),
    commands=(
        Command(
            "assess_risk",
            "assess",
            "Assessed",
            tuple(scale(name) for name in RATINGS),
            path="assessments",
            schema="RiskAssessment",
            summary="Record inherent and residual probability and impact.",
            action="assess",
            allowed=("open",),
        ),
        Command(
            "plan_risk_response",
            "plan_response",
            "ResponsePlanned",
            (
                choice("response", tuple(sorted(set(sum(RESPONSES.values(), ()))))),
                text("actions"),
                text("actionee", 200),
            ),
            path="responses",
            schema="RiskResponse",
            summary="Record the planned response to a risk.",
            action="plan a response to",
            allowed=("open",),
            guard=response_fits_kind,
            endpoint="plan_response",
            in_project="plan a risk response in",
        ),
        Command(
            "close_risk",
            "close",
            "Closed",
            path="close",
            summary="Close a risk.",
            action="close",
            allowed=("open",),
            status="closed",
            created=False,
            body_required=False,
        ),
        Command(
            "reopen_risk",
            "reopen",
            "Reopened",
            path="reopen",
            summary="Reopen a closed risk.",
            action="reopen",
            allowed=("closed",),
            status="open",
            created=False,
            body_required=False,
        ),
    ),
    filters={
        "status": ("status", "eq"),
        "owner": ("owner", "eq"),
        "category": ("category", "eq"),
        "kind": ("kind", "eq"),
        "proximity": ("proximity", "eq"),
        "response": ("response", "eq"),
        "min_score": ("residual_score", "min"),
        "min_residual_score": ("residual_score", "min"),
        "min_inherent_score": ("inherent_score", "min"),
    },
    list_filters=("status", "category", "kind"),
    title="Risk register",
    ui_columns=(
        "title",
        "category",
        "kind",
        "owner",
        "proximity",
        "inherent_score",
        "residual_score",
        "response",
        "status",
        "created_at",
    ),
    ui_filters=("status", "category", "kind", "proximity", "owner"),
    sorts=("created_at", "recorded_at", "title", "inherent_score", "residual_score"),
    export_columns=(
        "id",
        "title",
        "cause",
        "event",
        "effect",
        "category",
        "kind",
        "owner",
        "proximity",
        "inherent_probability",
        "inherent_impact",
        "inherent_score",
        "residual_probability",
        "residual_impact",
        "residual_score",
        "response",
        "actions",
        "actionee",
    ),
    import_renamed=(
        ("probability", "inherent_probability"),
        ("impact", "inherent_impact"),
    ),
    import_steps=(
        ImportStep("assess_risk", ("residual_probability", "residual_impact")),
        ImportStep("plan_risk_response", ("response",)),
        ImportStep("close_risk", statuses=("closed",)),
    ),
)
Risk = entry_class(RISK)

"""Stakeholders and communications, declared: who cares, how they hear, what was sent.

- stakeholders: active -> assess_stakeholder -> active; -> retire_stakeholder
  (with a reason) -> retired. Interest and influence (1-5) place a
  stakeholder on the power/interest grid (`quadrant`).
- communications (the plan): active -> revise_communication -> active;
  -> retire_communication (with a reason) -> retired.
- messages (the communications log): what was sent, to whom, when, and the
  document version sent; an entry is never changed (a correction is a later
  entry naming it).
"""

from __future__ import annotations

from typing import Final

from service.domain.entry import entry_class
from service.domain.register import (
    RAISERS,
    Command,
    Field,
    ImportStep,
    RegisterKind,
    State,
    choice,
    document_version,
    needs_reason,
    optional_reference,
    optional_text,
    references,
    scale,
    text,
)

KINDS: Final = ("person", "group")
ENGAGEMENT: Final = ("unaware", "resistant", "neutral", "supportive", "leading")
ATTITUDES: Final = ("advocate", "supporter", "neutral", "critic", "blocker")
CHANNELS: Final = (
    "email",
    "meeting",
    "report",
    "workshop",
    "newsletter",
    "intranet",
    "briefing",
)
FREQUENCIES: Final = (
    "once",
    "weekly",
    "fortnightly",
    "monthly",
    "quarterly",
    "per-stage",
    "as-needed",
)
ACTIVE: Final = ("active", "retired")
QUADRANTS: Final = ("manage-closely", "keep-satisfied", "keep-informed", "monitor")

ASSESSED: Final = (
    scale("interest"),
    scale("influence"),
    choice("current_engagement", ENGAGEMENT),
    choice("desired_engagement", ENGAGEMENT),
    choice("attitude", ATTITUDES),
)
IDENTIFIED: Final = (
    Field("name", "text", 200, personal="name"),
    Field("email", "text", 254, required=False, personal="email"),
    choice("kind", KINDS),
    optional_text("organisation", 200),
    text("role", 200),
    *ASSESSED,
    text("owner", 200),
)


def quadrant(state: State) -> str:
    """Where interest (x) and influence (y) place a stakeholder on the grid."""
    high_interest = int(state.get("interest") or 0) >= 3
    high_influence = int(state.get("influence") or 0) >= 3
    if high_influence:
        return "manage-closely" if high_interest else "keep-satisfied"
    return "keep-informed" if high_interest else "monitor"


def engagement_gap(state: State) -> int:
    """How many levels the current engagement is below the desired one."""
    current, desired = state.get("current_engagement"), state.get("desired_engagement")
    if current not in ENGAGEMENT or desired not in ENGAGEMENT:
        return 0
    return ENGAGEMENT.index(desired) - ENGAGEMENT.index(current)


STAKEHOLDER = RegisterKind(
    name="stakeholders",
    noun="stakeholder",
    aggregate="Stakeholder",
    module=__name__,
    description="A person or group with an interest in, or influence over, a project.",
    blueprint_description="Stakeholder register",
    list_summary="A project's stakeholders, filtered, a page at a time.",
    statuses=ACTIVE,
    fields=(*IDENTIFIED, choice("status", ACTIVE)),
    derived={"quadrant": quadrant, "engagement_gap": engagement_gap},
    derived_fields=(
        choice("quadrant", QUADRANTS),
        Field("engagement_gap", "integer", low=-4, high=4),
    ),
    create=Command(
        "identify_stakeholder",
        "identify",
        "Identified",
        IDENTIFIED,
        schema="StakeholderIdentification",
        summary="Record a stakeholder of an open project.",
        action="record a stakeholder in",
        status="active",
        roles=RAISERS,
    ),
    commands=(
        Command(
            "assess_stakeholder",
            "assess",
            "Assessed",
            ASSESSED,
            path="assessments",
            schema="StakeholderAssessment",
            summary="Record a stakeholder's interest, influence, engagement and "
            "attitude as they stand now.",
            action="assess",
            allowed=("active",),
            created=False,
        ),
        Command(
            "retire_stakeholder",
            "retire",
            "Retired",
            path="retire",
            summary="Record (with a reason) that a stakeholder no longer matters "
            "to the project.",
            action="retire",
            allowed=("active",),
            status="retired",
            guard=needs_reason("retire a stakeholder"),
            created=False,
            body_required=False,
        ),
    ),
    filters={
        "status": ("status", "eq"),
        "kind": ("kind", "eq"),
        "attitude": ("attitude", "eq"),
        "quadrant": ("quadrant", "eq"),
    },
    list_filters=("status", "kind", "attitude", "quadrant"),
    title="Stakeholder register",
    ui_columns=(
        "name",
        "kind",
        "organisation",
        "role",
        "interest",
        "influence",
        "quadrant",
        "current_engagement",
        "desired_engagement",
        "attitude",
        "owner",
        "status",
    ),
    ui_filters=("status", "kind", "attitude", "quadrant", "owner"),
    sorts=("created_at", "recorded_at", "name"),
    export_columns=(
        "id",
        "name",
        "email",
        "kind",
        "organisation",
        "role",
        "interest",
        "influence",
        "current_engagement",
        "desired_engagement",
        "attitude",
        "owner",
        "quadrant",
    ),
    import_steps=(ImportStep("retire_stakeholder", statuses=("retired",)),),
)
Stakeholder = entry_class(STAKEHOLDER)

PLANNED: Final = (
    text("audience", 500),
    text("purpose", 1000),
    choice("channel", CHANNELS),
    choice("frequency", FREQUENCIES),
    text("owner", 200),
)

COMMUNICATION = RegisterKind(
    name="communications",
    noun="communication",
    aggregate="Communication",
    module=__name__,
    description="A line of the communications plan: who hears what, how and how often.",
    blueprint_description="Communications plan",
    list_summary="A project's communications plan, a page at a time.",
    statuses=ACTIVE,
    fields=(
        text("title", 200),
        *PLANNED,
        references("stakeholder_ids", "stakeholders"),
        choice("status", ACTIVE),
    ),
    create=Command(
        "plan_communication",
        "plan",
        "Planned",
        (text("title", 200), *PLANNED, references("stakeholder_ids", "stakeholders")),
        schema="CommunicationPlan",
        summary="Add a communication to an open project's plan.",
        action="plan a communication in",
        status="active",
    ),
    commands=(
        Command(
            "revise_communication",
            "revise",
            "Revised",
            PLANNED,
            path="revisions",
            schema="CommunicationRevision",
            summary="Revise a planned communication's audience, purpose, channel, "
            "frequency or owner.",
            action="revise",
            allowed=("active",),
            created=False,
        ),
        Command(
            "retire_communication",
            "retire",
            "Retired",
            path="retire",
            summary="Take a communication out of the plan (a reason is required).",
            action="retire",
            allowed=("active",),
            status="retired",
            guard=needs_reason("retire a communication"),
            created=False,
            body_required=False,
        ),
    ),
    filters={
        "status": ("status", "eq"),
        "channel": ("channel", "eq"),
        "frequency": ("frequency", "eq"),
    },
    list_filters=("status", "channel", "frequency"),
    title="Communications plan",
    ui_columns=("title", "audience", "channel", "frequency", "owner", "status"),
    ui_filters=("status", "channel", "frequency", "owner"),
    export_columns=(
        "id",
        "title",
        "audience",
        "purpose",
        "channel",
        "frequency",
        "owner",
        "stakeholder_ids",
    ),
    import_steps=(ImportStep("retire_communication", statuses=("retired",)),),
)
Communication = entry_class(COMMUNICATION)

SENT: Final = (
    text("subject", 200),
    text("sent_to", 500),
    Field("sent_on", "date"),
    choice("channel", CHANNELS),
    text("sent_by", 200),
    optional_text("summary", 2000),
    optional_reference("communication_id", "communications"),
    optional_reference("document_id", "documents"),
    document_version("document_version", "document_id"),
    optional_reference("corrects_id", "messages"),
)


COMMUNICATION_LOG = RegisterKind(
    name="messages",
    noun="communication sent",
    aggregate="CommunicationSent",
    module=__name__,
    description="A communication that was sent: what, to whom, when, by which "
    "channel, and the document version it carried.",
    blueprint_description="Communications log",
    list_summary="What a project has sent, a page at a time.",
    statuses=("sent",),
    fields=(*SENT, choice("status", ("sent",))),
    create=Command(
        "log_communication",
        "log",
        "Sent",
        SENT,
        schema="CommunicationSent",
        summary="Record a communication sent (never changed: a correction is a "
        "later entry naming it in corrects_id).",
        action="log a communication in",
        in_project="log a communication in",
        status="sent",
        roles=RAISERS,
    ),
    commands=(),
    filters={
        "channel": ("channel", "eq"),
        "communication_id": ("communication_id", "eq"),
        "document_id": ("document_id", "eq"),
    },
    list_filters=("channel",),
    title="Communications log",
    ui_columns=("sent_on", "subject", "sent_to", "channel", "sent_by"),
    ui_filters=("channel", "sent_to"),
    sorts=("created_at", "recorded_at", "sent_on"),
    export_columns=(
        "id",
        "subject",
        "sent_to",
        "sent_on",
        "channel",
        "sent_by",
        "summary",
        "communication_id",
        "document_id",
        "document_version",
        "corrects_id",
    ),
    import_steps=(),
)
CommunicationSent = entry_class(COMMUNICATION_LOG)

"""Request bodies of the project, risk, issue, change and decision commands."""

from __future__ import annotations

from marshmallow import RAISE, Schema, fields, validate

from api.schemas.base import Body, Text, choice, optional_text, text
from service.domain import change, issue, project, risk

SCALE = validate.Range(min=1, max=5)


class ProjectDetails(Body):
    """A project's name, description, sponsor and manager."""

    name = text(200)
    description = optional_text()
    sponsor = text(200)
    manager = text(200)


class ProjectRegistration(ProjectDetails):
    """A new project under a unique code."""

    code = Text(required=True, validate=validate.Regexp(r"^[A-Za-z0-9-]{2,20}$"))


class StageChange(Body):
    """The stage a project moves into."""

    stage = text(200)


class RagSchema(Schema):
    """Red, amber or green for each of the six dimensions."""

    class Meta:
        unknown = RAISE

    time = choice(project.RAG_COLOURS)
    cost = choice(project.RAG_COLOURS)
    scope = choice(project.RAG_COLOURS)
    quality = choice(project.RAG_COLOURS)
    benefits = choice(project.RAG_COLOURS)
    risk = choice(project.RAG_COLOURS)


class StatusReportBody(Body):
    """A highlight report for a period."""

    period_start = fields.Date(required=True)
    period_end = fields.Date(required=True)
    rag = fields.Nested(RagSchema, required=True)
    summary = text()
    work_done = optional_text()
    work_next = optional_text()
    tolerance_status = text(200)
    lessons = optional_text()


class RiskIdentification(Body):
    """A newly identified risk."""

    title = text(200)
    cause = text()
    event = text()
    effect = text()
    category = choice(risk.CATEGORIES)
    kind = choice(risk.KINDS)
    owner = text(200)
    proximity = choice(risk.PROXIMITIES)
    probability = fields.Integer(required=True, strict=True, validate=SCALE)
    impact = fields.Integer(required=True, strict=True, validate=SCALE)


class RiskAssessment(Body):
    """Inherent and residual probability and impact, 1-5 each."""

    inherent_probability = fields.Integer(required=True, strict=True, validate=SCALE)
    inherent_impact = fields.Integer(required=True, strict=True, validate=SCALE)
    residual_probability = fields.Integer(required=True, strict=True, validate=SCALE)
    residual_impact = fields.Integer(required=True, strict=True, validate=SCALE)


class RiskResponse(Body):
    """A planned response (threats: avoid..accept; opportunities: exploit..reject)."""

    response = choice(tuple(sorted({r for rs in risk.RESPONSES.values() for r in rs})))
    actions = text()
    actionee = text(200)


class IssueRaise(Body):
    """A newly raised issue."""

    issue_type = choice(issue.ISSUE_TYPES)
    title = text(200)
    description = text()
    priority = choice(issue.PRIORITIES)
    severity = choice(issue.SEVERITIES)


class IssueExamination(Body):
    """The impact analysis, options and recommendation for an issue."""

    impact_analysis = text()
    options = text()
    recommendation = text()


class IssueResolution(Body):
    """How an issue was resolved."""

    resolution = text()


class ChangeRaise(Body):
    """A newly raised change request."""

    title = text(200)
    description = text()
    justification = text()
    related_issue_id = Text(
        load_default=None, allow_none=True, validate=validate.Length(min=1, max=100)
    )


class ChangeAssessment(Body):
    """A change's impact: cost as a decimal string, time in days."""

    cost_impact = Text(
        required=True, validate=validate.Regexp(r"^-?\d{1,12}(\.\d{1,2})?$")
    )
    time_impact_days = fields.Integer(
        required=True,
        strict=True,
        validate=validate.Range(min=-change.MAX_DAYS, max=change.MAX_DAYS),
    )
    scope_impact = optional_text()
    quality_impact = optional_text()
    risk_impact = optional_text()
    benefits_impact = optional_text()


class ChangeDecision(Body):
    """The change authority's decision."""

    decision = choice(change.DECISIONS)
    authority = text(200)
    rationale = text()


class ChangeImplementation(Body):
    """Notes on how an approved change was implemented."""

    notes = optional_text()


class DecisionRecord(Body):
    """A decision for the project's decision log."""

    title = text(200)
    context = text()
    options = fields.List(
        text(1000), load_default=list, validate=validate.Length(max=50)
    )
    outcome = text()
    rationale = text()
    decided_by = text(200)
    decided_on = fields.Date(required=True)
    related_ids = fields.List(
        text(100), load_default=list, validate=validate.Length(max=50)
    )


class Supersession(Body):
    """The newer decision that replaces this one."""

    superseded_by = fields.UUID(required=True)

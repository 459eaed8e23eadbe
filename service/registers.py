"""Register commands: risks, issues, change requests and decisions."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from service.application import Written
from service.domain.base import InvalidValueError, Meta
from service.domain.change import ChangeRequest
from service.domain.decision import Decision
from service.domain.issue import Issue
from service.domain.risk import Risk
from service.projects import ProjectCommands


class RegisterCommands(ProjectCommands):
    """Commands on the risk, issue, change and decision registers."""

    def identify_risk(
        self,
        project_id: UUID,
        title: str,
        cause: str,
        event: str,
        effect: str,
        category: str,
        kind: str,
        owner: str,
        proximity: str,
        probability: int,
        impact: int,
        meta: Meta,
    ) -> Written:
        """Record a newly identified risk in an open project."""
        return self.create_in_project(
            project_id,
            "record a risk in",
            lambda: Risk.identify(
                project_id,
                title,
                cause,
                event,
                effect,
                category,
                kind,
                owner,
                proximity,
                probability,
                impact,
                meta,
            ),
        )

    def assess_risk(
        self,
        risk_id: UUID,
        inherent_probability: int,
        inherent_impact: int,
        residual_probability: int,
        residual_impact: int,
        meta: Meta,
        expected_version: int | None = None,
    ) -> Written:
        """Record inherent and residual probability and impact."""
        return self.change_in_project(
            Risk,
            risk_id,
            "assess a risk in",
            lambda r: r.assess(
                inherent_probability,
                inherent_impact,
                residual_probability,
                residual_impact,
                meta,
            ),
            expected_version,
        )

    def plan_risk_response(
        self,
        risk_id: UUID,
        response: str,
        actions: str,
        actionee: str,
        meta: Meta,
        expected_version: int | None = None,
    ) -> Written:
        """Record the planned response to a risk."""
        return self.change_in_project(
            Risk,
            risk_id,
            "plan a risk response in",
            lambda r: r.plan_response(response, actions, actionee, meta),
            expected_version,
        )

    def close_risk(
        self, risk_id: UUID, meta: Meta, expected_version: int | None = None
    ) -> Written:
        """Close a risk."""
        return self.change_in_project(
            Risk, risk_id, "close a risk in", lambda r: r.close(meta), expected_version
        )

    def reopen_risk(
        self, risk_id: UUID, meta: Meta, expected_version: int | None = None
    ) -> Written:
        """Reopen a closed risk."""
        return self.change_in_project(
            Risk,
            risk_id,
            "reopen a risk in",
            lambda r: r.reopen(meta),
            expected_version,
        )

    def raise_issue(
        self,
        project_id: UUID,
        issue_type: str,
        title: str,
        description: str,
        priority: str,
        severity: str,
        meta: Meta,
    ) -> Written:
        """Raise an issue in an open project."""
        return self.create_in_project(
            project_id,
            "raise an issue in",
            lambda: Issue.raise_issue(
                project_id, issue_type, title, description, priority, severity, meta
            ),
        )

    def examine_issue(
        self,
        issue_id: UUID,
        impact_analysis: str,
        options: str,
        recommendation: str,
        meta: Meta,
        expected_version: int | None = None,
    ) -> Written:
        """Record the examination of an issue."""
        return self.change_in_project(
            Issue,
            issue_id,
            "examine an issue in",
            lambda i: i.examine(impact_analysis, options, recommendation, meta),
            expected_version,
        )

    def resolve_issue(
        self,
        issue_id: UUID,
        resolution: str,
        meta: Meta,
        expected_version: int | None = None,
    ) -> Written:
        """Record how an issue was resolved."""
        return self.change_in_project(
            Issue,
            issue_id,
            "resolve an issue in",
            lambda i: i.resolve(resolution, meta),
            expected_version,
        )

    def close_issue(
        self, issue_id: UUID, meta: Meta, expected_version: int | None = None
    ) -> Written:
        """Close an issue."""
        return self.change_in_project(
            Issue,
            issue_id,
            "close an issue in",
            lambda i: i.close(meta),
            expected_version,
        )

    def raise_change(
        self,
        project_id: UUID,
        title: str,
        description: str,
        justification: str,
        related_issue_id: str | None,
        meta: Meta,
    ) -> Written:
        """Raise a change request in an open project."""
        return self.create_in_project(
            project_id,
            "raise a change request in",
            lambda: ChangeRequest.raise_request(
                project_id, title, description, justification, related_issue_id, meta
            ),
        )

    def assess_change(
        self,
        change_id: UUID,
        cost_impact: str,
        time_impact_days: int,
        scope_impact: str,
        quality_impact: str,
        risk_impact: str,
        benefits_impact: str,
        meta: Meta,
        expected_version: int | None = None,
    ) -> Written:
        """Record a change request's impact assessment."""
        return self.change_in_project(
            ChangeRequest,
            change_id,
            "assess a change request in",
            lambda c: c.assess_impact(
                cost_impact,
                time_impact_days,
                scope_impact,
                quality_impact,
                risk_impact,
                benefits_impact,
                meta,
            ),
            expected_version,
        )

    def decide_change(
        self,
        change_id: UUID,
        decision: str,
        authority: str,
        rationale: str,
        meta: Meta,
        expected_version: int | None = None,
    ) -> Written:
        """Record the change authority's decision."""
        return self.change_in_project(
            ChangeRequest,
            change_id,
            "decide a change request in",
            lambda c: c.decide(decision, authority, rationale, meta),
            expected_version,
        )

    def implement_change(
        self,
        change_id: UUID,
        notes: str,
        meta: Meta,
        expected_version: int | None = None,
    ) -> Written:
        """Record that an approved change was implemented."""
        return self.change_in_project(
            ChangeRequest,
            change_id,
            "implement a change request in",
            lambda c: c.implement(notes, meta),
            expected_version,
        )

    def close_change(
        self, change_id: UUID, meta: Meta, expected_version: int | None = None
    ) -> Written:
        """Close a change request."""
        return self.change_in_project(
            ChangeRequest,
            change_id,
            "close a change request in",
            lambda c: c.close(meta),
            expected_version,
        )

    def record_decision(
        self,
        project_id: UUID,
        title: str,
        context: str,
        options: list[str],
        outcome: str,
        rationale: str,
        decided_by: str,
        decided_on: date,
        related_ids: list[str],
        meta: Meta,
    ) -> Written:
        """Record a decision in an open project's decision log."""
        return self.create_in_project(
            project_id,
            "record a decision in",
            lambda: Decision.record(
                project_id,
                title,
                context,
                options,
                outcome,
                rationale,
                decided_by,
                decided_on,
                related_ids,
                meta,
            ),
        )

    def supersede_decision(
        self,
        decision_id: UUID,
        superseded_by: UUID,
        meta: Meta,
        expected_version: int | None = None,
    ) -> Written:
        """Mark a decision superseded by a newer decision of the same project."""
        newer = self.load(Decision, superseded_by)
        return self.change_in_project(
            Decision,
            decision_id,
            "supersede a decision in",
            lambda d: (
                d.supersede(str(newer.id), meta)
                if newer.project_id == d.project_id
                else _refuse_other_project()
            ),
            expected_version,
        )


def _refuse_other_project() -> None:
    raise InvalidValueError("superseded_by", "must be a decision of the same project")

"""Issues: raise, examine, resolve, close; list, read, history."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from flask import Response
from flask_smorest import Blueprint
from marshmallow import fields, validate

from api.auth import request_meta
from api.resources.common import (
    check_project_version,
    expected_version,
    ledger,
    problems,
    register_page,
    written,
)
from api.resources.routes import command, read_routes
from api.schemas.base import EmptyBody, PageSchema, list_args
from api.schemas.registers import IssueExamination, IssueRaise, IssueResolution
from service.domain import issue
from service.domain.issue import Issue

blp = Blueprint("issues", __name__, url_prefix="/api/v1", description="Issue register")
ONE = "/issues/<uuid:issue_id>"
IssueListArgs = list_args(
    "IssueListArgs",
    status=fields.String(validate=validate.OneOf(issue.STATUSES)),
    issue_type=fields.String(validate=validate.OneOf(issue.ISSUE_TYPES)),
    priority=fields.String(validate=validate.OneOf(issue.PRIORITIES)),
    severity=fields.String(validate=validate.OneOf(issue.SEVERITIES)),
)


@command(blp, "/projects/<uuid:project_id>/issues", IssueRaise, status=201)
def raise_issue(body: dict[str, Any], project_id: UUID) -> Response:
    """Raise an issue in an open project."""
    check_project_version(project_id)
    result = ledger().raise_issue(
        project_id,
        body["issue_type"],
        body["title"],
        body["description"],
        body["priority"],
        body["severity"],
        request_meta(body["reason"]),
    )
    return written(result, f"/issues/{result.id}", created=True)


@blp.route("/projects/<uuid:project_id>/issues", methods=["GET"])
@blp.arguments(IssueListArgs, location="query")
@blp.response(200, PageSchema)
@problems(blp, 422, 503)
def list_issues(args: dict[str, Any], project_id: UUID) -> Response:
    """A project's issue register, filtered, a page at a time."""
    return register_page("issues", project_id, args)


read_routes(blp, ONE, Issue, "issue")


@command(blp, ONE + "/examination", IssueExamination)
def examine_issue(body: dict[str, Any], issue_id: UUID) -> Response:
    """Record the impact analysis, options and recommendation."""
    result = ledger().examine_issue(
        issue_id,
        body["impact_analysis"],
        body["options"],
        body["recommendation"],
        request_meta(body["reason"]),
        expected_version(),
    )
    return written(result, f"/issues/{issue_id}")


@command(blp, ONE + "/resolution", IssueResolution)
def resolve_issue(body: dict[str, Any], issue_id: UUID) -> Response:
    """Record how an examined issue was resolved."""
    result = ledger().resolve_issue(
        issue_id, body["resolution"], request_meta(body["reason"]), expected_version()
    )
    return written(result, f"/issues/{issue_id}")


@command(blp, ONE + "/close", EmptyBody, required=False)
def close_issue(body: dict[str, Any], issue_id: UUID) -> Response:
    """Close an issue (an unresolved one only with a reason)."""
    result = ledger().close_issue(
        issue_id, request_meta(body.get("reason")), expected_version()
    )
    return written(result, f"/issues/{issue_id}")

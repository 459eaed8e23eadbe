"""Reports issued and frozen: issue one, list them, read one, fetch an issue's bytes."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from flask import Response, jsonify
from marshmallow import Schema, fields, validate

from api.auth import request_meta
from api.context import services
from api.resources.common import Blueprint, problems, written
from api.resources.content import BINARY, send
from api.resources.routes import command
from api.schemas.base import Body, Open, ReadArgs, choice, optional_text
from service.domain.document import CLASSIFICATIONS
from service.domain.report import NARRATIVE, REPORT_TYPES
from usecases import content, issued

blp = Blueprint(
    "reports",
    __name__,
    url_prefix="/api/v1",
    description="Reports issued and frozen: checkpoint, highlight, end stage, "
    "exception and end project reports as sent",
)
ONE = "/reports/<uuid:report_id>"


Narrative = Schema.from_dict(
    {name: optional_text() for name in NARRATIVE}, name="ReportNarrative"
)
"""The report's words; a highlight takes missing ones from its status report."""


class ReportIssue(Body):
    """Issue a project's report for a period (again: the next issue)."""

    report_type = choice(REPORT_TYPES)
    period_start = fields.Date(required=True)
    period_end = fields.Date(required=True)
    classification = fields.String(
        load_default="internal", validate=validate.OneOf(CLASSIFICATIONS)
    )
    narrative = fields.Nested(Narrative, load_default=dict)


class ReportSchema(Open):
    """A report and every issue of it (as at a moment)."""

    id = fields.String()
    report_type = fields.String()
    issues = fields.List(fields.Dict())


@command(blp, "/projects/<project:project_id>/reports", ReportIssue, status=201)
def issue_report(body: dict[str, Any], project_id: UUID) -> Response:
    """Issue a report: read as at the period end, rendered, stored in custody."""
    result = issued.issue_report(
        services(), issue_command(project_id, body), request_meta(body["reason"])
    )
    path = f"/reports/{result.written.id}"
    return written(
        result.written, path, created=True, number=result.number, issue=result.issue
    )


def issue_command(project_id: UUID, body: dict[str, Any]) -> issued.IssueReport:
    """The use case's command from a loaded `ReportIssue` body."""
    return issued.IssueReport(
        project_id,
        body["report_type"],
        body["period_start"],
        body["period_end"],
        body["classification"],
        body["narrative"],
    )


@blp.route("/projects/<project:project_id>/reports", methods=["GET"])
@blp.arguments(ReadArgs, location="query")
@blp.response(200, ReportSchema(many=True))
@problems(blp, 404, 422, 503)
def list_reports(args: dict[str, Any], project_id: UUID) -> Response:
    """A project's issued reports with their issues, now or as at a moment."""
    query = issued.ReportsQuery(project_id, args["as_of"], args["min_position"])
    return jsonify(issued.list_reports(services(), query))


@blp.route(ONE, methods=["GET"])
@blp.arguments(ReadArgs, location="query")
@blp.response(200, ReportSchema)
@problems(blp, 404, 422)
def get_report(args: dict[str, Any], report_id: UUID) -> Response:
    """One report's record: its documents and every issue (as at a moment)."""
    return jsonify(issued.get_report(services(), report_id, args["as_of"]))


@blp.route(ONE + "/issues/<int:number>/<any(pdf, html):kind>", methods=["GET"])
@blp.doc(responses={"200": BINARY})
@problems(blp, 404)
def issue_content(report_id: UUID, number: int, kind: str) -> Response:
    """An issue's stored PDF or HTML, exactly as sent (recorded as a copy issued)."""
    document_id, version = issued.issue_document(services(), report_id, number, kind)
    command = content.DownloadVersion(document_id, version)
    return send(content.download_version(services(), command, request_meta()))

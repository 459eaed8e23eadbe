"""Projects: register, list, read, change details and stage, report status, close."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from flask import Response, jsonify

from api.access import reach
from api.auth import request_meta
from api.context import services
from api.resources.common import Blueprint, expected_version, problems, written
from api.resources.routes import command, read_routes
from api.schemas.base import EmptyBody, PageSchema, ReadArgs
from api.schemas.registers import (
    ProjectDetails,
    ProjectRegistration,
    StageChange,
    StatusReportBody,
)
from service.domain.project import Project
from usecases import projects

blp = Blueprint("projects", __name__, url_prefix="/api/v1", description="Projects")
ONE = "/projects/<project:project_id>"


@command(blp, "/projects", ProjectRegistration, status=201, codes=(409, 422))
def register_project(body: dict[str, Any]) -> Response:
    """Register a project under a unique code."""
    result = projects.register_project(
        services(),
        projects.RegisterProject(
            body["code"],
            body["name"],
            body["description"],
            body["sponsor"],
            body["manager"],
        ),
        request_meta(body["reason"]),
    )
    return written(result, f"/projects/{result.id}", created=True)


@blp.route("/projects", methods=["GET"])
@blp.arguments(ReadArgs, location="query")
@blp.response(200, PageSchema)
@problems(blp, 422, 503)
def list_projects(args: dict[str, Any]) -> Response:
    """Every project (from the read models), optionally as it stood at a moment."""
    rows = projects.list_projects(
        services(), projects.ProjectsQuery(args["as_of"], args["min_position"])
    )
    return jsonify(items=reach().projects(rows), next_cursor=None)


read_routes(blp, ONE, Project, "project")


@command(blp, ONE + "/details", ProjectDetails)
def change_details(body: dict[str, Any], project_id: UUID) -> Response:
    """Replace a project's name, description, sponsor and manager."""
    result = projects.change_project_details(
        services(),
        projects.ChangeProjectDetails(
            project_id,
            body["name"],
            body["description"],
            body["sponsor"],
            body["manager"],
            expected_version(),
        ),
        request_meta(body["reason"]),
    )
    return written(result, f"/projects/{project_id}")


@command(blp, ONE + "/stage", StageChange)
def change_stage(body: dict[str, Any], project_id: UUID) -> Response:
    """Move a project into a named stage."""
    result = projects.change_project_stage(
        services(),
        projects.ChangeProjectStage(project_id, body["stage"], expected_version()),
        request_meta(body["reason"]),
    )
    return written(result, f"/projects/{project_id}")


@command(blp, ONE + "/status-reports", StatusReportBody, status=201)
def report_status(body: dict[str, Any], project_id: UUID) -> Response:
    """Record a highlight report (RAG per dimension and a summary)."""
    result = projects.report_status(
        services(),
        projects.ReportStatus(
            project_id,
            body["period_start"],
            body["period_end"],
            dict(body["rag"]),
            body["summary"],
            body["work_done"],
            body["work_next"],
            body["tolerance_status"],
            body["lessons"],
            expected_version(),
        ),
        request_meta(body["reason"]),
    )
    return written(result, f"/projects/{project_id}", created=True)


@command(blp, ONE + "/close", EmptyBody, required=False)
def close_project(body: dict[str, Any], project_id: UUID) -> Response:
    """Close a project; nothing more may be recorded against it."""
    result = projects.close_project(
        services(),
        projects.CloseProject(project_id, expected_version()),
        request_meta(body.get("reason")),
    )
    return written(result, f"/projects/{project_id}")


@command(blp, ONE + "/reopen", EmptyBody, required=False)
def reopen_project(body: dict[str, Any], project_id: UUID) -> Response:
    """Reopen a closed project (PMO head only)."""
    result = projects.reopen_project(
        services(),
        projects.ReopenProject(project_id, expected_version()),
        request_meta(body.get("reason")),
    )
    return written(result, f"/projects/{project_id}")

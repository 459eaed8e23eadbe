"""Projects: register, list, read, change details and stage, report status, close."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from flask import Response, jsonify
from flask_smorest import Blueprint

from api.auth import request_meta
from api.resources.common import (
    entity_response,
    expected_version,
    history,
    ledger,
    load_at,
    plain,
    problems,
    query_views,
    views,
    wait_for_position,
    written,
)
from api.schemas.base import (
    EmptyBody,
    EntitySchema,
    HistorySchema,
    PageSchema,
    ReadArgs,
    WrittenSchema,
)
from api.schemas.registers import (
    ProjectDetails,
    ProjectRegistration,
    StageChange,
    StatusReportBody,
)
from service.domain.project import Project

blp = Blueprint("projects", __name__, url_prefix="/api/v1", description="Projects")
ONE = "/projects/<uuid:project_id>"


@blp.route("/projects", methods=["POST"])
@blp.arguments(ProjectRegistration)
@blp.response(201, WrittenSchema)
@problems(blp, 409, 422)
def register_project(body: dict[str, Any]) -> Response:
    """Register a project under a unique code."""
    result = ledger().register_project(
        body["code"],
        body["name"],
        body["description"],
        body["sponsor"],
        body["manager"],
        request_meta(body["reason"]),
    )
    return written(result, f"/projects/{result.id}", created=True)


@blp.route("/projects", methods=["GET"])
@blp.arguments(ReadArgs, location="query")
@blp.response(200, PageSchema)
@problems(blp, 422, 503)
def list_projects(args: dict[str, Any]) -> Response:
    """Every project (from the read models), optionally as it stood at a moment."""
    wait_for_position(args["min_position"])
    rows = query_views(views().list_projects, as_of=args["as_of"])
    return jsonify(items=plain(rows), next_cursor=None)


@blp.route(ONE, methods=["GET"])
@blp.arguments(ReadArgs, location="query")
@blp.response(200, EntitySchema)
@problems(blp, 404, 422)
def get_project(args: dict[str, Any], project_id: UUID) -> Response:
    """One project, now or as it stood at a moment."""
    return entity_response(load_at(Project, project_id, args["as_of"]))


@blp.route(ONE + "/history", methods=["GET"])
@blp.response(200, HistorySchema)
@problems(blp, 404)
def project_history(project_id: UUID) -> Response:
    """Every event of one project, oldest first."""
    return history(Project, project_id)


@blp.route(ONE + "/details", methods=["POST"])
@blp.arguments(ProjectDetails)
@blp.response(200, WrittenSchema)
@problems(blp, 404, 409, 412, 422)
def change_details(body: dict[str, Any], project_id: UUID) -> Response:
    """Replace a project's name, description, sponsor and manager."""
    result = ledger().change_project_details(
        project_id,
        body["name"],
        body["description"],
        body["sponsor"],
        body["manager"],
        request_meta(body["reason"]),
        expected_version(),
    )
    return written(result, f"/projects/{project_id}")


@blp.route(ONE + "/stage", methods=["POST"])
@blp.arguments(StageChange)
@blp.response(200, WrittenSchema)
@problems(blp, 404, 409, 412, 422)
def change_stage(body: dict[str, Any], project_id: UUID) -> Response:
    """Move a project into a named stage."""
    result = ledger().change_project_stage(
        project_id, body["stage"], request_meta(body["reason"]), expected_version()
    )
    return written(result, f"/projects/{project_id}")


@blp.route(ONE + "/status-reports", methods=["POST"])
@blp.arguments(StatusReportBody)
@blp.response(201, WrittenSchema)
@problems(blp, 404, 409, 412, 422)
def report_status(body: dict[str, Any], project_id: UUID) -> Response:
    """Record a highlight report (RAG per dimension and a summary)."""
    result = ledger().report_project_status(
        project_id,
        body["period_start"],
        body["period_end"],
        dict(body["rag"]),
        body["summary"],
        body["work_done"],
        body["work_next"],
        body["tolerance_status"],
        body["lessons"],
        request_meta(body["reason"]),
        expected_version(),
    )
    return written(result, f"/projects/{project_id}", created=True)


@blp.route(ONE + "/close", methods=["POST"])
@blp.arguments(EmptyBody, required=False)
@blp.response(200, WrittenSchema)
@problems(blp, 404, 409, 412, 422)
def close_project(body: dict[str, Any], project_id: UUID) -> Response:
    """Close a project; nothing more may be recorded against it."""
    result = ledger().close_project(
        project_id, request_meta(body.get("reason")), expected_version()
    )
    return written(result, f"/projects/{project_id}")


@blp.route(ONE + "/reopen", methods=["POST"])
@blp.arguments(EmptyBody, required=False)
@blp.response(200, WrittenSchema)
@problems(blp, 404, 409, 412, 422)
def reopen_project(body: dict[str, Any], project_id: UUID) -> Response:
    """Reopen a closed project (PMO head only)."""
    result = ledger().reopen_project(
        project_id, request_meta(body.get("reason")), expected_version()
    )
    return written(result, f"/projects/{project_id}")

"""Forms on a project's page: change its details or stage, set its cost
tolerance, close it and reopen it, through the use cases the API calls.

Each form is shown only to the roles the API lets run its command and only in
the status the command applies to, refused (403) to anyone else who posts it,
carries the project's version (a stale form shows who changed the project
since it was opened, and records nothing) and a form key (a second submission
of the same form records nothing more). Invalid values come back beside their
fields.
"""

from __future__ import annotations

from functools import partial
from uuid import UUID

from flask import abort, flash, redirect, url_for
from werkzeug.wrappers import Response

from api.resources.value import CostTolerance
from api.schemas.base import EmptyBody
from api.schemas.registers import ProjectDetails, StageChange
from api.ui.common import blueprint, services
from api.ui.custody import may_post
from api.ui.forms import at_most_once
from api.ui.posted import Record, answer, typed
from api.ui.project import DETAIL_FIELDS, PROJECT_FORMS, project_page
from service.application import Written
from service.domain.base import Meta
from usecases import projects, value


@blueprint.post("/projects/<project:project_id>/details")
def change_details(project_id: UUID) -> Response:
    """Replace the project's name, description, sponsor and manager."""

    def record(expected: int | None, meta: Meta) -> Written:
        body = ProjectDetails().load(typed(DETAIL_FIELDS, meta))
        command = projects.ChangeProjectDetails(
            project_id,
            body["name"],
            body["description"],
            body["sponsor"],
            body["manager"],
            expected,
        )
        return projects.change_project_details(services(), command, meta)

    return _post(project_id, "details", "changed the details", record)


@blueprint.post("/projects/<project:project_id>/stage")
def change_stage(project_id: UUID) -> Response:
    """Move the project into a named stage."""

    def record(expected: int | None, meta: Meta) -> Written:
        stage = StageChange().load(typed(("stage",), meta))["stage"]
        command = projects.ChangeProjectStage(project_id, stage, expected)
        return projects.change_project_stage(services(), command, meta)

    return _post(project_id, "stage", "moved the stage", record)


@blueprint.post("/projects/<project:project_id>/cost-tolerance")
def set_cost_tolerance(project_id: UUID) -> Response:
    """Set how far (percent of the budget) the forecast may pass the budget."""

    def record(expected: int | None, meta: Meta) -> Written:
        percent = CostTolerance().load(typed(("percent",), meta))["percent"]
        command = value.SetCostTolerance(project_id, percent, expected)
        return value.set_cost_tolerance(services(), command, meta)

    return _post(project_id, "tolerance", "set the cost tolerance", record)


@blueprint.post("/projects/<project:project_id>/close")
def close_project(project_id: UUID) -> Response:
    """Close the project: nothing more may be recorded against it."""

    def record(expected: int | None, meta: Meta) -> Written:
        EmptyBody().load(typed((), meta))
        command = projects.CloseProject(project_id, expected)
        return projects.close_project(services(), command, meta)

    return _post(project_id, "close", "closed the project", record)


@blueprint.post("/projects/<project:project_id>/reopen")
def reopen_project(project_id: UUID) -> Response:
    """Reopen a closed project."""

    def record(expected: int | None, meta: Meta) -> Written:
        EmptyBody().load(typed((), meta))
        command = projects.ReopenProject(project_id, expected)
        return projects.reopen_project(services(), command, meta)

    return _post(project_id, "reopen", "reopened the project", record)


def _post(project_id: UUID, form: str, done: str, record: Record) -> Response:
    endpoint = PROJECT_FORMS[form]
    if not may_post(endpoint):
        abort(403, f"your role may not {endpoint.split('.')[-1].replace('_', ' ')}")

    def recorded(_: Written) -> Response:
        flash(f"Recorded: {done}.")
        return redirect(url_for("ui.project", project_id=project_id), 303)

    again = partial(project_page, project_id)
    return at_most_once(lambda: answer(form, record, again, recorded))

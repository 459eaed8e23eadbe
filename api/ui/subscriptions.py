"""The PMO head's webhook subscriptions: their state, and forms to manage them."""

from __future__ import annotations

from uuid import UUID

from flask import abort, redirect, request, url_for
from werkzeug.wrappers import Response

from api.auth import allowed_roles
from api.ui.common import blueprint, page, parse_uuid, principal, services, ui_meta
from service.domain.base import DomainError, InvalidValueError
from service.errors import ApplicationError
from usecases import subscriptions as usecase
from usecases.projects import ProjectsQuery, list_projects


def _head_only() -> None:
    if principal().role not in allowed_roles("subscriptions.list_subscriptions", "GET"):
        abort(403)


def _page(status: int = 200, **context: object) -> tuple[str, int]:
    found = services()
    return (
        page(
            "subscriptions.html",
            subscriptions=usecase.list_subscriptions(found),
            projects=list_projects(found, ProjectsQuery()),
            values=request.form if request.method == "POST" else {},
            **context,
        ),
        status,
    )


@blueprint.get("/subscriptions")
def subscriptions() -> tuple[str, int]:
    """Every subscription with its delivery state, and the create form."""
    _head_only()
    return _page()


@blueprint.post("/subscriptions")
def create_subscription() -> tuple[str, int]:
    """Create a subscription; the page shows its secret once."""
    _head_only()
    form = request.form
    project = parse_uuid(form.get("project_id") or None)
    types = tuple(
        t.strip() for t in form.get("event_types", "").split(",") if t.strip()
    )
    command = usecase.CreateSubscription(
        form.get("name", ""),
        form.get("url", ""),
        types,
        (project,) if project else (),
    )
    try:
        created = usecase.create_subscription(services(), command, ui_meta())
    except InvalidValueError as error:
        return _page(422, errors={error.field: error.message})
    return _page(201, created=created)


@blueprint.post("/subscriptions/<uuid:subscription_id>/<any(pause, resume):action>")
def change_subscription(
    subscription_id: UUID, action: str
) -> Response | tuple[str, int]:
    """Pause or resume, then back to the list."""
    _head_only()
    found = services()
    try:
        if action == "pause":
            usecase.pause_subscription(
                found, usecase.PauseSubscription(subscription_id), ui_meta()
            )
        else:
            usecase.resume_subscription(
                found, usecase.ResumeSubscription(subscription_id), ui_meta()
            )
    except (DomainError, ApplicationError) as error:
        return _page(409, problem=str(error))
    return redirect(url_for("ui.subscriptions"), 303)

"""Access: who belongs to which project in which role, and their clearance."""

from __future__ import annotations

from dataclasses import replace
from uuid import UUID

from flask import abort, flash, redirect, request, url_for
from werkzeug.wrappers import Response

from api.auth import allowed_roles
from api.ui.common import blueprint, page, principal, services, ui_meta
from service.domain.membership import CLEARANCES, PORTFOLIO, PROJECT_ROLES
from usecases import membership
from usecases.projects import ProjectsQuery, list_projects

ACTIONS = {
    "grant": "memberships.grant_membership",
    "revoke": "memberships.revoke_membership",
    "clear": "memberships.set_clearance",
}


def _may(endpoint: str, method: str) -> None:
    if principal().role not in allowed_roles(endpoint, method):
        abort(403, "memberships and clearances are managed by the PMO head")


@blueprint.get("/access")
def people() -> str:
    """Every token and person, their memberships and clearance, and the forms."""
    _may("memberships.people", "GET")
    projects = list_projects(services(), ProjectsQuery())
    return page(
        "access.html",
        people=membership.people(services()),
        projects=projects,
        codes={p["id"]: p["code"] for p in projects} | {PORTFOLIO: "every project"},
        roles=PROJECT_ROLES,
        clearances=CLEARANCES,
        may_manage=principal().role in allowed_roles(ACTIONS["grant"], "POST"),
    )


@blueprint.post("/access/<action>")
def change(action: str) -> Response:
    """Grant or revoke a membership, or set a clearance (each an event)."""
    if action not in ACTIONS:
        abort(404)
    _may(ACTIONS[action], "POST")
    form = request.form
    subject = form.get("subject", "")
    meta = replace(ui_meta(), reason=form.get("reason") or "via the web UI")
    if action == "clear":
        membership.set_clearance(
            services(),
            membership.SetClearance(subject, form.get("clearance", "")),
            meta,
        )
    else:
        project = _project(form.get("project", ""))
        if action == "grant":
            command = membership.GrantMembership(subject, project, form.get("role", ""))
            membership.grant_membership(services(), command, meta)
        else:
            end = membership.RevokeMembership(subject, project)
            membership.revoke_membership(services(), end, meta)
    flash("Recorded.")
    return redirect(url_for("ui.people"))


def _project(text: str) -> UUID | None:
    if text == PORTFOLIO:
        return None
    try:
        return UUID(text)
    except ValueError:
        abort(400, "choose a project")

"""Access tokens for the PMO head: who holds one, issue (secret shown once), revoke."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from flask import abort, flash, redirect, request, url_for
from werkzeug.wrappers import Response

from api.auth import allowed_roles
from api.ui.common import blueprint, page, principal, services, ui_meta
from api.ui.forms import at_most_once
from service.domain.base import ROLES, InvalidValueError, Meta
from service.errors import ApplicationError
from usecases import access


def _head_only(endpoint: str, method: str) -> None:
    """Refuse anyone the API would refuse this token operation to."""
    if principal().role not in allowed_roles(endpoint, method):
        abort(403, "only the PMO head manages access tokens")


def _meta() -> Meta:
    reason = request.form.get("reason", "").strip()
    caller = ui_meta()
    return Meta(caller.actor, caller.role, reason or caller.reason, caller.request_id)


def tokens_page(**shown: Any) -> str:
    """The token list with the issue form (and what a posted form left)."""
    return page(
        "tokens.html",
        tokens=access.list_tokens(services()),
        roles=ROLES,
        **shown,
    )


@blueprint.get("/tokens")
def tokens() -> str:
    """Every token ever issued, newest first, with its role and status."""
    _head_only("tokens.list_tokens", "GET")
    return tokens_page()


@blueprint.post("/tokens")
def issue_token() -> Response:
    """Issue a token and show its secret on this page, once."""
    _head_only("tokens.issue_token", "POST")
    name = request.form.get("name", "").strip()
    role = request.form.get("role", "")

    def answer() -> tuple[str, int]:
        errors = {}
        if not name or len(name) > 200:
            errors["name"] = "Required, at most 200 characters."
        if role not in ROLES:
            errors["role"] = f"Choose one of {', '.join(ROLES)}."
        if errors:
            return tokens_page(errors=errors, typed=request.form), 422
        try:
            issued = access.issue_token(
                services(), access.IssueToken(name, role), _meta()
            )
        except (InvalidValueError, ApplicationError) as error:
            return tokens_page(problem=str(error), typed=request.form), 409
        return tokens_page(issued=issued), 201

    def shown_once(first: Response) -> Response | None:
        if first.status_code != 201:
            return None
        flash(
            "That token was issued by the first submission of the form; its"
            " secret is shown only once. Revoke it and issue another if it was lost."
        )
        return redirect(url_for("ui.tokens"), 303)

    return at_most_once(answer, shown_once)


@blueprint.post("/tokens/<uuid:token_id>/revoke")
def revoke_token(token_id: UUID) -> Response:
    """Revoke a token: it stops working at once, its sessions end."""
    _head_only("tokens.revoke_token", "POST")

    def answer() -> Response | tuple[str, int]:
        try:
            access.revoke_token(services(), access.RevokeToken(token_id), _meta())
        except (InvalidValueError, ApplicationError) as error:
            return tokens_page(problem=str(error)), 409
        flash("Revoked: the token no longer opens anything.")
        return redirect(url_for("ui.tokens"), 303)

    return at_most_once(answer)

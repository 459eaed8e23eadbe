"""Personal data for the PMO head: erase a person, export what is held about one."""

from __future__ import annotations

import json
from collections.abc import Callable

from flask import abort, flash, redirect, request, url_for
from werkzeug.wrappers import Response

from api.auth import allowed_roles
from api.ui.common import blueprint, page, principal, services, ui_meta
from api.ui.forms import at_most_once
from service.domain.base import InvalidValueError, Meta
from service.domain.erasure import LEGAL_BASES
from usecases import privacy


def _allowed(endpoint: str, method: str) -> None:
    """Refuse anyone the API would refuse this to."""
    if principal().role not in allowed_roles(endpoint, method):
        abort(403, "only the PMO head erases personal data or exports it")


def _person() -> privacy.Person:
    form = request.form
    return privacy.Person(form.get("name", "")[:300], form.get("email", "")[:300])


def privacy_page(**shown: object) -> str:
    """The erasures recorded, the two forms, and what a posted form left."""
    return page(
        "privacy.html",
        erasures=privacy.list_erasures(services()),
        legal_bases=LEGAL_BASES,
        **shown,
    )


@blueprint.get("/privacy")
def privacy_home() -> str:
    """Every erasure recorded, with the erasure and subject access forms."""
    _allowed("privacy.list_erasures", "GET")
    return privacy_page()


@blueprint.post("/privacy/erasures")
def erase_subject() -> Response:
    """Erase a person: their keys destroyed, every derived copy redacted."""
    _allowed("privacy.erase_subject", "POST")
    basis = request.form.get("legal_basis", "")
    reason = request.form.get("reason", "").strip()

    command = privacy.EraseSubject(_person(), basis, reason)
    return _erase(
        lambda meta: privacy.erase_subject(services(), command, meta), "erase"
    )


@blueprint.post("/privacy/account-erasures")
def erase_account() -> Response:
    """Erase an account: its tokens revoked, its name erased from every record."""
    _allowed("privacy.erase_account", "POST")
    form = request.form
    command = privacy.EraseAccount(
        form.get("name", "")[:300],
        form.get("legal_basis", ""),
        form.get("reason", "").strip(),
    )
    return _erase(
        lambda meta: privacy.erase_account(services(), command, meta), "account"
    )


def _erase(run: Callable[[Meta], privacy.ErasureDone], form: str) -> Response:
    """Carry out an erasure once, and say what it did (or why it was refused)."""
    reason = request.form.get("reason", "").strip()

    def answer() -> Response | tuple[str, int]:
        caller = ui_meta()
        try:
            done = run(Meta(caller.actor, caller.role, reason, caller.request_id))
        except InvalidValueError as error:
            # The typed name and address are not shown back: nothing is kept.
            return privacy_page(problem=str(error), form=form), 422
        flash(
            f"Erased: {len(done.subjects)} subject key(s) destroyed, "
            f"{len(done.rebuilt)} read models rebuilt."
            + (f" Still to rebuild: {', '.join(done.pending)}." if done.pending else "")
        )
        return redirect(url_for("ui.privacy_home"), 303)

    return at_most_once(answer)


@blueprint.post("/privacy/subject-access")
def subject_access() -> Response | tuple[str, int]:
    """What is held about a person: shown here, or downloaded as JSON."""
    _allowed("privacy.subject_access", "POST")
    caller = ui_meta()
    meta = Meta(caller.actor, caller.role, "subject access", caller.request_id)
    try:
        found = privacy.subject_access(services(), _person(), meta)
    except InvalidValueError as error:
        return privacy_page(problem=str(error), form="access"), 422
    if request.form.get("download"):
        return Response(
            json.dumps(found.as_json(), indent=2, default=str),
            mimetype="application/json",
            headers={
                "Content-Disposition": 'attachment; filename="subject-access.json"',
                "Cache-Control": "no-store",
            },
        )
    response = Response(
        privacy_page(found=found, typed=request.form), mimetype="text/html"
    )
    response.headers["Cache-Control"] = "no-store"
    return response

"""Custody forms on a document's page: upload a version, send it for review,
approve or withdraw it, issue a copy, place and release a legal hold, extend
retention, dispose of the document.

Each form is shown only to the roles the API lets run its command (the page
asks `api.ui.custody.offers`), refused (403) to anyone else who posts it,
carries the document's version (a stale form shows who changed the document since it was
opened, and records nothing) and a form key (a second submission of the same
form records nothing more). Invalid values come back beside their fields.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any
from uuid import UUID

from flask import abort, flash, redirect, request, url_for
from werkzeug.wrappers import Response

from api.resources.custody import RetentionExtension
from api.schemas.base import EmptyBody
from api.schemas.documents import CopyIssue, HoldPlacement
from api.ui.common import blueprint, services
from api.ui.custody import CUSTODY_FORMS, document_page, may_post
from api.ui.forms import at_most_once
from api.ui.posted import Record, answer
from service.application import Written
from service.domain.base import InvalidValueError, Meta
from usecases import documents

STEPS: dict[str, tuple[Callable[..., Any], Callable[..., Any]]] = {
    "review": (documents.SendVersionForReview, documents.send_version_for_review),
    "approve": (documents.ApproveVersion, documents.approve_version),
    "withdraw": (documents.WithdrawVersion, documents.withdraw_version),
}


@blueprint.post("/documents/<uuid:document_id>/versions")
def upload_version(document_id: UUID) -> Response:
    """Upload a new version from the file input (the body was spooled by the form
    parser, not held in memory); the content is hashed as it is stored."""

    def record(expected: int | None, meta: Meta) -> Written:
        upload = request.files.get("file")
        if upload is None or not upload.filename:
            raise InvalidValueError("file", "choose a file to upload")
        upload.stream.seek(0)  # from the start again, if tried again
        comment = request.form.get("comment", "")
        if len(comment) > 10_000:
            raise InvalidValueError("comment", "at most 10000 characters")
        done = documents.submit_version(
            services(),
            documents.SubmitVersion(
                document_id,
                upload.stream,  # type: ignore[arg-type]
                (upload.content_type or "application/octet-stream")[:200],
                upload.filename[:255],
                comment,
                expected_version=expected,
            ),
            meta,
        )
        return done.written

    return _post(document_id, "upload", "upload", "uploaded the version", record)


@blueprint.post("/documents/<uuid:document_id>/versions/<int:number>/<step>")
def version_step(document_id: UUID, number: int, step: str) -> Response:
    """Send a version for review, approve it or withdraw it."""
    if step not in STEPS:
        abort(404)
    command, run = STEPS[step]

    def record(expected: int | None, meta: Meta) -> Written:
        EmptyBody().load({"reason": meta.reason})
        written: Written = run(services(), command(document_id, number, expected), meta)
        return written

    done = f"{step} v{number}" if step != "review" else f"sent v{number} for review"
    return _post(document_id, f"version-{number}", step, done, record)


@blueprint.post("/documents/<uuid:document_id>/holds")
def place_hold(document_id: UUID) -> Response:
    """Place a legal hold that blocks disposal."""

    def record(expected: int | None, meta: Meta) -> Written:
        given = {k: request.form.get(k, "") for k in ("hold_id", "title", "mandate")}
        loaded = HoldPlacement().load(given | {"reason": meta.reason})
        command = documents.PlaceHold(
            document_id, loaded["hold_id"], loaded["title"], loaded["mandate"], expected
        )
        return documents.place_hold(services(), command, meta)

    return _post(document_id, "hold", "hold", "placed the hold", record)


@blueprint.post("/documents/<uuid:document_id>/holds/<hold_id>/release")
def release_hold(document_id: UUID, hold_id: str) -> Response:
    """Release one legal hold."""

    def record(expected: int | None, meta: Meta) -> Written:
        EmptyBody().load({"reason": meta.reason})
        command = documents.ReleaseHold(document_id, hold_id, expected)
        return documents.release_hold(services(), command, meta)

    return _post(document_id, f"release-{hold_id}", "release", "released it", record)


@blueprint.post("/documents/<uuid:document_id>/copies")
def issue_copy(document_id: UUID) -> Response:
    """Record that a copy of a version went to a recipient, for a purpose."""

    def record(_: int | None, meta: Meta) -> Written:
        given: dict[str, Any] = {
            k: request.form.get(k, "") for k in ("number", "recipient", "purpose")
        }
        number = given["number"].strip()
        given["number"] = int(number) if number.isascii() and number.isdigit() else None
        loaded = CopyIssue().load(given | {"reason": meta.reason})
        command = documents.IssueCopy(
            document_id, loaded["number"], loaded["recipient"], loaded["purpose"]
        )
        return documents.issue_copy(services(), command, meta)

    return _post(document_id, "copy", "copy", "issued the copy", record)


@blueprint.post("/documents/<uuid:document_id>/retention")
def extend_retention(document_id: UUID) -> Response:
    """Keep the document at least until a later date."""

    def record(expected: int | None, meta: Meta) -> Written:
        given = {"until": request.form.get("until", ""), "reason": meta.reason}
        until = RetentionExtension().load(given)["until"]
        command = documents.ExtendRetention(document_id, until, expected)
        return documents.extend_retention(services(), command, meta)

    return _post(document_id, "retention", "retention", "extended retention", record)


@blueprint.post("/documents/<uuid:document_id>/dispose")
def dispose(document_id: UUID) -> Response:
    """Dispose of the document's content once due and unheld."""

    def record(expected: int | None, meta: Meta) -> Written:
        EmptyBody().load({"reason": meta.reason})
        command = documents.DisposeDocument(document_id, expected)
        return documents.dispose_document(services(), command, meta).written

    return _post(document_id, "dispose", "dispose", "disposed of it", record)


def _post(
    document_id: UUID, name: str, form: str, done: str, record: Record
) -> Response:
    endpoint = CUSTODY_FORMS[form]
    if not may_post(endpoint):
        abort(403, f"your role may not {endpoint.split('.')[-1].replace('_', ' ')}")
    return at_most_once(lambda: _answer(document_id, name, done, record))


def _answer(
    document_id: UUID, name: str, done: str, record: Record
) -> Response | tuple[str, int]:
    def recorded(_: Written) -> Response:
        flash(f"Recorded: {done}.")
        return redirect(url_for("ui.document", document_id=document_id), 303)

    return answer(name, record, partial(document_page, document_id), recorded)

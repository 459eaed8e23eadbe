"""The PMO library page: the office's documents by kind, templates to start from,
the reports the projects have issued; forms for the roles the API allows."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from uuid import UUID

from flask import abort, redirect, request, url_for
from marshmallow import ValidationError, fields
from werkzeug.wrappers import Response

from api.access import reach
from api.auth import allowed_roles
from api.resources.library import FromTemplate, LibraryDocument, Nomination
from api.ui.common import blueprint, page, parse_moment, principal, services
from api.ui.forms import at_most_once
from api.ui.highlight import ui_meta_because
from service.domain.base import DomainError
from service.domain.document import CLASSIFICATIONS
from service.errors import ApplicationError
from usecases import content, library

REGISTER = "library.register_library_document"
START = "library.start_from_template"
NOMINATE = "library.nominate_version"
NOMINATION = "/documents/<uuid:document_id>/versions/<int:number>/nominate"
FIELDS = ("title", "doc_type", "classification", "retention_class", "owner")


def _may(endpoint: str) -> bool:
    return principal().role in allowed_roles(endpoint, "POST")


@blueprint.get("/library")
def library_page() -> str:
    """The library now or as at a date."""
    return _page()


@blueprint.post("/library/documents")
def register_library_document() -> Response:
    """Register a library document from the page's form."""
    if not _may(REGISTER):
        abort(403, "your role may not register a library document")
    return at_most_once(lambda: _posted("register", LibraryDocument, _register))


@blueprint.post("/library/from-template")
def start_from_template() -> Response:
    """Begin a project document from a template from the page's form."""
    if not _may(START):
        abort(403, "your role may not start a document")
    return at_most_once(lambda: _posted("start", FromTemplate, _start))


@blueprint.get(NOMINATION)
def nominate_form(document_id: UUID, number: int) -> str:
    """The form that nominates a version for the good-practice repository."""
    if not _may(NOMINATE):
        abort(403, "your role may not nominate a document")
    return _nomination(document_id, number)


@blueprint.post(NOMINATION)
def nominate_version(document_id: UUID, number: int) -> Response:
    """Nominate the version; on to the library's new (draft) document."""
    if not _may(NOMINATE):
        abort(403, "your role may not nominate a document")
    return at_most_once(lambda: _nominate(document_id, number))


def _nominate(document_id: UUID, number: int) -> Response | tuple[str, int]:
    typed = _typed()

    def act() -> UUID:
        body = Nomination().load({k: v for k, v in typed.items() if v.strip()})
        command = library.Nominate(
            document_id, number, body["title"], body["retention_class"]
        )
        meta = ui_meta_because(body["reason"] or "")
        written = library.nominate(services(), command, meta)
        services().views.wait_for(written.position, 5)
        return written.id

    return _outcome(act, lambda errors: _nomination(document_id, number, typed, errors))


def _nomination(
    document_id: UUID,
    number: int,
    typed: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
) -> str:
    found = content.get_document(services(), content.DocumentQuery(document_id))
    if not 1 <= number <= int(found["version_count"]):
        abort(404, f"no version {number} of this document")
    return page(
        "nominate.html",
        document=found,
        number=number,
        typed=typed or {},
        errors=errors or {},
    )


def _register(body: dict[str, Any]) -> UUID:
    command = library.RegisterLibraryDocument(*(body[f] for f in FIELDS))
    meta = ui_meta_because(body["reason"] or "")
    written = library.register_library_document(services(), command, meta)
    services().views.wait_for(written.position, 5)
    return written.id


def _start(body: dict[str, Any]) -> UUID:
    project = body["project_id"]
    if reach().role_in(str(project)) is None:
        raise ValidationError({"project_id": ["not a project you reach"]})
    command = library.StartFromTemplate(
        project, body["template_id"], *(body[f] for f in FIELDS)
    )
    meta = ui_meta_because(body["reason"] or "")
    written = library.start_from_template(services(), command, meta)
    services().views.wait_for(written.position, 5)
    return written.id


class StartForm(FromTemplate):
    """The start form also names the project (the API has it in the path)."""

    project_id = fields.UUID(required=True)


def _posted(form: str, schema: type, act: Any) -> Response | tuple[str, int]:
    typed = _typed()
    given = {k: v for k, v in typed.items() if v.strip()}
    loader = StartForm if form == "start" else schema
    return _outcome(
        lambda: act(loader().load(given)), lambda errors: _page(form, typed, errors)
    )


def _typed() -> dict[str, str]:
    return {
        k: v for k, v in request.form.items() if k not in ("csrf_token", "form_key")
    }


def _outcome(
    act: Callable[[], UUID], render: Callable[[dict[str, str]], str]
) -> Response | tuple[str, int]:
    """The new document's page, or the form again with what was wrong (nothing
    is written then)."""
    try:
        found = act()
    except ValidationError as error:
        messages = error.normalized_messages()
        return render({k: "; ".join(map(str, v)) for k, v in messages.items()}), 422
    except (DomainError, ApplicationError) as error:
        return render({getattr(error, "field", "form"): str(error)}), 422
    return redirect(url_for("ui.document", document_id=found), 303)


def _page(
    form: str = "",
    typed: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
) -> str:
    as_of = parse_moment(request.args.get("as_of"))
    found = library.library(services(), library.LibraryQuery(reach(), as_of))
    templates = [
        d for d in found["documents"]["template"] if d["authoritative_version"]
    ]
    return page(
        "library.html",
        library=found,
        as_of=as_of,
        templates=templates,
        projects=[
            p
            for p in reach().projects(services().views.list_projects())
            if p["status"] == "open"
        ],
        may_register=_may(REGISTER),
        may_start=_may(START),
        classifications=CLASSIFICATIONS,
        form=form,
        typed=typed or {},
        errors=errors or {},
    )

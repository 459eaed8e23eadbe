"""Integrity: the latest signed head, verification, and a project's evidence pack."""

from __future__ import annotations

from uuid import UUID

from flask import Response, abort, request

from api.access import reach
from api.resources.ledger import project_evidence
from api.ui.common import blueprint, page, parse_uuid, services
from api.ui.custody import may
from usecases.integrity import integrity_status
from usecases.projects import ProjectsQuery, list_projects


@blueprint.get("/integrity")
def integrity() -> str:
    """What the ledger has signed, and the evidence packs on offer."""
    status = integrity_status(services())
    return page(
        "integrity.html",
        head=status.head,
        events=status.events,
        keys=status.keys,
        verification=status.verification,
        projects=reach().projects(list_projects(services(), ProjectsQuery())),
        may_export=may("ledger.project_evidence"),
    )


@blueprint.get("/evidence")
def evidence() -> Response:
    """A project's evidence pack (zip), as the API builds it."""
    if not may("ledger.project_evidence"):
        abort(403)
    project_id: UUID | None = parse_uuid(request.args.get("project"))
    if project_id is None:
        abort(400, "choose a project")
    return project_evidence(project_id)

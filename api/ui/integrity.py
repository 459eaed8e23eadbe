"""Integrity: the latest signed head, verification, and a project's evidence pack."""

from __future__ import annotations

from uuid import UUID

from flask import Response, abort, request

from api.resources.ledger import project_evidence
from api.ui.common import blueprint, page, parse_uuid, services
from api.ui.custody import may
from integrity.proofs import LedgerReader, NoHeadError


@blueprint.get("/integrity")
def integrity() -> str:
    """What the ledger has signed, and the evidence packs on offer."""
    reader = LedgerReader(services().views_engine)
    try:
        head = reader.latest_head().to_json_dict()
    except NoHeadError:
        head = None
    return page(
        "integrity.html",
        head=head,
        events=services().ledger.head_position(),
        keys=reader.public_keys(),
        verification=reader.last_verification(),
        projects=services().views.list_projects(),
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

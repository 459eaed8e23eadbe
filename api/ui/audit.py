"""The audit timeline: every event, filtered, paged, exported, each with its proof."""

from __future__ import annotations

from typing import Any

from flask import Response, abort, jsonify, request, url_for

from api.exports import download
from api.ui.common import (
    PAGE_SIZES,
    blueprint,
    page,
    page_size,
    parse_moment,
    parse_uuid,
    services,
    ui_meta,
    whole_number,
)
from api.ui.custody import may
from service.domain.catalogue import kinds
from usecases import exports, integrity
from usecases.audit import AuditQuery, audit_page
from usecases.errors import ProofRefusedError
from usecases.projects import ProjectsQuery, list_projects


def entity_kinds() -> dict[str, str]:
    """Each register's aggregate name with the path segment of its register."""
    return {k.aggregate: k.name for k in kinds()}


def entity_types() -> tuple[str, ...]:
    """The entity types the audit trail can be filtered by."""
    return ("Project", *entity_kinds(), "Document", "Token")


def audit_filters() -> dict[str, Any]:
    """The audit filters the query string asks for.

    As on a register page, `q` finds every word in any case and a typed actor
    or event type matches part of the text in any case.
    """
    args = request.args
    return {
        "project_id": parse_uuid(args.get("project")),
        "actor": typed("actor"),
        "entity_id": parse_uuid(args.get("entity")),
        "event_type": typed("type"),
        "since": parse_moment(args.get("since")),
        "until": parse_moment(args.get("until")),
        "q": typed("q"),
        "partial": True,
    }


def typed(name: str) -> str | None:
    """A text the person typed into the filter form (None if blank)."""
    return (request.args.get(name) or "").strip() or None


def entity_link(row: dict[str, Any]) -> str | None:
    """Where the UI shows the entity an event belongs to."""
    kind = entity_kinds().get(row["entity_type"])
    if kind is not None:
        return url_for("ui.entry", kind=kind, entity_id=row["entity_id"])
    if row["entity_type"] == "Project":
        return url_for("ui.project", project_id=row["entity_id"])
    if row["entity_type"] == "Document":
        return url_for("ui.document", document_id=row["entity_id"])
    return None


@blueprint.get("/audit")
def audit() -> str:
    """The audit trail in position order, a page at a time."""
    if not may("audit.audit_events"):
        abort(403, "the audit trail is for auditors and the PMO head")
    query = AuditQuery(
        **audit_filters(),
        after_position=whole_number(request.args.get("after")),
        limit=page_size(),
        newest_first=request.args.get("order") == "newest",
        titled=True,
    )
    found = audit_page(services(), query)
    for row in found.items:
        row["link"] = entity_link(row)
    args = {k: v for k, v in request.args.items() if k != "after"}
    return page(
        "audit.html",
        rows=found.items,
        next_cursor=found.next_cursor,
        args=args,
        projects=list_projects(services(), ProjectsQuery()),
        entity_types=entity_types(),
        sizes=PAGE_SIZES,
        size=page_size(),
    )


@blueprint.get("/audit.<fmt>")
def export_audit(fmt: str) -> Response:
    """The whole filtered audit trail as CSV or NDJSON, streamed (and recorded)."""
    if fmt not in ("csv", "ndjson"):
        abort(404)
    if not may("audit.export_audit"):
        abort(403, "the audit trail is for auditors and the PMO head")
    command = exports.ExportAudit(fmt, **audit_filters())
    found = exports.export_audit(services(), command, ui_meta())
    return download(found.filename, found.media_type, found.chunks())


@blueprint.get("/ledger/proofs/inclusion")
def inclusion_proof() -> Response:
    """The inclusion proof of one event in the latest signed head, as JSON."""
    if not may("ledger.inclusion_proof"):
        abort(403, "proofs are for auditors and the PMO head")
    position = whole_number(request.args.get("position"))
    if position is None or position < 1:
        abort(400, "position must be a positive integer")
    query = integrity.InclusionQuery(position)
    try:
        return jsonify(integrity.inclusion_proof(services(), query))
    except ProofRefusedError as error:
        abort(404, str(error))

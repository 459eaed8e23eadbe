"""The audit timeline: every event, filtered, paged, exported, each with its proof."""

from __future__ import annotations

from typing import Any

from flask import Response, abort, jsonify, request, url_for

from api import exports
from api.ui.common import (
    blueprint,
    page,
    parse_moment,
    parse_uuid,
    services,
    ui_meta,
)
from integrity.proofs import LedgerReader, NoHeadError
from integrity.tree import LedgerError

PAGE = 50
ENTITY_KINDS = {
    "Risk": "risks",
    "Issue": "issues",
    "ChangeRequest": "changes",
    "Decision": "decisions",
}
ENTITY_TYPES = ("Project", *ENTITY_KINDS, "Document", "Token")
COLUMNS = (
    "position", "recorded_at", "actor", "role", "action", "entity_type",
    "entity_id", "entity_version", "project_id", "reason", "request_id", "data",
)  # fmt: skip


def audit_filters() -> dict[str, Any]:
    """The audit filters the query string asks for."""
    args = request.args
    return {
        "project_id": parse_uuid(args.get("project")),
        "actor": args.get("actor") or None,
        "entity_id": parse_uuid(args.get("entity")),
        "event_type": args.get("type") or None,
        "since": parse_moment(args.get("since")),
        "until": parse_moment(args.get("until")),
    }


def entity_link(row: dict[str, Any]) -> str | None:
    """Where the UI shows the entity an event belongs to."""
    kind = ENTITY_KINDS.get(row["entity_type"])
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
    filters = audit_filters()
    after = request.args.get("after", "")
    found = services().views.audit(
        **filters, after_position=int(after) if after.isdigit() else None, limit=PAGE
    )
    for row in found.items:
        row["link"] = entity_link(row)
    args = {k: v for k, v in request.args.items() if k != "after"}
    return page(
        "audit.html",
        rows=found.items,
        next_cursor=found.next_cursor,
        args=args,
        projects=services().views.list_projects(),
        entity_types=ENTITY_TYPES,
    )


@blueprint.get("/audit.<fmt>")
def export_audit(fmt: str) -> Response:
    """The whole filtered audit trail as CSV or NDJSON, streamed (and recorded)."""
    if fmt not in ("csv", "ndjson"):
        abort(404)
    filters = audit_filters()
    rows = services().views.iter_audit(**filters)
    if fmt == "csv":
        body, mimetype = exports.csv_lines(COLUMNS, rows), "text/csv"
    else:
        body, mimetype = exports.ndjson_lines(rows), "application/x-ndjson"
    return exports.recorded_download(
        ui_meta(), "audit", fmt, filters, body, f"audit.{fmt}", mimetype
    )


@blueprint.get("/ledger/proofs/inclusion")
def inclusion_proof() -> Response:
    """The inclusion proof of one event in the latest signed head, as JSON."""
    position = request.args.get("position", "")
    if not position.isdigit() or int(position) < 1:
        abort(400, "position must be a positive integer")
    reader = LedgerReader(services().views_engine)
    if reader.leaf_for_position(int(position)) is None:
        abort(404, f"position {position} is not in the ledger yet")
    try:
        size = reader.latest_head().tree_size
        return jsonify(reader.inclusion(int(position), size))
    except (NoHeadError, LedgerError) as error:
        abort(404, str(error))

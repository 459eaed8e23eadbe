"""Records management: the file plan, reclassification, holds over matters, reports."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from flask import Response, jsonify

from api.access import reach
from api.auth import request_meta
from api.context import services
from api.exports import XLSX_TYPE, download
from api.resources.common import Blueprint, problems, written
from api.resources.routes import command
from api.schemas.base import EmptyBody, Open
from api.schemas.records import (
    REPORTS,
    AsOf,
    MatterHoldBody,
    ReclassifyBody,
    RecordClassBody,
)
from usecases import fileplan, matters, records_reports
from usecases.reads import plain

blp = Blueprint(
    "records",
    __name__,
    url_prefix="/api/v1",
    description="Records management: file plan, holds over matters, reports",
)
REPORT = f"<any({', '.join(REPORTS)}):report>"
FILE = {
    "description": "The report, one row per line",
    "content": {m: {"schema": {"type": "string"}} for m in ("text/csv", XLSX_TYPE)},
}


@blp.route("/records/plan", methods=["GET"])
@blp.arguments(AsOf, location="query")
@blp.response(200, Open)
@problems(blp, 422)
def file_plan(args: dict[str, Any]) -> Response:
    """The file plan as a tree of record classes, now or as at a moment."""
    return jsonify(fileplan.file_plan(services(), args["as_of"]))


@command(blp, "/records/plan/classes", RecordClassBody, status=201)
def add_record_class(body: dict[str, Any]) -> Response:
    """Add a record class (under a parent, or at the top of the plan)."""
    result = fileplan.add_class(
        services(),
        fileplan.AddClass(
            body["code"],
            body["title"],
            body["retention_class"],
            body["classification"],
            body["owner"],
            body["parent"],
            tuple(body["doc_types"]),
        ),
        request_meta(body["reason"]),
    )
    return written(result, "/records/plan", created=True)


@command(blp, "/documents/<uuid:document_id>/reclassify", ReclassifyBody)
def reclassify_document(body: dict[str, Any], document_id: UUID) -> Response:
    """File a document in another record class (the reason is required)."""
    result = fileplan.reclassify(
        services(),
        fileplan.Reclassify(document_id, body["record_class"]),
        request_meta(body["reason"]),
    )
    return written(result, "/records/plan")


@blp.route("/records/holds", methods=["GET"])
@blp.arguments(AsOf, location="query")
@blp.response(200, Open)
@problems(blp, 422)
def list_matter_holds(args: dict[str, Any]) -> Response:
    """Every hold over a matter, now or as at a moment, with what each covers."""
    return jsonify(items=matters.list_holds(services(), args["as_of"]))


@command(blp, "/records/holds", MatterHoldBody, status=201)
def place_matter_hold(body: dict[str, Any]) -> Response:
    """Hold every record a selection takes in, including records added later."""
    result = matters.place_hold(
        services(),
        matters.PlaceMatterHold(
            body["matter"],
            body["title"],
            body["mandate"],
            body["project_id"],
            body["record_class"],
            body["query"],
            tuple(body["document_ids"]),
            reach(),
        ),
        request_meta(body["reason"]),
    )
    return written(result, f"/records/holds/{result.id}", created=True)


@blp.route("/records/holds/<uuid:hold_id>", methods=["GET"])
@blp.arguments(AsOf, location="query")
@blp.response(200, Open)
@problems(blp, 404, 409, 422)
def matter_hold(args: dict[str, Any], hold_id: UUID) -> Response:
    """One hold and every record it covers, now or as at a moment."""
    found = matters.coverage(services(), hold_id, args["as_of"])
    found["records"] = reach().documents(
        reach().projects(found["records"], "project_id")
    )
    return jsonify(found)


@command(blp, "/records/holds/<uuid:hold_id>/release", EmptyBody)
def release_matter_hold(body: dict[str, Any], hold_id: UUID) -> Response:
    """Release one hold over a matter (the reason is required)."""
    result = matters.release_hold(
        services(), matters.ReleaseMatterHold(hold_id), request_meta(body["reason"])
    )
    return written(result, f"/records/holds/{hold_id}")


@blp.route(f"/records/reports/{REPORT}", methods=["GET"])
@blp.arguments(AsOf, location="query")
@blp.response(200, Open)
@problems(blp, 422)
def records_report(args: dict[str, Any], report: str) -> Response:
    """Holds, disposals, the schedule or records by class and state (as at)."""
    query = records_reports.ReportQuery(report, args["as_of"], reach())
    return jsonify(
        report=report,
        as_of=plain(args["as_of"]),
        columns=list(records_reports.COLUMNS[report]),
        items=records_reports.report_rows(services(), query),
    )


@blp.route(f"/records/reports/{REPORT}.<any(csv, xlsx):fmt>", methods=["GET"])
@blp.arguments(AsOf, location="query")
@blp.doc(responses={"200": FILE})
@problems(blp, 404, 422)
def export_records_report(args: dict[str, Any], report: str, fmt: str) -> Response:
    """A records report as CSV or XLSX (recorded as an export)."""
    command = records_reports.ExportReport(report, fmt, args["as_of"], reach())
    done = records_reports.export_report(services(), command, request_meta())
    return download(done.filename, done.media_type, done.chunks)

"""Records management pages: the file plan, disposition, holds over matters, reports."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from uuid import UUID

from flask import abort, flash, redirect, request, url_for
from werkzeug.wrappers import Response

from api.access import reach
from api.auth import allowed_roles
from api.errors import status_for
from api.exports import download
from api.ui.common import (
    blueprint,
    page,
    parse_moment,
    parse_uuid,
    principal,
    services,
    ui_meta,
    whole_number,
)
from api.ui.forms import at_most_once
from service.domain.base import Meta
from service.domain.disposition import ACTIONS
from service.domain.document import CLASSIFICATIONS
from usecases import (
    certificates,
    disposition,
    fileplan,
    matters,
    records_reports,
    retention,
)
from usecases.projects import ProjectsQuery, list_projects

Answer = Response | tuple[str, int]
REPORT = f"<any({', '.join(records_reports.COLUMNS)}):report>"


def may(endpoint: str, method: str = "GET") -> bool:
    """Whether the caller's role may use the API endpoint of the same data."""
    return principal().role in allowed_roles(endpoint, method)


def allow(endpoint: str, method: str = "GET") -> None:
    """A 403 page for a role the API would refuse."""
    if not may(endpoint, method):
        abort(403, "your role may not use this page")


def _meta() -> Meta:
    caller = ui_meta()
    reason = request.form.get("reason", "").strip() or None
    return Meta(caller.actor, caller.role, reason, caller.request_id)


def _posted(
    run: Callable[[], Any], done: Callable[[Any], str], shown: Callable[..., str]
) -> Response:
    """Record a posted form once; a refusal shows the page again with the problem.

    `done` gives the page to go to from what `run` returned.
    """

    def answer() -> Answer:
        try:
            result = run()
        except Exception as error:
            status = status_for(error)
            if status is None or status >= 500:
                raise
            return shown(problem=str(error), typed=request.form), status
        flash("Recorded.")
        return redirect(done(result), 303)

    return at_most_once(answer)


def _text(name: str) -> str | None:
    return request.form.get(name, "").strip() or None


@blueprint.get("/records")
def file_plan(**shown: Any) -> str:
    """The file plan as a tree, as at a moment, with its forms for custodians."""
    as_of = parse_moment(request.args.get("as_of"))
    return page(
        "records.html",
        plan=fileplan.file_plan(services(), as_of),
        codes=class_codes(),
        document_id=parse_uuid(request.args.get("document")),
        as_of=as_of,
        retention_classes=retention.retention_classes(services()),
        classifications=CLASSIFICATIONS,
        may_edit=may("records.add_record_class", "POST"),
        may_disposition=may("dispositions.worklist"),
        **shown,
    )


def class_codes() -> list[str]:
    """Every class code of the plan now, for the forms' choices."""
    plan = fileplan.plan_at(services())
    return [] if plan is None else sorted(plan.classes)


@blueprint.post("/records/classes")
def add_record_class() -> Response:
    """Add a record class from the form."""
    allow("records.add_record_class", "POST")
    form = request.form
    command = fileplan.AddClass(
        form.get("code", "").strip(),
        form.get("title", ""),
        form.get("retention_class", ""),
        form.get("classification", ""),
        form.get("owner", ""),
        _text("parent"),
        tuple(t.strip() for t in form.get("doc_types", "").split(",") if t.strip()),
    )
    return _posted(
        lambda: fileplan.add_class(services(), command, _meta()),
        lambda _: url_for("ui.file_plan"),
        file_plan,
    )


@blueprint.post("/documents/<uuid:document_id>/reclassify")
def reclassify_document(document_id: UUID) -> Response:
    """File a document in another class (the reason is required)."""
    allow("records.reclassify_document", "POST")
    command = fileplan.Reclassify(document_id, request.form.get("record_class", ""))
    return _posted(
        lambda: fileplan.reclassify(services(), command, _meta()),
        lambda _: url_for("ui.file_plan"),
        file_plan,
    )


def _worklist_query() -> disposition.WorklistQuery:
    args = request.args
    action = args.get("action") or None
    if action not in (None, "destroy", "review", "transfer"):
        abort(400, f"not an action: {action}")
    return disposition.WorklistQuery(
        whole_number(args.get("within_days")) or 0,
        args.get("record_class") or None,
        parse_uuid(args.get("project")),
        action,
        parse_moment(args.get("as_of")),
    )


@blueprint.get("/records/disposition")
def worklist(**shown: Any) -> str:
    """Records due across projects, the proposal form, and every review."""
    allow("dispositions.worklist")
    rows = disposition.worklist(services(), _worklist_query())
    return page(
        "disposition.html",
        rows=reach().documents(reach().projects(rows, "project_id")),
        reviews=disposition.list_reviews(services()),
        projects=reach().projects(list_projects(services(), ProjectsQuery())),
        codes=class_codes(),
        actions=ACTIONS,
        args=request.args.to_dict(),
        may_propose=may("dispositions.propose_disposition", "POST"),
        **shown,
    )


@blueprint.post("/records/reviews")
def propose_disposition() -> Response:
    """Propose the records ticked on the worklist."""
    allow("dispositions.propose_disposition", "POST")
    ids = tuple(
        found
        for found in (parse_uuid(v) for v in request.form.getlist("document_id"))
        if found is not None
    )
    command = disposition.ProposeDisposition(
        request.form.get("action", ""), ids, request.form.get("note", ""), reach()
    )
    return _posted(
        lambda: disposition.propose(services(), command, _meta()),
        lambda result: url_for("ui.review", review_id=result.id),
        worklist,
    )


@blueprint.get("/records/reviews/<uuid:review_id>")
def review(review_id: UUID, **shown: Any) -> str:
    """One review: its records, its steps, and the certificate once executed."""
    allow("dispositions.get_review")
    found = disposition.get_review(services(), review_id)
    verdict = None
    if found["status"] == "executed":
        verdict = certificates.verify_certificate(services(), review_id)
    return page(
        "review.html",
        review=found,
        records=disposition.covered(services(), found),
        verdict=verdict,
        may_step=may("dispositions.approve_disposition", "POST"),
        **shown,
    )


@blueprint.post("/records/reviews/<uuid:review_id>/<any(review, approve, reject):step>")
def review_step(review_id: UUID, step: str) -> Response:
    """Review, approve or reject from the review page."""
    allow(f"dispositions.{step}_disposition", "POST")
    command = disposition.ReviewStep(review_id, step)
    return _posted(
        lambda: disposition.take_step(services(), command, _meta()),
        lambda _: url_for("ui.review", review_id=review_id),
        lambda **shown: review(review_id, **shown),
    )


@blueprint.post("/records/reviews/<uuid:review_id>/execute")
def execute_review(review_id: UUID) -> Response:
    """Execute an approved review (or finish one cut short): dispose, certify."""
    allow("dispositions.execute_disposition", "POST")
    command = certificates.ExecuteDisposition(review_id)
    return _posted(
        lambda: certificates.execute(services(), command, _meta()),
        lambda _: url_for("ui.review", review_id=review_id),
        lambda **shown: review(review_id, **shown),
    )


@blueprint.get("/records/reviews/<uuid:review_id>/<any(certificate, package):which>")
def review_file(review_id: UUID, which: str) -> Response:
    """The stored certificate or transfer package, as downloaded."""
    allow(f"dispositions.disposition_{which}")
    body = certificates.stored(services(), review_id, which)
    kind = "application/json" if which == "certificate" else "application/zip"
    suffix = "json" if which == "certificate" else "zip"
    return download(f"{which}-{review_id}.{suffix}", kind, iter([body]))


@blueprint.get("/records/holds")
def holds(**shown: Any) -> str:
    """Every hold over a matter (as at a moment), the place form, coverage."""
    allow("records.list_matter_holds")
    as_of = parse_moment(request.args.get("as_of"))
    chosen = parse_uuid(request.args.get("hold"))
    covered = None if chosen is None else matters.coverage(services(), chosen, as_of)
    if covered is not None:
        records = reach().projects(covered["records"], "project_id")
        covered["records"] = reach().documents(records)
    return page(
        "holds.html",
        holds=matters.list_holds(services(), as_of),
        covered=covered,
        as_of=as_of,
        projects=reach().projects(list_projects(services(), ProjectsQuery())),
        codes=class_codes(),
        may_place=may("records.place_matter_hold", "POST"),
        **shown,
    )


@blueprint.post("/records/holds")
def place_matter_hold() -> Response:
    """Place a hold over a matter from the form."""
    allow("records.place_matter_hold", "POST")
    form = request.form
    ids = tuple(
        found
        for found in (parse_uuid(v.strip()) for v in form.get("documents", "").split())
        if found is not None
    )
    command = matters.PlaceMatterHold(
        form.get("matter", "").strip(),
        form.get("title", ""),
        form.get("mandate", ""),
        parse_uuid(form.get("project")),
        _text("record_class"),
        _text("query"),
        ids,
        reach(),
    )
    return _posted(
        lambda: matters.place_hold(services(), command, _meta()),
        lambda _: url_for("ui.holds"),
        holds,
    )


@blueprint.post("/records/holds/<uuid:hold_id>/release")
def release_matter_hold(hold_id: UUID) -> Response:
    """Release one hold (the reason is required)."""
    allow("records.release_matter_hold", "POST")
    return _posted(
        lambda: matters.release_hold(
            services(), matters.ReleaseMatterHold(hold_id), _meta()
        ),
        lambda _: url_for("ui.holds"),
        holds,
    )


@blueprint.get("/records/reports")
def records_reports_page() -> str:
    """Each records report as a table, as at a moment, with CSV and XLSX."""
    allow("records.records_report")
    as_of = parse_moment(request.args.get("as_of"))
    tables = {
        name: records_reports.report_rows(
            services(), records_reports.ReportQuery(name, as_of, reach())
        )
        for name in records_reports.COLUMNS
    }
    return page(
        "records_reports.html",
        tables=tables,
        columns=records_reports.COLUMNS,
        as_of=as_of,
        args=request.args.to_dict(),
    )


@blueprint.get(f"/records/reports/{REPORT}.<any(csv, xlsx):fmt>")
def export_records_report(report: str, fmt: str) -> Response:
    """A records report as CSV or XLSX (recorded as an export)."""
    allow("records.export_records_report")
    as_of = parse_moment(request.args.get("as_of"))
    command = records_reports.ExportReport(report, fmt, as_of, reach())
    done = records_reports.export_report(services(), command, ui_meta())
    return download(done.filename, done.media_type, done.chunks)

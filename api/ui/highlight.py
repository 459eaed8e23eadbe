"""The highlight report (PRINCE2): one project, one reporting period, printable;
the reports issued from it, and a form to issue one."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from flask import abort, redirect, request, url_for
from marshmallow import ValidationError
from werkzeug.wrappers import Response

from api.auth import allowed_roles
from api.resources.reports import ReportIssue, issue_command
from api.schemas.registers import StatusReportBody
from api.ui.common import blueprint, page, principal, project_or_404, services, ui_meta
from api.ui.forms import at_most_once
from service.domain.base import DomainError, Meta
from service.domain.project import RAG_COLOURS, RAG_DIMENSIONS
from service.domain.report import NARRATIVE, REPORT_TYPES, SECTIONS
from service.errors import ApplicationError
from usecases import issued, projects
from usecases.reports import HighlightQuery, highlight_report

ISSUE_ENDPOINT = "reports.issue_report"
STATUS_ENDPOINT = "projects.report_status"
STATUS_TEXTS = ("summary", "work_done", "work_next", "tolerance_status", "lessons")


@blueprint.post("/projects/<project:project_id>/status-reports")
def record_status(project_id: UUID) -> Response:
    """Record this period's highlight (status) report from the page's form."""
    if principal().role not in allowed_roles(STATUS_ENDPOINT, "POST"):
        abort(403, "your role may not record a status report")
    return at_most_once(lambda: _record_status(project_id))


def _record_status(project_id: UUID) -> Response | tuple[str, int]:
    typed = {
        k: v for k, v in request.form.items() if k not in ("csrf_token", "form_key")
    }
    body: dict[str, Any] = {
        "period_start": typed.get("period_start", ""),
        "period_end": typed.get("period_end", ""),
        "rag": {d: typed.get(f"rag_{d}", "") for d in RAG_DIMENSIONS},
        **{k: typed.get(k, "") for k in STATUS_TEXTS},
    }
    for name in STATUS_TEXTS:  # left empty: not given (required ones say so)
        if not body[name].strip():
            del body[name]
    reason = typed.get("reason", "").strip()
    try:
        loaded = StatusReportBody().load(body)
        result = projects.report_status(
            services(),
            projects.ReportStatus(
                project_id,
                loaded["period_start"],
                loaded["period_end"],
                dict(loaded["rag"]),
                loaded["summary"],
                loaded["work_done"],
                loaded["work_next"],
                loaded["tolerance_status"],
                loaded["lessons"],
                None,
            ),
            ui_meta_because(reason),
        )
    except ValidationError as error:
        return _page(
            project_id, status_typed=typed, status_errors=_flat(error.messages)
        ), 422
    except (DomainError, ApplicationError) as error:
        field = getattr(error, "field", "form")
        return _page(
            project_id, status_typed=typed, status_errors={field: str(error)}
        ), 409
    services().views.wait_for(result.position, 5)
    return redirect(url_for("ui.highlight", project_id=project_id), 303)


def ui_meta_because(reason: str) -> Meta:
    """The UI's metadata with the reason the person gave, if any."""
    meta = ui_meta()
    return Meta(meta.actor, meta.role, reason or meta.reason, meta.request_id)


@blueprint.get("/projects/<project:project_id>/highlight")
def highlight(project_id: UUID) -> str:
    """A printable highlight report for the chosen (default: latest) period."""
    return _page(project_id)


@blueprint.post("/projects/<project:project_id>/reports")
def issue_report(project_id: UUID) -> Response | tuple[str, int]:
    """Issue a report from the form; back to the page with the issue listed."""
    if principal().role not in allowed_roles(ISSUE_ENDPOINT, "POST"):
        abort(403, "your role may not issue a report")
    return at_most_once(lambda: _issue(project_id))


def _issue(project_id: UUID) -> Response | tuple[str, int]:
    """Issue the report the form describes (once per form key)."""
    hidden = ("csrf_token", "form_key")
    typed = {k: v for k, v in request.form.items() if k not in hidden}
    given: dict[str, Any] = {
        k: typed.get(k, "")
        for k in ("report_type", "period_start", "period_end", "classification")
    }
    given["narrative"] = {k: typed[k] for k in NARRATIVE if typed.get(k, "").strip()}
    try:
        command = issue_command(project_id, ReportIssue().load(given))
        result = issued.issue_report(services(), command, ui_meta())
    except ValidationError as error:
        return _page(project_id, typed, _flat(error.messages)), 422
    except (DomainError, ApplicationError) as error:
        field = getattr(error, "field", "form")
        return _page(project_id, typed, {field: str(error)}), 422
    services().views.wait_for(result.written.position, 5)
    target = url_for("ui.highlight", project_id=project_id)
    return redirect(f"{target}#issued-{result.written.id}-{result.number}", 303)


def _page(
    project_id: UUID,
    typed: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    status_typed: dict[str, str] | None = None,
    status_errors: dict[str, str] | None = None,
) -> str:
    project = project_or_404(project_id)
    reports = issued.list_reports(services(), issued.ReportsQuery(project_id))
    common = {
        "project": project,
        "issued": reports,
        "may_issue": principal().role in allowed_roles(ISSUE_ENDPOINT, "POST"),
        "report_types": REPORT_TYPES,
        "sections": SECTIONS,
        "narrative_names": NARRATIVE,
        "typed": typed or {},
        "errors": errors or {},
        "may_report": principal().role in allowed_roles(STATUS_ENDPOINT, "POST"),
        "status_typed": status_typed or {},
        "status_errors": status_errors or {},
        "rag_dimensions": RAG_DIMENSIONS,
        "rag_colours": RAG_COLOURS,
    }
    query = HighlightQuery(project_id, request.args.get("report", ""))
    found = highlight_report(services(), query)
    if found.report is None:
        return page("highlight.html", report=None, made=[], **common)
    return page(
        "highlight.html",
        report=found.report,
        data=found.report["data"],
        previous=found.previous_rag,
        made=found.made,
        dimensions=RAG_DIMENSIONS,
        as_of=found.as_of,
        since=found.since,
        changes=found.changes,
        risks=found.risks,
        issues=found.issues,
        suggested=found.suggested,
        disagreements=found.disagreements,
        **common,
    )


def _flat(messages: Any) -> dict[str, str]:
    shown: dict[str, str] = {}
    for name, found in (messages or {}).items():
        if isinstance(found, dict):
            shown |= _flat(found)
        else:
            shown[str(name)] = str(found[0] if isinstance(found, list) else found)
    return shown

"""Importing a register from a CSV file in the UI: upload, preview, confirm.

The upload is only checked (`usecases.imports.import_text` with `check_only`):
the preview shows the file's rows with their line numbers and every refused
line's reason, and records nothing. With no refused line it offers a confirm
form carrying the file's bytes (base64, so they come back exactly as sent) and
a form key: confirming checks every row again and records them all in one
commit, at most once. The PMO head imports, as on the command line (each
event records its file and line).
"""

from __future__ import annotations

import base64
import binascii
from typing import Any
from uuid import UUID

from flask import abort, flash, redirect, request, url_for
from werkzeug.wrappers import Response

from api.ui.common import (
    blueprint,
    page,
    project_or_404,
    services,
    ui_meta,
)
from api.ui.forms import READ_YOUR_WRITE_WAIT, at_most_once, may_import
from api.ui.registers import kind_of
from api.ui.session import IMPORT_LIMIT
from service.domain.base import InvalidValueError
from service.domain.register import RegisterKind
from service.importer import check_importable
from usecases.imports import Checked, ImportText, import_text

PREVIEW_ROWS = 200
"""Rows shown in a preview besides every refused one."""


@blueprint.post("/projects/<project:project_id>/<kind>/import")
def import_rows(project_id: UUID, kind: str) -> Response | tuple[str, int]:
    """Preview an uploaded file's rows, or import them once confirmed."""
    declared = kind_of(kind)
    try:
        check_importable(declared.name)
    except InvalidValueError as error:
        abort(404, error.message)
    if not may_import(declared):
        abort(403, f"your role may not import {declared.heading.lower()}")
    project = project_or_404(project_id)
    if request.form.get("confirm") == "yes":
        return at_most_once(lambda: _confirmed(project, declared))
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        return _preview(project, declared, "", b"", "choose a CSV file"), 422
    content = upload.read(IMPORT_LIMIT + 1)
    if len(content) > IMPORT_LIMIT:
        too_large = f"larger than {IMPORT_LIMIT // 2**20} MiB: use pmo-ledger import"
        return _preview(project, declared, upload.filename, b"", too_large), 413
    checked = _check(project, declared, upload.filename, content, check_only=True)
    status = 422 if checked.errors else 200
    return _preview(project, declared, upload.filename, content, "", checked), status


def _confirmed(
    project: dict[str, Any], declared: RegisterKind
) -> Response | tuple[str, int]:
    source = request.form.get("source", "")[:255] or "upload.csv"
    try:
        content = base64.b64decode(request.form.get("content", ""), validate=True)
    except (binascii.Error, ValueError):
        abort(400, "the confirmed file did not come back intact; upload it again")
    checked = _check(project, declared, source, content, check_only=False)
    if checked.imported is None:
        return _preview(project, declared, source, content, "", checked), 422
    services().views.wait_for(checked.imported.position, READ_YOUR_WRITE_WAIT)
    count = checked.imported.entries
    flash(
        f"Imported {count} {'entry' if count == 1 else 'entries'} "
        f"({checked.imported.events} events) from {source}."
    )
    target = url_for("ui.register", project_id=project["id"], kind=declared.name)
    return redirect(target, 303)


def _check(
    project: dict[str, Any],
    declared: RegisterKind,
    source: str,
    content: bytes,
    *,
    check_only: bool,
) -> Checked:
    command = ImportText(
        declared.name, content, source, project["code"], check_only=check_only
    )
    return import_text(services(), command, ui_meta())


def _preview(
    project: dict[str, Any],
    declared: RegisterKind,
    source: str,
    content: bytes,
    problem: str,
    checked: Checked | None = None,
) -> str:
    errors: dict[int, list[str]] = {}
    for error in checked.errors if checked else ():
        errors.setdefault(error.line, []).append(error.message)
    rows = checked.rows if checked else []
    shown = [
        (line, row, errors.get(line, []))
        for index, (line, row) in enumerate(rows)
        if index < PREVIEW_ROWS or line in errors
    ]
    return page(
        "import.html",
        project=project,
        declared=declared,
        upload=(source, base64.b64encode(content).decode(), problem),
        checked=checked,
        table=(list(rows[0][1]) if rows else [], shown, len(rows) - len(shown)),
    )

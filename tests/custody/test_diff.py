"""Unified differences between text versions; binary and oversized are refused."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from service.app import PmoApplication
from service.diff import DiffNotAvailableError, diff_versions, is_text
from service.domain.base import TransitionError
from service.domain.document import Document
from tests.custody.conftest import CUSTODIAN, new_document, new_project, submit


def test_text_versions_give_a_unified_diff(app: PmoApplication) -> None:
    document_id = new_document(app, new_project(app))
    submit(app, document_id, b"scope\nbudget: 10\nrisks\n")
    submit(app, document_id, b"scope\nbudget: 12\nrisks\n", filename="plan-v2.txt")
    document = app.load(Document, document_id)
    assert diff_versions(app.blobs, document, 1, 2) == (
        "--- v1/plan.txt\n"
        "+++ v2/plan-v2.txt\n"
        "@@ -1,3 +1,3 @@\n"
        " scope\n"
        "-budget: 10\n"
        "+budget: 12\n"
        " risks\n"
    )
    assert diff_versions(app.blobs, document, 2, 2) == ""


def test_json_and_a_missing_final_newline(event_app: PmoApplication) -> None:
    app = event_app
    document_id = new_document(app, new_project(app))
    media = "application/json; charset=utf-8"
    submit(app, document_id, json.dumps({"a": 1}).encode(), media)
    submit(app, document_id, json.dumps({"a": 2}).encode(), media)
    text = diff_versions(app.blobs, app.load(Document, document_id), 1, 2)
    assert '-{"a": 1}\n\\ No newline at end of file\n' in text
    assert text.endswith('+{"a": 2}\n\\ No newline at end of file\n')


@pytest.mark.parametrize(
    ("media_type", "expected"),
    [
        ("text/markdown", True),
        ("application/xml", True),
        ("application/vnd.api+json", True),
        ("image/svg+xml", True),
        ("application/pdf", False),
        ("application/octet-stream", False),
    ],
)
def test_text_media_types(media_type: str, expected: bool) -> None:
    assert is_text(media_type) is expected


def test_binary_large_and_undecodable_versions_are_refused(
    event_app: PmoApplication,
) -> None:
    app = event_app
    document_id = new_document(app, new_project(app))
    submit(app, document_id, b"plain\n")
    submit(app, document_id, b"%PDF-1.7", "application/pdf", "plan.pdf")
    submit(app, document_id, b"\xff\xfe\x00bad", "text/plain")
    submit(app, document_id, b"x\n" * 600)
    document = app.load(Document, document_id)
    with pytest.raises(DiffNotAvailableError) as binary:
        diff_versions(app.blobs, document, 1, 2)
    assert binary.value.field == "to" and "not text" in binary.value.message
    with pytest.raises(DiffNotAvailableError, match="not valid text"):
        diff_versions(app.blobs, document, 3, 1)
    with pytest.raises(DiffNotAvailableError) as large:
        diff_versions(app.blobs, document, 1, 4, max_bytes=1000)
    assert "1200 bytes" in large.value.message


def test_a_disposed_document_has_no_differences(event_app: PmoApplication) -> None:
    app = event_app
    document_id = new_document(app, new_project(app))
    submit(app, document_id, b"a\n")
    submit(app, document_id, b"b\n")
    due = app.disposal_date(document_id).disposable_from
    assert due is not None
    app.dispose_document(document_id, CUSTODIAN, due, grace=timedelta(0))
    with pytest.raises(TransitionError):
        diff_versions(app.blobs, app.load(Document, document_id), 1, 2)

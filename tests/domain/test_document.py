"""Document: versions, review and approval, copies, holds, retention, disposal."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest

from service.domain.base import InvalidValueError, RoleRequiredError
from service.domain.document import Document
from tests.domain.support import (
    CONTRIBUTOR,
    CUSTODIAN,
    HEAD,
    PROJECT_ID,
    SHA,
    assert_refused,
    assert_same_on_replay,
    event_names,
)

DUE = date(2030, 1, 1)


def new_document() -> Document:
    return Document.register(
        PROJECT_ID,
        "Business case",
        "business-case",
        "internal",
        "project-7y",
        "Mia",
        CUSTODIAN,
    )


def with_versions(count: int) -> Document:
    document = new_document()
    for i in range(count):
        document.submit_version(
            SHA, 10 + i, "application/pdf", f"bc{i}.pdf", "", CONTRIBUTOR
        )
    return document


def approve(document: Document, number: int) -> None:
    document.send_for_review(number, CONTRIBUTOR)
    document.approve_version(number, CUSTODIAN)


def test_register() -> None:
    document = new_document()
    assert (document.status, document.classification) == ("active", "internal")
    assert document.versions == [] and document.authoritative is None
    with pytest.raises(InvalidValueError) as caught:
        Document.register(PROJECT_ID, "t", "x", "secret", "r", "o", CUSTODIAN)
    assert caught.value.field == "classification"


def test_versions_are_numbered_densely_and_start_as_drafts() -> None:
    document = new_document()
    assert (
        document.submit_version(SHA, 0, "text/plain", "a.txt", "first", CONTRIBUTOR)
        == 1
    )
    assert document.submit_version(SHA, 5, "text/plain", "a.txt", "", CONTRIBUTOR) == 2
    first = document.get_version(1)
    assert (first.number, first.status, first.size, first.comment) == (
        1,
        "draft",
        0,
        "first",
    )
    assert first.submitted_by == "cora"
    assert first.submitted_at == document.pending_events[1].timestamp
    assert_same_on_replay(document)


@pytest.mark.parametrize(
    ("field", "args"),
    [
        ("sha256", (SHA.upper(), 1, "text/plain", "a")),
        ("sha256", ("xyz", 1, "text/plain", "a")),
        ("size", (SHA, -1, "text/plain", "a")),
        ("size", (SHA, True, "text/plain", "a")),
        ("media_type", (SHA, 1, "", "a")),
        ("filename", (SHA, 1, "text/plain", "")),
    ],
)
def test_submit_refuses_bad_values(field: str, args: tuple[Any, Any, Any, Any]) -> None:
    document = new_document()
    with pytest.raises(InvalidValueError) as caught:
        document.submit_version(*args, "", CONTRIBUTOR)
    assert caught.value.field == field
    assert document.versions == []


def test_approval_supersedes_the_previous_approved_version() -> None:
    document = with_versions(2)
    approve(document, 1)
    first = document.get_version(1)
    assert document.authoritative == first
    assert (first.status, first.approved_by) == ("approved", "carl")
    assert first.approved_at == document.pending_events[-1].timestamp
    approve(document, 2)
    assert document.get_version(1).status == "superseded"
    assert document.authoritative == document.get_version(2)
    assert_same_on_replay(document)


def test_version_transitions_refused_name_the_version_state() -> None:
    document = with_versions(3)
    assert_refused("draft", document.approve_version, 1, CUSTODIAN)
    document.send_for_review(1, CONTRIBUTOR)
    assert_refused("in-review", document.send_for_review, 1, CONTRIBUTOR)
    document.approve_version(1, CUSTODIAN)
    assert_refused("approved", document.approve_version, 1, CUSTODIAN)
    approve(document, 2)
    assert_refused("superseded", document.withdraw_version, 1, CUSTODIAN)
    assert_refused("superseded", document.send_for_review, 1, CONTRIBUTOR)
    document.withdraw_version(3, CUSTODIAN)
    assert_refused("withdrawn", document.withdraw_version, 3, CUSTODIAN)
    assert_refused("withdrawn", document.send_for_review, 3, CONTRIBUTOR)


@pytest.mark.parametrize("steps", [0, 1, 2])
def test_withdraw_from_draft_in_review_or_approved(steps: int) -> None:
    document = with_versions(1)
    if steps >= 1:
        document.send_for_review(1, CONTRIBUTOR)
    if steps == 2:
        document.approve_version(1, CUSTODIAN)
    document.withdraw_version(1, HEAD)
    assert document.get_version(1).status == "withdrawn"
    assert document.authoritative is None


@pytest.mark.parametrize("number", [0, 2, -1])
def test_unknown_version_numbers_are_refused(number: int) -> None:
    document = with_versions(1)
    with pytest.raises(InvalidValueError) as caught:
        document.send_for_review(number, CONTRIBUTOR)
    assert caught.value.field == "number"
    with pytest.raises(InvalidValueError):
        document.issue_copy(number, "auditor", "audit", CUSTODIAN)


@pytest.mark.parametrize(
    "command",
    [
        lambda d: d.approve_version(1, CONTRIBUTOR),
        lambda d: d.withdraw_version(1, CONTRIBUTOR),
        lambda d: d.place_hold("H1", "case", "court", CONTRIBUTOR),
        lambda d: d.release_hold("H1", CONTRIBUTOR),
        lambda d: d.extend_retention(DUE, CONTRIBUTOR),
        lambda d: d.dispose(DUE, DUE, CONTRIBUTOR),
    ],
)
def test_custody_commands_need_a_custodian(
    command: Callable[[Document], None],
) -> None:
    document = with_versions(1)
    document.send_for_review(1, CONTRIBUTOR)
    version = document.version
    with pytest.raises(RoleRequiredError):
        command(document)
    assert document.version == version


def test_copies_record_recipient_purpose_and_version() -> None:
    document = with_versions(2)
    document.issue_copy(2, "site office", "installation", CUSTODIAN)
    copy = document.copies[0]
    assert (copy.number, copy.recipient, copy.purpose, copy.issued_by) == (
        2,
        "site office",
        "installation",
        "carl",
    )
    assert event_names(document)[-1] == "CopyIssued"
    assert_same_on_replay(document)


def test_holds_block_disposal_until_all_are_released() -> None:
    document = with_versions(1)
    document.place_hold("H1", "Smith v PMO", "court order", CUSTODIAN)
    document.place_hold("H2", "tax audit", "HMRC", HEAD)
    assert_refused("held", document.place_hold, "H1", "again", "x", CUSTODIAN)
    assert_refused("under legal hold", document.dispose, DUE, DUE, HEAD)
    document.release_hold("H1", CUSTODIAN)
    assert_refused("under legal hold", document.dispose, DUE, DUE, HEAD)
    with pytest.raises(InvalidValueError) as caught:
        document.release_hold("H1", CUSTODIAN)
    assert caught.value.field == "hold_id"
    document.release_hold("H2", CUSTODIAN)
    document.dispose(DUE, DUE, HEAD)
    assert document.status == "disposed"
    assert_same_on_replay(document)


def test_retention_only_moves_later_and_delays_disposal() -> None:
    document = with_versions(1)
    document.extend_retention(date(2031, 6, 1), CUSTODIAN)
    for earlier in (date(2031, 6, 1), date(2030, 1, 1)):
        with pytest.raises(InvalidValueError) as caught:
            document.extend_retention(earlier, CUSTODIAN)
        assert caught.value.field == "until"
    assert_refused("before its disposal date", document.dispose, DUE, DUE, CUSTODIAN)
    assert_refused(
        "before its disposal date", document.dispose, DUE, date(2031, 5, 31), CUSTODIAN
    )
    document.dispose(DUE, date(2031, 6, 1), CUSTODIAN)
    assert document.status == "disposed"
    assert document.disposal_due_on == DUE


def test_disposal_waits_for_its_due_date() -> None:
    document = new_document()
    assert_refused(
        "before its disposal date", document.dispose, DUE, date(2029, 12, 31), HEAD
    )
    with pytest.raises(InvalidValueError):
        document.dispose("2030-01-01", DUE, HEAD)  # type: ignore[arg-type]
    document.dispose(DUE, date(2030, 1, 2), HEAD)
    event = document.pending_events[-1]
    assert type(event).__name__ == "Disposed"
    assert (event.retention_class, event.due_on) == ("project-7y", DUE)  # type: ignore[attr-defined]


def test_a_disposed_document_keeps_its_history_and_refuses_everything() -> None:
    document = with_versions(2)
    approve(document, 1)
    document.dispose(DUE, DUE, CUSTODIAN)
    version = document.version
    assert_refused(
        "disposed", document.submit_version, SHA, 1, "a/b", "f", "", CONTRIBUTOR
    )
    assert_refused("disposed", document.send_for_review, 2, CONTRIBUTOR)
    assert_refused("disposed", document.approve_version, 2, CUSTODIAN)
    assert_refused("disposed", document.withdraw_version, 1, CUSTODIAN)
    assert_refused("disposed", document.issue_copy, 1, "x", "y", CUSTODIAN)
    assert_refused("disposed", document.place_hold, "H", "t", "m", CUSTODIAN)
    assert_refused("disposed", document.release_hold, "H", CUSTODIAN)
    assert_refused("disposed", document.extend_retention, DUE, CUSTODIAN)
    assert_refused("disposed", document.dispose, DUE, DUE, CUSTODIAN)
    assert document.version == version
    assert [v.number for v in document.versions] == [1, 2]
    assert document.authoritative is not None


def test_the_origin_is_recorded_once_before_any_version() -> None:
    source = with_versions(2)
    document = new_document()
    with pytest.raises(InvalidValueError, match="relation"):
        document.record_origin("copied", source, 1, CUSTODIAN)
    with pytest.raises(InvalidValueError, match="no version 3"):
        document.record_origin("template", source, 3, CUSTODIAN)
    document.record_origin("template", source, 2, CUSTODIAN)
    assert document.origin == {
        "relation": "template",
        "document_id": str(source.id),
        "version": 2,
        "sha256": SHA,
    }
    assert event_names(document) == ["Registered", "OriginRecorded"]
    assert_refused("begun", document.record_origin, "nominated", source, 1, CUSTODIAN)
    begun = with_versions(1)
    assert_refused("begun", begun.record_origin, "template", source, 1, CUSTODIAN)
    assert new_document().origin is None
    assert_same_on_replay(document)

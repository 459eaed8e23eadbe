"""Custody forms on a document's page, on each backend: upload a version, send it
for review, approve, withdraw, place and release a hold, dispose; who sees each
form, what it records, stale forms, double submits and invalid values."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta
from uuid import UUID, uuid4

from service.domain.base import Meta
from service.domain.document import Document
from service.retention import schedule_to_data
from tests.custody.test_api import SAME_DAY
from tests.ui.conftest import Ui
from tests.ui.test_forms import form_of

HEAD = Meta("olivia", "pmo-head", "test")
FORMS = (
    "form-upload",
    "form-version-1",
    "form-hold",
    "form-copy",
    "form-retention",
    "form-dispose",
)


def new_document(ui: Ui, retention_class: str = "working-paper") -> UUID:
    """A document in an open project, with one draft version."""
    app = ui.services.app
    project = app.register_project("CUF", "Custody", "", "S", "M", HEAD).id
    document = app.register_document(
        project, "Plan", "plan", "internal", retention_class, "Cara", HEAD
    ).id
    app.submit_version(document, io.BytesIO(b"one\n"), "text/plain", "p.txt", "", HEAD)
    ui.caught_up()
    return document


def opened(
    ui: Ui, role: str, form: str, retention_class: str = "working-paper"
) -> tuple[UUID, str, dict[str, str]]:
    """A new document, its page's path and one form's hidden values, for a role."""
    document = new_document(ui, retention_class)
    ui.sign_in(role)
    path = f"/ui/documents/{document}"
    return document, path, form_of(ui.client.get(path), form)


def test_each_role_sees_only_its_custody_forms(ui: Ui) -> None:
    document = new_document(ui)
    path = f"/ui/documents/{document}"
    for role, shown in (
        ("contributor", {"form-upload"}),
        ("custodian", set(FORMS)),
        ("auditor", set()),
        ("project-officer", set()),
    ):
        ui.sign_in(role)
        text = ui.client.get(path).text
        assert {f for f in FORMS if f'id="{f}"' in text} == shown, role
    ui.sign_in("auditor")
    head = ui.services.app.head_position()
    for action in ("versions/1/approve", "holds", "dispose", "versions"):
        refused = ui.client.post(
            f"{path}/{action}",
            data={"csrf_token": ui.csrf(path), "form_key": f"k-{action}"},
        )
        assert refused.status_code == 403, action
    assert ui.services.app.head_position() == head


def test_upload_review_and_approve_from_the_page(ui: Ui) -> None:
    document, path, hidden = opened(ui, "contributor", "upload")
    app = ui.services.app
    missing = ui.client.post(f"{path}/versions", data={**hidden, "comment": "c"})
    assert missing.status_code == 422
    assert (
        'id="up-file-error"' in missing.text and 'id="form-upload" open' in missing.text
    )
    head = app.head_position()
    posted = {
        **hidden,
        "comment": "Second <draft>",
        "reason": "board asked",
        "file": (io.BytesIO(b"two\nlines\n"), "plan v2.txt", "text/plain"),
    }
    done = ui.client.post(f"{path}/versions", data=posted)
    assert done.status_code == 303, done.text
    posted["file"] = (io.BytesIO(b"two\nlines\n"), "plan v2.txt", "text/plain")
    again = ui.client.post(f"{path}/versions", data=posted)  # the same form again
    assert again.status_code == 303 and app.head_position() == head + 1
    stored = app.load(Document, document)
    second = stored.versions[-1]
    assert (second.number, second.filename, second.comment, second.size) == (
        2,
        "plan v2.txt",
        "Second <draft>",
        10,
    )
    assert list(app.events.get(document))[-1].meta.reason == "board asked"
    page = ui.client.get(path).text
    assert "Second &lt;draft&gt;" in page and "Recorded: uploaded the version." in page

    ui.sign_in("custodian")
    hidden = form_of(ui.client.get(path), "version-2")
    sent = ui.client.post(f"{path}/versions/2/review", data=hidden)
    assert sent.status_code == 303
    page = ui.client.get(path)
    assert "Approve v2" in page.text and "Send for review v2" not in page.text
    hidden = form_of(page, "version-2")
    app.issue_copy(document, 2, "custodian-user", "read before approval", HEAD)
    approved = ui.client.post(  # a copy issued since does not make the form stale
        f"{path}/versions/2/approve", data={**hidden, "reason": "signed off"}
    )
    assert approved.status_code == 303
    stored = app.load(Document, document)
    assert stored.authoritative is not None and stored.authoritative.number == 2
    shown = ui.client.get(path).text
    assert '<p id="authoritative-now">Now: <strong>v2</strong>' in shown


def test_a_stale_form_shows_the_change_and_records_nothing(ui: Ui) -> None:
    document, path, hidden = opened(ui, "custodian", "version-1")
    app = ui.services.app
    app.withdraw_version(document, 1, Meta("rival", "custodian", "gone"))
    ui.caught_up()
    head = app.head_position()
    stale = ui.client.post(f"{path}/versions/1/review", data=hidden)
    assert stale.status_code == 409
    assert "changed by rival at" in stale.text and 'id="conflict"' in stale.text
    assert app.head_position() == head
    assert app.load(Document, document).versions[0].status == "withdrawn"


def test_holds_block_disposal_until_released(ui: Ui) -> None:
    app = ui.services.app
    app.change_retention_schedule(schedule_to_data(SAME_DAY), [], HEAD)
    document, path, hidden = opened(ui, "custodian", "hold", "project-record")
    head = app.head_position()
    bad = {**hidden, "hold_id": "no spaces", "title": "x" * 201, "mandate": "Counsel"}
    refused = ui.client.post(f"{path}/holds", data=bad)
    assert refused.status_code == 422 and app.head_position() == head
    assert 'id="hold-id-error"' in refused.text
    assert 'id="hold-title-error"' in refused.text
    assert 'value="no spaces"' in refused.text  # what was typed is kept
    hidden = form_of(refused, "hold")
    good = {**bad, **hidden, "hold_id": "LIT-1", "title": "Dispute"}
    assert ui.client.post(f"{path}/holds", data=good).status_code == 303
    page = ui.client.get(path)
    assert "LIT-1: Dispute" in page.text
    held = ui.client.post(f"{path}/dispose", data=form_of(page, "dispose"))
    assert held.status_code == 409 and "Not recorded:" in held.text
    assert app.load(Document, document).status == "active"
    release = form_of(ui.client.get(path), "release-LIT-1")
    assert (
        ui.client.post(f"{path}/holds/LIT-1/release", data=release).status_code == 303
    )
    page = ui.client.get(path)
    disposed = ui.client.post(
        f"{path}/dispose", data={**form_of(page, "dispose"), "reason": "due"}
    )
    assert disposed.status_code == 303
    assert app.load(Document, document).status == "disposed"
    after = ui.client.get(path).text
    assert not any(f'id="{f}"' in after for f in FORMS)  # nothing left to do


def test_copies_and_retention_from_the_page(ui: Ui) -> None:
    document, path, hidden = opened(ui, "custodian", "copy")
    app = ui.services.app
    head = app.head_position()
    values = {"number": "7", "recipient": "Auditor <a>", "purpose": "review"}
    unknown = ui.client.post(f"{path}/copies", data={**hidden, **values})
    assert unknown.status_code == 422 and app.head_position() == head
    assert 'id="copy-number-error"' in unknown.text  # no version 7
    values["number"] = "x"
    bad = ui.client.post(f"{path}/copies", data={**form_of(unknown, "copy"), **values})
    assert bad.status_code == 422 and 'id="copy-number-error"' in bad.text
    values["number"] = "1"
    done = ui.client.post(f"{path}/copies", data={**form_of(bad, "copy"), **values})
    assert done.status_code == 303
    page = ui.client.get(path)
    assert "v1 to Auditor &lt;a&gt; — review" in page.text
    later = (datetime.now(UTC) + timedelta(days=4000)).date().isoformat()
    hidden = form_of(page, "retention")
    kept = ui.client.post(f"{path}/retention", data={**hidden, "until": later})
    assert kept.status_code == 303
    stored = app.load(Document, document)
    assert (len(stored.copies), str(stored.retention_until)) == (1, later)
    hidden = form_of(ui.client.get(path), "retention")
    shorter = ui.client.post(
        f"{path}/retention", data={**hidden, "until": "2027-01-01"}
    )
    assert shorter.status_code == 422 and 'id="retention-until-error"' in shorter.text


def test_unknown_documents_versions_and_steps_are_4xx(ui: Ui) -> None:
    _, path, hidden = opened(ui, "custodian", "hold")
    head = ui.services.app.head_position()
    unknown = f"/ui/documents/{uuid4()}"
    file = {"file": (io.BytesIO(b"x"), "x.txt", "text/plain")}
    for target, extra in (
        (f"{unknown}/holds", {"hold_id": "H", "title": "t", "mandate": "m"}),
        (f"{unknown}/versions", file),
        (f"{unknown}/versions/1/approve", {}),
        (f"{path}/versions/9/approve", {}),
        (f"{path}/versions/1/promote", {}),
        (f"{path}/holds/NOPE/release", {}),
    ):
        data = {**hidden, "form_key": f"k{len(target)}{len(extra)}", **extra}
        answer = ui.client.post(target, data=data)
        assert 400 <= answer.status_code < 500, (target, answer.status_code)
    assert ui.services.app.head_position() == head

"""Registering a project and a document from the UI, on each backend."""

from __future__ import annotations

from uuid import UUID

from service.domain.base import Meta
from service.domain.document import Document
from service.domain.project import Project
from tests.ui.conftest import Ui
from tests.ui.test_forms import form_of

HEAD = Meta("olivia", "pmo-head", "test")
PROJECT = {"code": "NEW-1", "name": "New <one>", "sponsor": "Sam", "manager": "Max"}


def test_a_project_registered_from_the_dashboard_once(ui: Ui) -> None:
    app = ui.services.app
    app.register_project("TAKEN", "Taken", "", "S", "M", HEAD)
    ui.caught_up()
    ui.sign_in("auditor")
    assert 'id="form-project"' not in ui.client.get("/ui/").text
    refused = ui.client.post(
        "/ui/projects", data={**PROJECT, "csrf_token": ui.csrf("/ui/"), "form_key": "k"}
    )
    assert refused.status_code == 403
    ui.sign_in("project-officer")
    hidden = form_of(ui.client.get("/ui/"), "project")
    head = app.head_position()
    bad = ui.client.post("/ui/projects", data={**hidden, **PROJECT, "code": "a b"})
    assert bad.status_code == 422 and 'id="project-code-error"' in bad.text
    assert (
        'value="New &lt;one&gt;"' in bad.text and 'id="form-project" open' in bad.text
    )
    taken = {**form_of(bad, "project"), **PROJECT, "code": "TAKEN"}
    clash = ui.client.post("/ui/projects", data=taken)
    assert clash.status_code == 409 and "Not recorded:" in clash.text
    assert app.head_position() == head
    posted = {**form_of(clash, "project"), **PROJECT, "reason": "board approved"}
    done = ui.client.post("/ui/projects", data=posted)
    assert done.status_code == 303
    written = app.head_position()  # the project (and its registrar's membership)
    again = ui.client.post("/ui/projects", data=posted)
    assert again.headers["Location"] == done.headers["Location"]
    assert app.head_position() == written
    project = app.load(Project, UUID(done.headers["Location"].rsplit("/", 1)[1]))
    assert (project.code, project.name, project.manager) == (
        "NEW-1",
        "New <one>",
        "Max",
    )


def test_a_document_registered_from_the_documents_page(ui: Ui) -> None:
    app = ui.services.app
    project = app.register_project("DOCS", "Docs", "", "S", "M", HEAD).id
    ui.caught_up()
    path = f"/ui/projects/{project}/documents"
    ui.sign_in("contributor")
    assert 'id="form-document"' not in ui.client.get(path).text
    ui.sign_in("custodian")
    page = ui.client.get(path)
    assert '<option value="working-paper">' in page.text
    values = {
        "title": "Plan",
        "doc_type": "plan",
        "classification": "internal",
        "retention_class": "no-such-class",
        "owner": "Cara",
    }
    head = app.head_position()
    bad = ui.client.post(path, data={**form_of(page, "document"), **values})
    assert bad.status_code == 422 and 'id="document-retention-error"' in bad.text
    assert app.head_position() == head
    values["retention_class"] = "working-paper"
    done = ui.client.post(path, data={**form_of(bad, "document"), **values})
    assert done.status_code == 303
    document = app.load(Document, UUID(done.headers["Location"].rsplit("/", 1)[1]))
    assert (document.title, document.retention_class) == ("Plan", "working-paper")
    assert 'id="form-upload"' in ui.client.get(done.headers["Location"]).text

"""The library page (its forms, refusals, the issued reports) and the portfolio's
pictures, through the UI as a person signs in to it, on each backend."""

from __future__ import annotations

import io
import re
from uuid import UUID

from service.demo import load_demo
from service.domain.base import Meta
from service.domain.document import Document
from tests.ui.conftest import Ui
from usecases.membership import TOP_CLEARANCE, Reach
from usecases.portfolio import PortfolioQuery, portfolio

CUSTODIAN = Meta("setup", "custodian", "library test")


def template(ui: Ui) -> str:
    """An approved library template, and an open project to start documents in."""
    app = ui.services.app
    found = app.register_library_document(
        "PID template", "template", "internal", "deliverable", "Hana", CUSTODIAN
    ).id
    app.submit_version(
        found, io.BytesIO(b"# PID\n"), "text/markdown", "pid.md", "", CUSTODIAN
    )
    app.send_version_for_review(found, 1, CUSTODIAN)
    app.approve_version(found, 1, CUSTODIAN)
    app.register_project("LIB-1", "Library", "", "S", "M", CUSTODIAN)
    ui.caught_up()
    return str(found)


def start_form(ui: Ui, template_id: str, **changed: str) -> dict[str, str]:
    project = ui.services.views.list_projects()[0]["id"]
    return {
        "template_id": template_id,
        "project_id": project,
        "title": "Our PID",
        "doc_type": "pid",
        "classification": "internal",
        "retention_class": "project-record",
        "owner": "Max",
        "reason": "initiation",
        "csrf_token": ui.csrf("/ui/library"),
        "form_key": changed.pop("form_key", "k1"),
    } | changed


def test_a_custodian_starts_a_document_from_a_template(ui: Ui) -> None:
    found = template(ui)
    ui.sign_in("custodian")
    page = ui.client.get("/ui/library").text
    assert "PID template" in page and 'id="form-start"' in page
    assert 'id="form-register"' in page
    head = ui.services.app.head_position()
    bad = ui.client.post(
        "/ui/library/from-template", data=start_form(ui, found, title="")
    )
    assert bad.status_code == 422 and 'id="start-title-error"' in bad.text
    wrong = start_form(ui, found, retention_class="forever", form_key="k2")
    refused = ui.client.post("/ui/library/from-template", data=wrong)
    assert refused.status_code == 422 and "forever" in refused.text
    assert ui.services.app.head_position() == head
    made = ui.client.post(
        "/ui/library/from-template", data=start_form(ui, found, form_key="k3")
    )
    assert made.status_code == 303, made.text
    document_id = made.headers["Location"].rsplit("/", 1)[1]
    shown = ui.client.get(f"/ui/documents/{document_id}").text
    assert 'id="origin"' in shown and "Started from a library template" in shown
    assert f"/ui/documents/{found}" in shown.split('id="origin"')[1].split("</p>")[0]
    kept = ui.client.get(f"/ui/documents/{found}")  # a library document's own page
    assert kept.status_code == 200 and "PMO library" in kept.text
    document = ui.services.app.load(Document, UUID(document_id))
    assert document.origin == {
        "relation": "template",
        "document_id": found,
        "version": 1,
        "sha256": document.versions[0].sha256,
    }


def test_readers_get_no_forms_and_may_not_post(ui: Ui) -> None:
    found = template(ui)
    ui.sign_in("contributor")
    page = ui.client.get("/ui/library")
    assert page.status_code == 200 and "PID template" in page.text
    assert 'id="form-start"' not in page.text and 'id="form-register"' not in page.text
    head = ui.services.app.head_position()
    answer = ui.client.post("/ui/library/from-template", data=start_form(ui, found))
    assert answer.status_code == 403
    assert ui.services.app.head_position() == head
    register = {
        "title": "ToR",
        "doc_type": "terms-of-reference",
        "classification": "internal",
        "retention_class": "deliverable",
        "owner": "Hana",
        "csrf_token": ui.csrf("/ui/library"),
        "form_key": "r1",
    }
    assert ui.client.post("/ui/library/documents", data=register).status_code == 403
    ui.sign_in("pmo-head")
    register["csrf_token"] = ui.csrf("/ui/library")
    bad = ui.client.post("/ui/library/documents", data=register | {"doc_type": "x"})
    assert bad.status_code == 422 and ui.services.app.head_position() == head
    made = ui.client.post("/ui/library/documents", data=register | {"form_key": "r2"})
    assert made.status_code == 303
    ui.caught_up()
    rows = ui.client.get("/ui/library").text.split('id="library-terms-of-reference"')[1]
    assert "ToR" in rows.split("</table>")[0]
    assert ui.client.get("/ui/library?as_of=someday").status_code == 400


def test_the_portfolio_page_draws_the_portfolio_view(ui: Ui) -> None:
    load_demo(ui.services.app)
    ui.caught_up()
    ui.sign_in("pmo-head")
    answer = ui.client.get("/ui/portfolio")
    assert answer.status_code == 200
    html = answer.text
    view = portfolio(
        ui.services, PortfolioQuery(Reach("pmo-head", {}, TOP_CLEARANCE), top_risks=8)
    )
    cells = re.findall(
        r'data-cell="([^"]+)" data-reported="(\w+)" data-suggested="(\w+)"', html
    )
    assert len(cells) == 6 * len(view["projects"]) == 18
    for project in view["projects"]:
        for name, colour in project["suggested_rag"].items():
            reported = project["reported_rag"].get(name) or "grey"
            assert (f"{project['code']}-{name}", reported, colour or "grey") in cells
    risks = html.split('id="top-risks"')[1].split("</svg>")[0]
    assert re.findall(r'data-key="([^"]+)"', risks) == [
        r["id"] for r in view["top_risks"]
    ]
    assert all(f"/ui/risks/{r['id']}" in risks for r in view["top_risks"])
    slipping = html.split('id="slipping"')[1].split("</svg>")[0]
    assert sorted(re.findall(r'data-key="([^"]+)"', slipping)) == sorted(
        str(m["id"]) for m in view["milestones_slipping"]
    )
    budgets = html.split('id="budget-actual"')[1].split("</svg>")[0]
    assert budgets.count("<a ") >= len(view["projects"])
    for action in view["actions_overdue"]:
        assert f"/ui/actions/{action['id']}" in html
    assert ui.client.get("/ui/portfolio?as_of=2000-01-01").status_code == 200
    assert ui.client.get("/ui/portfolio?as_of=nonsense").status_code == 400


def test_a_version_is_nominated_from_its_page_keeping_the_link(ui: Ui) -> None:
    app = ui.services.app
    project = app.register_project("LIB-2", "Nominee", "", "S", "M", CUSTODIAN).id
    original = app.register_document(
        project,
        "Lessons",
        "lessons-report",
        "internal",
        "project-record",
        "C",
        CUSTODIAN,
    ).id
    app.submit_version(
        original, io.BytesIO(b"lessons\n"), "text/plain", "l.txt", "", CUSTODIAN
    )
    ui.caught_up()
    path = f"/ui/documents/{original}/versions/1/nominate"
    ui.sign_in("contributor")
    assert 'id="nominate"' not in ui.client.get(f"/ui/documents/{original}").text
    assert ui.client.get(path).status_code == 403
    ui.sign_in("project-officer")
    assert path in ui.client.get(f"/ui/documents/{original}").text
    assert (
        ui.client.get(f"/ui/documents/{original}/versions/2/nominate").status_code
        == 404
    )
    form = {"title": "", "reason": "worth copying", "csrf_token": ui.csrf(path)}
    head = app.head_position()
    bad = ui.client.post(path, data=form | {"form_key": "n1"})
    assert bad.status_code == 422 and 'id="nominate-title-error"' in bad.text
    assert app.head_position() == head
    made = ui.client.post(path, data=form | {"title": "Good lessons", "form_key": "n2"})
    assert made.status_code == 303
    nominated = made.headers["Location"].rsplit("/", 1)[1]
    shown = ui.client.get(f"/ui/documents/{nominated}").text
    assert "Nominated from a project document" in shown
    assert f"/ui/documents/{original}" in shown.split('id="origin"')[1]
    listed = ui.client.get("/ui/library").text.split('id="library-good-practice"')[1]
    assert "Good lessons" in listed.split("</table>")[0]

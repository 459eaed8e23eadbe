"""The UI follows memberships: outsiders get 404 pages, the PMO head manages access."""

from __future__ import annotations

from service.domain.base import Meta
from service.domain.membership import Refusal
from tests.ui.conftest import Ui

SETUP = Meta("setup", "pmo-head")
REFUSED: type = Refusal.Recorded  # type: ignore[attr-defined]


def newcomer(ui: Ui) -> str:
    """Sign in with a fresh contributor token (no memberships); its subject."""
    issued = ui.services.app.issue_token("newcomer", "contributor", SETUP)
    response = ui.client.post(
        "/ui/login", data={"token": issued.secret, "csrf_token": ui.csrf()}
    )
    assert response.status_code == 302
    return f"token:{issued.token_id}"


def test_an_outsider_sees_no_project_and_its_refusal_is_recorded(ui: Ui) -> None:
    project = ui.services.app.register_project("UI-1", "Hidden", "", "S", "M", SETUP)
    ui.caught_up()
    subject = newcomer(ui)
    assert "Hidden" not in ui.client.get("/ui/").text
    before = ui.services.app.head_position()
    refused = ui.client.get(f"/ui/projects/{project.id}")
    assert refused.status_code == 404 and "text/html" in refused.content_type
    assert ui.services.app.head_position() == before + 1
    event, _ = list(ui.services.app.iter_events_of(REFUSED))[-1]
    assert event.subject == subject and event.project_id == project.id
    assert ui.client.get("/ui/audit").status_code == 403
    assert ui.client.get("/ui/access").status_code == 403


def test_the_pmo_head_grants_a_membership_on_the_access_page(ui: Ui) -> None:
    project = ui.services.app.register_project("UI-2", "Shared", "", "S", "M", SETUP)
    ui.caught_up()
    subject = newcomer(ui)
    assert ui.client.get(f"/ui/projects/{project.id}").status_code == 404
    ui.sign_in("pmo-head")
    listed = ui.client.get("/ui/access")
    assert listed.status_code == 200 and subject in listed.text
    form = {
        "subject": subject,
        "project": str(project.id),
        "role": "contributor",
        "reason": "joins",
        "csrf_token": ui.csrf("/ui/access"),
    }
    assert ui.client.post("/ui/access/grant", data=form).status_code == 302
    access = ui.services.app.access_of(subject)
    assert access is not None and access.memberships == {str(project.id): "contributor"}
    forged = dict(form, csrf_token="forged")
    assert ui.client.post("/ui/access/revoke", data=forged).status_code == 403
    bad = dict(form, role="pmo-head", csrf_token=form["csrf_token"])
    assert ui.client.post("/ui/access/grant", data=bad).status_code == 422

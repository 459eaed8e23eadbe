"""The personal data page: the PMO head's alone; refusals write nothing."""

from __future__ import annotations

from tests.ui.conftest import Ui
from tests.ui.test_tokens import hidden


def test_only_the_pmo_head_reaches_the_personal_data_page(ui: Ui) -> None:
    ui.sign_in("auditor")
    assert ui.client.get("/ui/privacy").status_code == 403
    assert 'href="/ui/privacy"' not in ui.client.get("/ui/").text
    head = ui.services.app.head_position()
    form = {"csrf_token": ui.csrf("/ui/"), "form_key": "k", "name": "X"}
    erase = form | {"legal_basis": "objection", "reason": "r"}
    assert ui.client.post("/ui/privacy/erasures", data=erase).status_code == 403
    assert ui.client.post("/ui/privacy/subject-access", data=form).status_code == 403
    assert ui.services.app.head_position() == head


def test_an_erasure_without_a_person_or_basis_is_refused_and_writes_nothing(
    ui: Ui,
) -> None:
    ui.sign_in("pmo-head")
    page = ui.client.get("/ui/privacy")
    assert page.status_code == 200 and 'href="/ui/privacy"' in page.text
    form = hidden(page.text, "/ui/privacy/erasures")
    head = ui.services.app.head_position()
    for typed in (
        {"legal_basis": "objection", "reason": "asked"},
        {"name": "X", "legal_basis": "whim", "reason": "asked"},
        {"name": "X", "legal_basis": "objection", "reason": ""},
    ):
        refused = ui.client.post(
            "/ui/privacy/erasures", data=form | typed | {"form_key": str(typed)}
        )
        assert refused.status_code == 422
        assert 'role="alert"' in refused.text
    access = hidden(page.text, "/ui/privacy/subject-access")
    shown = ui.client.post("/ui/privacy/subject-access", data=access)
    assert shown.status_code == 422
    assert ui.services.app.head_position() == head
    download = ui.client.post(
        "/ui/privacy/subject-access",
        data=access | {"email": "nobody@example.org", "download": "1"},
    )
    assert download.status_code == 200
    assert download.json == {"subjects": [], "items": []}
    assert ui.services.app.head_position() == head + 1  # the export is recorded

"""The personal data page: the PMO head's alone; refusals write nothing."""

from __future__ import annotations

from service.domain.base import Meta
from service.domain.erasure import ERASED
from tests.ui.conftest import Ui
from tests.ui.test_tokens import hidden
from usecases.privacy import list_erasures


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


def test_the_pmo_head_erases_an_account_from_the_form(ui: Ui) -> None:
    leaver = "Ottoline Vandersteen-Quail"
    issued = ui.services.app.issue_token(leaver, "auditor", Meta("setup", "pmo-head"))
    ui.sign_in("auditor")
    assert ui.client.post("/ui/privacy/account-erasures", data={}).status_code == 403
    ui.sign_in("pmo-head")
    page = ui.client.get("/ui/privacy")
    form = hidden(page.text, "/ui/privacy/account-erasures")
    head = ui.services.app.head_position()
    for n, typed in enumerate(
        (
            {"name": "", "legal_basis": "objection", "reason": "left"},
            {"name": leaver, "legal_basis": "whim", "reason": "left"},
            {"name": leaver, "legal_basis": "objection", "reason": ""},
            {"name": "system", "legal_basis": "objection", "reason": "left"},
        )
    ):
        refused = ui.client.post(
            "/ui/privacy/account-erasures", data=form | typed | {"form_key": f"r{n}"}
        )
        assert refused.status_code == 422
        assert 'role="alert"' in refused.text and leaver not in refused.text
    assert ui.services.app.head_position() == head

    typed = {"name": leaver, "legal_basis": "no-longer-necessary", "reason": "left"}
    done = ui.client.post("/ui/privacy/account-erasures", data=form | typed)
    assert done.status_code == 303
    again = ui.client.post("/ui/privacy/account-erasures", data=form | typed)
    assert again.status_code == 303  # the same form sent twice: erased once
    shown = ui.client.get("/ui/privacy").text
    assert "read models rebuilt" in shown and "no-longer-necessary" in shown
    (token,) = [
        t for t in ui.services.app.list_tokens() if t.token_id == issued.token_id
    ]
    assert (token.name, token.status) == (ERASED, "revoked")
    assert len(list_erasures(ui.services)) == 1

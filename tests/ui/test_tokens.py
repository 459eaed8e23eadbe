"""The PMO head's token page: issue (secret shown once, never kept), revoke."""

from __future__ import annotations

import re

from sqlalchemy import text

from tests.ui.conftest import Ui

SECRET = re.compile(r'<code class="hash" id="secret" data-copy="([^"]+)"')


def hidden(page: str, action: str) -> dict[str, str]:
    """The hidden values of the form posting to `action`."""
    start = page.index(f'action="{action}"')
    end = page.index("</form>", start)
    return dict(
        re.findall(r'type="hidden" name="(\w+)" value="([^"]*)"', page[start:end])
    )


def test_only_the_pmo_head_sees_or_uses_the_token_page(ui: Ui) -> None:
    ui.sign_in("auditor")
    assert ui.client.get("/ui/tokens").status_code == 403
    assert 'href="/ui/tokens"' not in ui.client.get("/ui/").text
    head = ui.services.app.head_position()
    posted = ui.client.post(
        "/ui/tokens",
        data={
            "csrf_token": ui.csrf("/ui/"),
            "form_key": "k",
            "name": "x",
            "role": "auditor",
        },
    )
    assert posted.status_code == 403
    assert ui.services.app.head_position() == head
    ui.sign_in("pmo-head")
    page = ui.client.get("/ui/tokens")
    assert page.status_code == 200 and 'href="/ui/tokens"' in page.text
    assert "auditor-user" in page.text


def test_a_secret_is_shown_once_and_kept_nowhere(ui: Ui) -> None:
    ui.sign_in("pmo-head")
    form = hidden(ui.client.get("/ui/tokens").text, "/ui/tokens")
    head = ui.services.app.head_position()
    bad = ui.client.post("/ui/tokens", data={**form, "name": " ", "role": "king"})
    assert bad.status_code == 422
    assert 'id="token-name-error"' in bad.text and 'id="token-role-error"' in bad.text
    assert ui.services.app.head_position() == head
    posted = {**form, "name": "Nina <new>", "role": "contributor", "reason": "joined"}
    issued = ui.client.post("/ui/tokens", data=posted)
    assert issued.status_code == 201
    found = SECRET.search(issued.text)
    assert found is not None
    secret = found.group(1)
    assert ui.services.app.head_position() == head + 1
    again = ui.client.post("/ui/tokens", data=posted)  # the same form sent twice
    assert again.status_code == 303 and secret not in again.text
    assert ui.services.app.head_position() == head + 1
    shown = ui.client.get(again.headers["Location"])
    assert "its secret is shown only once" in shown.text and secret not in shown.text
    with ui.services.views_engine.connect() as conn:
        kept = conn.execute(text("SELECT * FROM api_idempotency_keys")).all()
    assert kept and all(secret not in str(row) for row in kept)
    fresh = Ui(ui.services)
    response = fresh.client.post(
        "/ui/login", data={"token": secret, "csrf_token": fresh.csrf()}
    )
    assert response.status_code == 302


def test_revoking_a_token_ends_its_sessions(ui: Ui) -> None:
    holder = Ui(ui.services)
    holder.sign_in("contributor")
    assert holder.client.get("/ui/").status_code == 200
    ui.sign_in("pmo-head")
    token_id = holder.issued["contributor"].token_id
    page = ui.client.get("/ui/tokens").text
    action = f"/ui/tokens/{token_id}/revoke"
    revoked = ui.client.post(action, data={**hidden(page, action), "reason": "left"})
    assert revoked.status_code == 303
    assert holder.client.get("/ui/").status_code == 302  # back to sign-in
    listed = ui.client.get("/ui/tokens").text
    assert f'data-id="{token_id}" data-status="revoked"' in listed
    assert action not in listed

"""The PMO head's subscriptions page: list, create (secret once), pause, resume."""

from __future__ import annotations

from tests.ui.conftest import Ui
from tests.ui.conftest import ui as ui  # the UI fixture on each backend
from usecases.subscriptions import list_subscriptions


def test_the_pmo_head_creates_pauses_and_resumes_from_the_page(ui: Ui) -> None:
    """Forms post with the CSRF token; refusals change nothing."""
    ui.sign_in("pmo-head")
    page = ui.client.get("/ui/subscriptions")
    assert page.status_code == 200 and "No subscriptions yet" in page.text
    head = ui.services.app.head_position()
    refused = ui.client.post(
        "/ui/subscriptions",
        data={
            "name": "inside",
            "url": "http://10.0.0.5/hook",
            "csrf_token": ui.csrf("/ui/subscriptions"),
        },
    )
    assert refused.status_code == 422 and "private" in refused.text
    assert ui.services.app.head_position() == head
    created = ui.client.post(
        "/ui/subscriptions",
        data={
            "name": "portal",
            "url": "https://93.184.216.34/hook",
            "event_types": "Risk, Change.Decided",
            "csrf_token": ui.csrf("/ui/subscriptions"),
        },
    )
    assert created.status_code == 201
    assert 'id="secret">whsec_' in created.text
    listed = ui.client.get("/ui/subscriptions").text
    assert "portal" in listed and "whsec_" not in listed and "Pause" in listed
    (found,) = list_subscriptions(ui.services)
    path = f"/ui/subscriptions/{found.subscription_id}/pause"
    no_csrf = ui.client.post(path, data={})
    assert no_csrf.status_code in (400, 403)
    paused = ui.client.post(path, data={"csrf_token": ui.csrf("/ui/subscriptions")})
    assert paused.status_code == 303
    assert "Resume" in ui.client.get("/ui/subscriptions").text
    twice = ui.client.post(path, data={"csrf_token": ui.csrf("/ui/subscriptions")})
    assert twice.status_code == 409


def test_other_roles_cannot_see_the_page(ui: Ui) -> None:
    """Only the PMO head manages subscriptions."""
    ui.sign_in("auditor")
    assert ui.client.get("/ui/subscriptions").status_code == 403
    dashboard = ui.client.get("/ui/", follow_redirects=True)
    assert dashboard.status_code == 200
    assert "Subscriptions</a>" not in dashboard.text

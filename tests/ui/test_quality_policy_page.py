"""The quality policy page, on each backend: the rules now and as at a date, and
the form the PMO head sets a document type's rule with; refusals record nothing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from service.domain.base import Meta
from service.domain.quality_policy import POLICY_ID
from tests.ui.conftest import Ui
from tests.ui.test_forms import form_of
from usecases import control

HEAD = Meta("olivia", "pmo-head", "test")


def rules(ui: Ui) -> dict[str, bool]:
    """The policy as the use case reads it now."""
    ui.caught_up()
    found: dict[str, bool] = control.quality_policy(ui.services, control.AsOf())[
        "required"
    ]
    return found


def test_the_head_sets_a_rule_once_and_the_page_shows_it(ui: Ui) -> None:
    ui.sign_in("pmo-head")
    assert 'href="/ui/quality-policy"' in ui.client.get("/ui/library").text
    page = ui.client.get("/ui/quality-policy")
    assert "No document type has a rule" in page.text
    hidden = form_of(page, "rule")
    posted = {**hidden, "doc_type": "plan", "required": "required", "reason": "audit"}
    answer = ui.client.post("/ui/quality-policy", data=posted)
    assert answer.status_code == 303, answer.text
    head = ui.services.app.head_position()
    again = ui.client.post("/ui/quality-policy", data=posted)
    assert again.status_code == 303  # the same form twice: recorded once
    assert ui.services.app.head_position() == head
    assert rules(ui) == {"plan": True}
    [*_, event] = ui.services.app.events.get(POLICY_ID)
    assert (event.meta.actor, event.meta.reason) == ("pmo-head-user", "audit")
    shown = ui.client.get("/ui/quality-policy").text
    assert '<tr data-type="plan"><td>plan</td><td>required</td></tr>' in shown
    assert "Recorded the quality rule." in shown
    hidden = form_of(ui.client.get("/ui/quality-policy"), "rule")
    off = {**hidden, "doc_type": "plan", "required": "not required"}
    assert ui.client.post("/ui/quality-policy", data=off).status_code == 303
    assert rules(ui) == {"plan": False}
    yesterday = (datetime.now(UTC) - timedelta(days=1)).date().isoformat()
    before = ui.client.get(f"/ui/quality-policy?as_of={yesterday}").text
    assert "as it stood at" in before and "No document type has a rule" in before
    assert 'id="form-rule"' not in before  # a rule is set now, not in the past


def test_invalid_values_come_back_and_record_nothing(ui: Ui) -> None:
    ui.sign_in("pmo-head")
    hidden = form_of(ui.client.get("/ui/quality-policy"), "rule")
    head = ui.services.app.head_position()
    for doc_type, required, field in (
        ("plan", "maybe", "required"),
        ("", "required", "doc_type"),
        ("x" * 101, "required", "doc_type"),
    ):
        posted = {**hidden, "doc_type": doc_type, "required": required}
        answer = ui.client.post("/ui/quality-policy", data=posted)
        assert answer.status_code == 422, field
        assert '-error">' in answer.text and 'id="form-rule" open' in answer.text
        assert f'aria-describedby="rule-{field.replace("_", "-")}-error"' in answer.text
        hidden = form_of(answer, "rule")
    assert ui.services.app.head_position() == head
    assert rules(ui) == {}


def test_other_roles_see_the_policy_but_no_form_and_are_refused(ui: Ui) -> None:
    control.set_quality_rule(ui.services, control.SetQualityRule("plan", True), HEAD)
    for role in ("custodian", "project-officer", "auditor", "contributor"):
        ui.sign_in(role)
        page = ui.client.get("/ui/quality-policy")
        assert page.status_code == 200, role
        assert 'id="form-rule"' not in page.text, role
        assert "<td>plan</td><td>required</td>" in page.text, role
        head = ui.services.app.head_position()
        data = {
            "csrf_token": ui.csrf("/ui/quality-policy"),
            "form_key": role,
            "doc_type": "plan",
            "required": "not required",
        }
        assert ui.client.post("/ui/quality-policy", data=data).status_code == 403
        assert ui.services.app.head_position() == head
    assert rules(ui) == {"plan": True}

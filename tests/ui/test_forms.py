"""Register forms in the UI, on each backend: who sees them, what they record.

Every form comes from a register's declaration; these tests drive the risk and
decision registers' forms the way a browser posts them and check the store.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any
from uuid import UUID

from werkzeug.test import TestResponse

from service.domain.base import Meta
from service.domain.decision import Decision
from service.domain.risk import Risk
from tests.ui.conftest import Ui
from tests.values import risk_values

HEAD = Meta("olivia", "pmo-head", "test")
FORM_KEY = re.compile(r'name="form_key" value="([^"]+)"')


def new_project(ui: Ui, code: str = "FORMS") -> UUID:
    """A project registered for the test."""
    project = ui.services.app.register_project(code, "Forms", "", "S", "M", HEAD).id
    ui.caught_up()
    return project


def identified(ui: Ui, project: UUID) -> UUID:
    """A risk recorded through the application, once the read models have it."""
    risk_id = ui.services.app.perform("identify_risk", project, risk_values(), HEAD).id
    ui.caught_up()
    return risk_id


def form_of(page: TestResponse, use_case: str) -> dict[str, str]:
    """The hidden values of one command's form on a page (csrf, key, version)."""
    start = page.text.index(f'id="form-{use_case}"')
    end = page.text.index("</form>", start)
    html = page.text[start:end]
    hidden = dict(re.findall(r'type="hidden" name="([a-z_]+)" value="([^"]*)"', html))
    return hidden


def risk_form(**changes: Any) -> dict[str, str]:
    """A risk identification as a browser posts it: every value a string."""
    return {k: str(v) for k, v in risk_values(**changes).items()}


def test_the_create_form_is_shown_to_the_roles_that_may_record(ui: Ui) -> None:
    project = new_project(ui)
    for role, shown in (
        ("project-officer", True),
        ("contributor", True),
        ("auditor", False),
        ("custodian", False),
    ):
        ui.sign_in(role)
        page = ui.client.get(f"/ui/projects/{project}/risks")
        assert page.status_code == 200
        assert ('id="form-identify_risk"' in page.text) is shown, role
        assert ('name="probability"' in page.text) is shown, role


def test_a_risk_recorded_from_the_form_is_in_the_store(ui: Ui) -> None:
    project = new_project(ui)
    ui.sign_in("project-officer")
    page = ui.client.get(f"/ui/projects/{project}/risks")
    hidden = form_of(page, "identify_risk")
    head = ui.services.app.head_position()
    posted = {**hidden, **risk_form(title="Supplier <late>"), "reason": "workshop"}
    answer = ui.client.post(f"/ui/projects/{project}/risks", data=posted)
    assert answer.status_code == 303, answer.text
    risk_id = UUID(answer.headers["Location"].rsplit("/", 1)[1])
    risk = ui.services.app.load(Risk, risk_id)
    assert (risk.title, risk.inherent_probability, risk.status) == (
        "Supplier <late>",
        3,
        "open",
    )
    [event] = ui.services.app.events.get(risk_id)
    assert event.meta.actor == "project-officer-user"
    assert event.meta.reason == "workshop"
    assert ui.services.app.head_position() == head + 1
    again = ui.client.post(f"/ui/projects/{project}/risks", data=posted)
    assert again.status_code == 303  # the same form sent twice: recorded once
    assert again.headers["Location"] == answer.headers["Location"]
    assert ui.services.app.head_position() == head + 1
    shown = ui.client.get(answer.headers["Location"])
    assert "Supplier &lt;late&gt;" in shown.text and "Recorded the risk." in shown.text


def test_invalid_values_come_back_beside_their_fields(ui: Ui) -> None:
    project = new_project(ui)
    ui.sign_in("contributor")
    hidden = form_of(ui.client.get(f"/ui/projects/{project}/risks"), "identify_risk")
    head = ui.services.app.head_position()
    posted = {**hidden, **risk_form(title="Kept <as typed>", probability=9)}
    posted["owner"] = "   "
    posted["category"] = "nonsense"
    answer = ui.client.post(f"/ui/projects/{project}/risks", data=posted)
    assert answer.status_code == 422
    assert ui.services.app.head_position() == head
    text = answer.text
    assert 'id="identify_risk-probability-error"' in text
    assert 'id="identify_risk-owner-error">Required.' in text
    assert 'id="identify_risk-category-error"' in text
    assert 'value="Kept &lt;as typed&gt;"' in text  # what was typed is kept
    assert "<details" in text and 'id="form-identify_risk" open' in text
    fixed = {**posted, **form_of(answer, "identify_risk")}
    fixed.update(probability="2", owner="Olivia", category="cost")
    assert (
        ui.client.post(f"/ui/projects/{project}/risks", data=fixed).status_code == 303
    )
    assert ui.services.app.head_position() == head + 1


def test_commands_are_offered_by_status_and_role_and_refused_otherwise(ui: Ui) -> None:
    project = new_project(ui)
    risk_id = identified(ui, project)
    ui.sign_in("contributor")
    page = ui.client.get(f"/ui/risks/{risk_id}")
    assert 'id="form-assess_risk"' not in page.text
    head = ui.services.app.head_position()
    refused = ui.client.post(
        f"/ui/risks/{risk_id}/close",
        data={"csrf_token": ui.csrf(f"/ui/risks/{risk_id}"), "form_key": "k1"},
    )
    assert refused.status_code == 403
    assert ui.services.app.head_position() == head
    ui.sign_in("project-officer")
    page = ui.client.get(f"/ui/risks/{risk_id}")
    assert 'id="form-assess_risk"' in page.text
    assert 'id="form-close_risk"' in page.text
    assert 'id="form-reopen_risk"' not in page.text  # only a closed risk reopens
    closed = ui.client.post(
        f"/ui/risks/{risk_id}/close", data=form_of(page, "close_risk")
    )
    assert closed.status_code == 303
    assert ui.services.app.load(Risk, risk_id).status == "closed"
    page = ui.client.get(f"/ui/risks/{risk_id}")
    assert 'id="form-reopen_risk"' in page.text
    assert 'id="form-assess_risk"' not in page.text
    head = ui.services.app.head_position()
    stale = {**form_of(page, "reopen_risk"), "form_key": "other"}
    ui.client.post(f"/ui/risks/{risk_id}/reopen", data=form_of(page, "reopen_risk"))
    late = ui.client.post(f"/ui/risks/{risk_id}/reopen", data=stale)
    assert late.status_code == 409
    assert "was changed by project-officer-user" in late.text
    assert ui.services.app.head_position() == head + 1


def test_a_stale_form_shows_who_changed_the_entry(ui: Ui) -> None:
    project = new_project(ui)
    risk_id = identified(ui, project)
    ui.sign_in("project-officer")
    opened = form_of(ui.client.get(f"/ui/risks/{risk_id}"), "assess_risk")
    ratings = {
        "inherent_probability": "4",
        "inherent_impact": "4",
        "residual_probability": "2",
        "residual_impact": "2",
    }
    meanwhile = {k: int(v) - 1 for k, v in ratings.items()}
    ui.services.app.perform("assess_risk", risk_id, meanwhile, HEAD)
    head = ui.services.app.head_position()
    answer = ui.client.post(
        f"/ui/risks/{risk_id}/assessments", data={**opened, **ratings}
    )
    assert answer.status_code == 409
    assert "was changed by olivia" in answer.text and "now version 2" in answer.text
    assert ui.services.app.head_position() == head
    assert ui.services.app.load(Risk, risk_id).inherent_probability == 3
    fresh = form_of(answer, "assess_risk")
    assert fresh["version"] == "2"
    done = ui.client.post(f"/ui/risks/{risk_id}/assessments", data={**fresh, **ratings})
    assert done.status_code == 303
    assert ui.services.app.load(Risk, risk_id).inherent_probability == 4


def test_a_decision_is_superseded_by_choosing_the_other(ui: Ui) -> None:
    project = new_project(ui)
    values = {
        "title": "Vendor A",
        "context": "c",
        "options": ["A", "B"],
        "outcome": "A",
        "rationale": "r",
        "decided_by": "Board",
        "decided_on": date(2026, 10, 1),
        "related_ids": [],
    }
    first = ui.services.app.perform("record_decision", project, values, HEAD).id
    ui.caught_up()
    ui.sign_in("pmo-head")
    page = ui.client.get(f"/ui/projects/{project}/decisions")
    posted = {
        **form_of(page, "record_decision"),
        **{k: v for k, v in values.items() if isinstance(v, str)},
        "decided_on": "2026-10-01",
        "title": "Vendor B",
        "options": "A\n\nB \n",
    }
    answer = ui.client.post(f"/ui/projects/{project}/decisions", data=posted)
    assert answer.status_code == 303, answer.text
    second = UUID(answer.headers["Location"].rsplit("/", 1)[1])
    assert ui.services.app.load(Decision, second).options == ["A", "B"]
    ui.caught_up()
    page = ui.client.get(f"/ui/decisions/{first}")
    assert f'<option value="{second}">Vendor B</option>' in page.text
    form = {**form_of(page, "supersede_decision"), "superseded_by": str(second)}
    done = ui.client.post(f"/ui/decisions/{first}/supersede", data=form)
    assert done.status_code == 303
    assert ui.services.app.load(Decision, first).status == "superseded"


def test_a_form_without_its_csrf_token_or_key_records_nothing(ui: Ui) -> None:
    project = new_project(ui)
    ui.sign_in("project-officer")
    hidden = form_of(ui.client.get(f"/ui/projects/{project}/risks"), "identify_risk")
    head = ui.services.app.head_position()
    no_csrf = {**risk_form(), "form_key": hidden["form_key"]}
    assert (
        ui.client.post(f"/ui/projects/{project}/risks", data=no_csrf).status_code == 403
    )
    no_key = {**risk_form(), "csrf_token": hidden["csrf_token"]}
    assert (
        ui.client.post(f"/ui/projects/{project}/risks", data=no_key).status_code == 400
    )
    unknown = ui.client.post(f"/ui/risks/{project}/nowhere", data=hidden)
    assert unknown.status_code == 404
    assert ui.services.app.head_position() == head

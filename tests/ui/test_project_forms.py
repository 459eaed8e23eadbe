"""Forms on a project's page, on each backend: change its details and stage, set
its cost tolerance, close and reopen it; who sees each form, what it records,
invalid values, stale forms, double submits and refusals."""

from __future__ import annotations

from uuid import UUID

from service.domain.base import Meta
from service.domain.project import Project
from tests.ui.conftest import Ui
from tests.ui.test_forms import form_of
from usecases.value import SetCostTolerance, set_cost_tolerance

HEAD = Meta("olivia", "pmo-head", "test")
OPEN_FORMS = ("details", "stage", "tolerance", "close")


def new_project(ui: Ui) -> UUID:
    """An open project, once the read models have it."""
    project = ui.services.app.register_project("PJF", "Forms", "", "S", "M", HEAD).id
    ui.caught_up()
    return project


def opened(ui: Ui, role: str, form: str) -> tuple[UUID, str, dict[str, str]]:
    """A new project, its page's path and one form's hidden values, for a role."""
    project = new_project(ui)
    ui.sign_in(role)
    path = f"/ui/projects/{project}"
    return project, path, form_of(ui.client.get(path), form)


def test_each_role_sees_only_the_forms_it_may_use(ui: Ui) -> None:
    project = new_project(ui)
    path = f"/ui/projects/{project}"
    for role, shown in (
        ("pmo-head", set(OPEN_FORMS)),
        ("project-officer", {"details", "stage", "close"}),
        ("contributor", set()),
        ("auditor", set()),
        ("custodian", set()),
    ):
        ui.sign_in(role)
        page = ui.client.get(path)
        assert page.status_code == 200, role
        found = {f for f in (*OPEN_FORMS, "reopen") if f'id="form-{f}"' in page.text}
        assert found == shown, role


def test_details_stage_and_tolerance_are_recorded_once(ui: Ui) -> None:
    project, path, hidden = opened(ui, "pmo-head", "details")
    app = ui.services.app
    page = ui.client.get(path).text
    assert 'id="details-sponsor" name="sponsor" maxlength="200" value="S"' in page
    head = app.head_position()
    posted = {
        **hidden,
        "name": "Forms <renamed>",
        "description": "Now described",
        "sponsor": "Sam",
        "manager": "Mo",
        "reason": "board",
    }
    answer = ui.client.post(f"{path}/details", data=posted)
    assert answer.status_code == 303, answer.text
    again = ui.client.post(f"{path}/details", data=posted)
    assert again.status_code == 303  # the same form twice: recorded once
    assert app.head_position() == head + 1
    stored = app.load(Project, project)
    assert (stored.name, stored.sponsor, stored.manager) == (
        "Forms <renamed>",
        "Sam",
        "Mo",
    )
    [*_, event] = app.events.get(project)
    assert (event.meta.actor, event.meta.reason) == ("pmo-head-user", "board")
    shown = ui.client.get(answer.headers["Location"]).text
    assert (
        "Forms &lt;renamed&gt;" in shown and "Recorded: changed the details." in shown
    )
    stage = form_of(ui.client.get(path), "stage")
    assert (
        ui.client.post(f"{path}/stage", data={**stage, "stage": "Delivery"}).status_code
        == 303
    )
    tolerance = form_of(ui.client.get(path), "tolerance")
    answer = ui.client.post(
        f"{path}/cost-tolerance", data={**tolerance, "percent": "7.5"}
    )
    assert answer.status_code == 303
    stored = app.load(Project, project)
    assert (stored.stage, stored.cost_tolerance) == ("Delivery", "7.5")
    assert "Cost tolerance: 7.5 %" in ui.client.get(path).text


def test_invalid_values_come_back_beside_their_fields(ui: Ui) -> None:
    project, path, hidden = opened(ui, "pmo-head", "tolerance")
    head = ui.services.app.head_position()
    answer = ui.client.post(f"{path}/cost-tolerance", data={**hidden, "percent": "ten"})
    assert answer.status_code == 422
    assert 'id="tolerance-percent-error"' in answer.text
    assert 'value="ten"' in answer.text and 'id="form-tolerance" open' in answer.text
    details = form_of(ui.client.get(path), "details")
    blank = {**details, "name": "  ", "sponsor": "S", "manager": "M"}
    answer = ui.client.post(f"{path}/details", data=blank)
    assert answer.status_code == 422
    assert 'id="details-name-error"' in answer.text
    assert ui.services.app.head_position() == head
    assert ui.services.app.load(Project, project).name == "Forms"


def test_a_stale_form_shows_the_change_and_records_nothing(ui: Ui) -> None:
    project, path, hidden = opened(ui, "project-officer", "stage")
    app = ui.services.app
    app.change_project_stage(project, "Initiation", Meta("rival", "pmo-head", "x"))
    ui.caught_up()
    head = app.head_position()
    stale = ui.client.post(f"{path}/stage", data={**hidden, "stage": "Closing"})
    assert stale.status_code == 409
    assert "changed by rival at" in stale.text and 'id="conflict"' in stale.text
    assert app.head_position() == head
    assert app.load(Project, project).stage == "Initiation"


def test_close_then_reopen_and_the_rules_that_refuse(ui: Ui) -> None:
    project, path, hidden = opened(ui, "project-officer", "close")
    app = ui.services.app
    answer = ui.client.post(f"{path}/close", data={**hidden, "reason": "done"})
    assert answer.status_code == 303, answer.text
    assert app.load(Project, project).status == "closed"
    page = ui.client.get(path).text
    assert 'id="form-close"' not in page and 'id="form-reopen"' not in page
    head = app.head_position()
    refused = ui.client.post(f"{path}/reopen", data={**hidden, "form_key": "again"})
    assert refused.status_code == 403  # only the PMO head reopens
    again = ui.client.post(
        f"{path}/stage", data={**hidden, "form_key": "s", "stage": "X"}
    )
    assert again.status_code == 409 and "Not recorded:" in again.text  # closed
    assert app.head_position() == head
    ui.sign_in("pmo-head")
    reopen = form_of(ui.client.get(path), "reopen")
    assert ui.client.post(f"{path}/reopen", data=reopen).status_code == 303
    assert app.load(Project, project).status == "open"


def test_roles_not_allowed_are_refused_and_nothing_is_written(ui: Ui) -> None:
    _, path, _ = opened(ui, "pmo-head", "close")
    ui.sign_in("contributor")
    csrf = ui.csrf(path)
    head = ui.services.app.head_position()
    for form, extra in (
        ("details", {"name": "N", "sponsor": "S", "manager": "M"}),
        ("stage", {"stage": "X"}),
        ("cost-tolerance", {"percent": "5"}),
        ("close", {}),
        ("reopen", {}),
    ):
        data = {"csrf_token": csrf, "form_key": form, **extra}
        assert ui.client.post(f"{path}/{form}", data=data).status_code == 403, form
    assert ui.services.app.head_position() == head


def test_a_tolerance_set_elsewhere_leaves_the_forms_current(ui: Ui) -> None:
    """The page's forms carry the read model's version, which a cost tolerance
    set over the API moves like any other project event."""
    project = new_project(ui)
    app = ui.services.app
    set_cost_tolerance(ui.services, SetCostTolerance(project, "9"), HEAD)
    ui.caught_up()
    ui.sign_in("pmo-head")
    path = f"/ui/projects/{project}"
    page = ui.client.get(path)
    assert "Cost tolerance: 9 %" in page.text and "version 2" in page.text
    hidden = form_of(page, "stage")
    assert hidden["version"] == str(app.load(Project, project).version) == "2"
    answer = ui.client.post(f"{path}/stage", data={**hidden, "stage": "Delivery"})
    assert answer.status_code == 303, answer.text
    assert app.load(Project, project).stage == "Delivery"

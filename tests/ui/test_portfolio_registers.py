"""The portfolio's own registers in the UI (capacity, training courses), on each
backend: their pages and forms, who sees and may use them, what they record,
refusals that record nothing, exports."""

from __future__ import annotations

from uuid import UUID

from service.domain.base import Meta
from service.domain.course import TrainingCourse
from service.domain.register import PORTFOLIO_ID
from service.domain.resource import Capacity
from tests.ui.conftest import Ui
from tests.ui.test_forms import form_of

HEAD = Meta("olivia", "pmo-head", "test")
COURSE = {
    "title": "Managing <risk>",
    "provider": "Academy",
    "level": "practitioner",
    "qualification": "",
    "for_roles": "project manager\nrisk lead\n",
}


def proposed(ui: Ui, role: str = "project-officer") -> tuple[UUID, dict[str, str]]:
    """A course proposed from the courses page's form, and the hidden values used."""
    ui.sign_in(role)
    hidden = form_of(ui.client.get("/ui/courses"), "propose_course")
    answer = ui.client.post("/ui/courses", data={**hidden, **COURSE})
    assert answer.status_code == 303, answer.text
    return UUID(answer.headers["Location"].rsplit("/", 1)[1]), hidden


def test_the_pages_are_linked_and_show_forms_to_the_roles_allowed(ui: Ui) -> None:
    for role, capacity, courses in (
        ("pmo-head", True, True),
        ("project-officer", False, True),
        ("contributor", False, False),
        ("auditor", False, False),
    ):
        ui.sign_in(role)
        dashboard = ui.client.get("/ui/").text
        assert 'href="/ui/capacity"' in dashboard and 'href="/ui/courses"' in dashboard
        page = ui.client.get("/ui/capacity")
        assert page.status_code == 200, role
        assert ('id="form-declare_capacity"' in page.text) is capacity, role
        page = ui.client.get("/ui/courses")
        assert page.status_code == 200, role
        assert ('id="form-propose_course"' in page.text) is courses, role


def test_capacity_declared_set_and_retired_from_the_forms(ui: Ui) -> None:
    ui.sign_in("pmo-head")
    app = ui.services.app
    hidden = form_of(ui.client.get("/ui/capacity"), "declare_capacity")
    head = app.head_position()
    posted = {**hidden, "role": "Analyst", "team": "Data", "reason": "plan"}
    answer = ui.client.post("/ui/capacity", data=posted)
    assert answer.status_code == 303, answer.text
    again = ui.client.post("/ui/capacity", data=posted)
    assert again.headers["Location"] == answer.headers["Location"]
    assert app.head_position() == head + 1  # the same form twice: recorded once
    entry = answer.headers["Location"]
    capacity_id = UUID(entry.rsplit("/", 1)[1])
    stored = app.load(Capacity, capacity_id)
    assert (stored.role, stored.team, stored.project_id) == (
        "Analyst",
        "Data",
        PORTFOLIO_ID,
    )
    months = form_of(ui.client.get(entry), "set_capacity")
    done = ui.client.post(
        f"{entry}/months", data={**months, "month": "2027-01", "fte": "2.5"}
    )
    assert done.status_code == 303, done.text
    assert app.load(Capacity, capacity_id).months == {"2027-01": "2.5"}
    listed = ui.client.get("/ui/capacity").text
    assert "Analyst" in listed and "1 entry" in listed
    retire = form_of(ui.client.get(entry), "retire_capacity")
    head = app.head_position()
    refused = ui.client.post(f"{entry}/retire", data=retire)  # a reason is needed
    assert refused.status_code == 422
    assert 'id="retire_capacity-reason-error">is required to retire' in refused.text
    assert app.head_position() == head
    retire = form_of(refused, "retire_capacity")
    done = ui.client.post(f"{entry}/retire", data={**retire, "reason": "team gone"})
    assert done.status_code == 303
    assert app.load(Capacity, capacity_id).status == "retired"


def test_invalid_values_and_roles_not_allowed_record_nothing(ui: Ui) -> None:
    ui.sign_in("pmo-head")
    app = ui.services.app
    hidden = form_of(ui.client.get("/ui/courses"), "propose_course")
    head = app.head_position()
    bad = {**hidden, **COURSE, "level": "expert", "for_roles": ""}
    answer = ui.client.post("/ui/courses", data=bad)
    assert answer.status_code == 422
    assert 'id="propose_course-level-error"' in answer.text
    assert ">Managing &lt;risk&gt;</textarea>" in answer.text  # as typed
    assert app.head_position() == head
    ui.sign_in("contributor")
    data = {"csrf_token": ui.csrf("/ui/courses"), "form_key": "k", **COURSE}
    assert ui.client.post("/ui/courses", data=data).status_code == 403
    data = {"csrf_token": ui.csrf("/ui/courses"), "form_key": "c", "role": "A"}
    assert ui.client.post("/ui/capacity", data=data).status_code == 403
    assert app.head_position() == head


def test_a_course_approved_by_the_head_only_and_a_stale_form_refused(ui: Ui) -> None:
    course, _ = proposed(ui)
    app = ui.services.app
    entry = f"/ui/courses/{course}"
    page = ui.client.get(entry).text
    assert "Managing &lt;risk&gt;" in page and 'id="form-approve_course"' not in page
    head = app.head_position()
    data = {
        "csrf_token": ui.csrf(entry),
        "form_key": "k",
        "approved_on": "2027-01-04",
        "review_by": "2028-01-04",
    }
    assert ui.client.post(f"{entry}/approval", data=data).status_code == 403
    assert app.head_position() == head
    ui.sign_in("pmo-head")
    approve = form_of(ui.client.get(entry), "approve_course")
    withdraw = form_of(ui.client.get(entry), "withdraw_course")
    early = {**approve, "approved_on": "2027-01-04", "review_by": "2026-01-04"}
    answer = ui.client.post(f"{entry}/approval", data=early)
    assert (
        answer.status_code == 422
        and 'id="approve_course-review_by-error"' in answer.text
    )
    assert app.head_position() == head
    answer = ui.client.post(f"{entry}/approval", data={**data, **approve})
    assert answer.status_code == 303, answer.text
    assert app.load(TrainingCourse, course).status == "approved"
    stale = ui.client.post(f"{entry}/withdraw", data={**withdraw, "reason": "old"})
    assert stale.status_code == 409 and 'id="conflict"' in stale.text
    assert app.load(TrainingCourse, course).status == "approved"


def test_exports_and_paths_of_the_wrong_kind(ui: Ui) -> None:
    proposed(ui)
    csv = ui.client.get("/ui/courses.csv?status=proposed")
    assert csv.status_code == 200
    assert "Managing <risk>" in csv.text and "PORTFOLIO-courses.csv" in str(
        csv.headers.get("Content-Disposition")
    )
    project = ui.services.app.register_project("PRW", "P", "", "S", "M", HEAD).id
    ui.caught_up()
    assert ui.client.get("/ui/risks").status_code == 404
    assert ui.client.get("/ui/nonsense").status_code == 404
    assert ui.client.get(f"/ui/projects/{project}/courses").status_code == 404
    assert ui.client.get(f"/ui/projects/{project}/risks").status_code == 200

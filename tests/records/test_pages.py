"""The records pages through the UI's forms: the plan, holds, a review, reports."""

from __future__ import annotations

import re
from collections.abc import Iterator
from uuid import UUID

import pytest

from service.config import Settings
from tests.records.conftest import (
    cut_short,
    new_project,
    new_record,
    records_services,
)
from tests.ui.conftest import Ui
from usecases import disposition, fileplan

KEY = re.compile(r'name="form_key" value="([^"]+)"')


@pytest.fixture
def ui(settings: Settings) -> Iterator[Ui]:
    """The UI over a store with the due-at-once schedule and the file plan."""
    with records_services(settings) as services:
        services.runner.start()
        yield Ui(services)


def form(ui: Ui, path: str, **values: str) -> dict[str, str]:
    found = KEY.search(ui.client.get(path).text)
    key = found.group(1) if found else "no-form-shown"
    return {"csrf_token": ui.csrf("/ui/"), "form_key": key, **values}


def test_the_plan_page_draws_the_tree_and_adds_a_class(ui: Ui) -> None:
    ui.sign_in("contributor")
    shown = ui.client.get("/ui/records").text
    assert 'data-code="GOV.BRIEF"' in shown and "form-add_class" not in shown
    refused = ui.client.post("/ui/records/classes", data=form(ui, "/ui/records"))
    assert refused.status_code == 403
    assert ui.client.get("/ui/records/disposition").status_code == 403
    ui.sign_in("custodian")
    head = ui.services.app.head_position()
    bad = form(
        ui,
        "/ui/records",
        code="GOV.X",
        title="X",
        parent="NOPE",
        retention_class="scratch",
        classification="internal",
        owner="PMO",
    )
    answer = ui.client.post("/ui/records/classes", data=bad)
    assert answer.status_code == 422 and "no class NOPE" in answer.text
    assert ui.services.app.head_position() == head
    good = form(
        ui,
        "/ui/records",
        code="GOV.MIN",
        title="Minutes",
        parent="GOV",
        retention_class="scratch",
        classification="internal",
        owner="PMO",
    )
    assert ui.client.post("/ui/records/classes", data=good).status_code == 303
    tree = ui.client.get("/ui/records").text
    assert 'data-code="GOV.MIN"' in tree
    memo = new_record(ui.services.app, new_project(ui.services.app, "PLAN"), "Memo")
    page = f"/ui/records?document={memo}"
    moved = ui.client.post(
        f"/ui/documents/{memo}/reclassify",
        data=form(ui, page, record_class="GOV.MIN", reason="minutes, not a brief"),
    )
    assert moved.status_code == 303
    assert fileplan.file_plan(ui.services)["reclassified"] == {str(memo): "GOV.MIN"}


def test_a_review_from_the_pages_ends_in_a_verified_certificate(ui: Ui) -> None:
    app = ui.services.app
    project = new_project(app, "PAGES")
    record = new_record(app, project, "Due brief")
    ui.caught_up()
    ui.sign_in("custodian")
    listed = ui.client.get("/ui/records/disposition?record_class=GOV").text
    assert f'data-id="{record}"' in listed
    posted = ui.client.post(
        "/ui/records/reviews",
        data=form(
            ui,
            "/ui/records/disposition",
            action="destroy",
            note="due",
            document_id=str(record),
        ),
    )
    assert posted.status_code == 303
    page = posted.headers["Location"]
    review = page.rsplit("/", 1)[1]
    reviewed = ui.client.post(
        f"/ui/records/reviews/{review}/review", data=form(ui, page, reason="checked")
    )
    assert reviewed.status_code == 303
    same = ui.client.post(f"/ui/records/reviews/{review}/approve", data=form(ui, page))
    assert same.status_code == 409 and "second person" in same.text
    assert disposition.get_review(ui.services, UUID(review))["status"] == "reviewed"
    ui.sign_in("pmo-head")
    ui.client.post(f"/ui/records/reviews/{review}/approve", data=form(ui, page))
    ui.client.post(f"/ui/records/reviews/{review}/execute", data=form(ui, page))
    done = ui.client.get(page).text
    assert 'data-ok="yes"' in done
    reports = ui.client.get("/ui/records/reports").text
    assert "Due brief" in reports
    csv = ui.client.get("/ui/records/reports/disposals.csv")
    assert csv.status_code == 200 and "Due brief" in csv.text


def test_a_hold_placed_from_its_page_and_the_read_models_follow(ui: Ui) -> None:
    app = ui.services.app
    project = new_project(app, "HELD")
    ui.sign_in("custodian")
    placed = ui.client.post(
        "/ui/records/holds",
        data=form(
            ui,
            "/ui/records/holds",
            matter="LIT-3",
            title="Claim",
            mandate="Counsel",
            project=str(project),
        ),
    )
    assert placed.status_code == 303
    later = new_record(app, project, "Filed after the hold")
    page = ui.client.get("/ui/records/holds").text
    hold = re.search(r'<tr data-id="([^"]+)" data-status="placed">', page)
    assert hold is not None
    covered = ui.client.get(f"/ui/records/holds?hold={hold.group(1)}").text
    assert f'data-id="{later}"' in covered
    ui.caught_up()  # every read model took the records events in its stride
    audit = list(ui.services.views.iter_audit(entity_id=UUID(hold.group(1))))
    assert [row["action"] for row in audit] == ["MatterHold.Placed"]


def test_a_review_cut_short_shows_how_far_it_went_and_finishes_from_its_page(
    ui: Ui, monkeypatch: pytest.MonkeyPatch
) -> None:
    review = cut_short(ui.services, monkeypatch, ("Cut one", "Cut two"))
    ui.sign_in("custodian")
    page = f"/ui/records/reviews/{review}"
    shown = ui.client.get(page).text
    assert 'id="started"' in shown and "1 of 2 records disposed of" in shown
    assert shown.count("<small>(disposed of)</small>") == 1
    assert "Finish the execution and certify" in shown
    assert 'id="reject"' not in shown  # part of it is gone: no rejecting now
    finished = ui.client.post(f"{page}/execute", data=form(ui, page))
    assert finished.status_code == 303
    done = ui.client.get(page).text
    assert 'data-ok="yes"' in done
    assert 'id="next-step"' not in done and 'id="started"' not in done
    assert disposition.get_review(ui.services, review)["status"] == "executed"

"""Holds over matters: a selection covers records added later; release; as_of."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from service.domain.base import InvalidValueError, Meta, TransitionError
from tests.records.conftest import CARA, new_project, new_record
from usecases import documents, matters
from usecases.root import Services


def covered(services: Services, hold_id: object, as_of: datetime | None = None) -> set:
    found = matters.coverage(services, hold_id, as_of)  # type: ignore[arg-type]
    return {r["title"] for r in found["records"]}


def test_a_hold_covers_records_added_later_until_released(services: Services) -> None:
    app = services.app
    alpha, beta = new_project(app, "ALPHA"), new_project(app, "BETA")
    new_record(app, alpha, "Supplier brief")
    new_record(app, alpha, "Kickoff brief")
    named = new_record(app, beta, "Other brief")
    placed = matters.place_hold(
        services,
        matters.PlaceMatterHold(
            "LIT-7",
            "Supplier dispute",
            "Counsel, 2026-11",
            project_id=alpha,
            record_class="GOV",
            query="supplier",
            document_ids=(named,),
        ),
        CARA,
    )
    at_placing = datetime.now(UTC)
    assert covered(services, placed.id) == {"Supplier brief", "Other brief"}
    later = new_record(app, alpha, "Supplier handover", "handover", "handover")
    new_record(app, alpha, "Supplier memo", "memo", "working-paper")  # not GOV
    assert covered(services, placed.id) == {
        "Supplier brief",
        "Other brief",
        "Supplier handover",
    }
    assert covered(services, placed.id, at_placing) == {"Supplier brief", "Other brief"}
    with pytest.raises(TransitionError, match="LIT-7"):
        documents.dispose_document(services, documents.DisposeDocument(later), CARA)
    [listed] = matters.list_holds(services)
    assert (listed["matter"], listed["covers"], listed["status"]) == (
        "LIT-7",
        3,
        "placed",
    )
    with pytest.raises(InvalidValueError, match="reason"):
        matters.release_hold(
            services, matters.ReleaseMatterHold(placed.id), Meta("cara", "custodian")
        )
    before_release = datetime.now(UTC)
    matters.release_hold(services, matters.ReleaseMatterHold(placed.id), CARA)
    assert matters.list_holds(services)[0]["status"] == "released"
    assert matters.list_holds(services, before_release)[0]["status"] == "placed"
    documents.dispose_document(services, documents.DisposeDocument(later), CARA)
    with pytest.raises(TransitionError, match="released"):
        matters.release_hold(services, matters.ReleaseMatterHold(placed.id), CARA)


def test_a_hold_needs_a_selection_that_exists(services: Services) -> None:
    app = services.app
    head = app.head_position()
    bad = (
        matters.PlaceMatterHold("M", "t", "m"),
        matters.PlaceMatterHold("M", "t", "m", record_class="NOPE"),
        matters.PlaceMatterHold("", "t", "m", query="x"),
    )
    for command in bad:
        with pytest.raises(InvalidValueError):
            matters.place_hold(services, command, CARA)
    assert app.head_position() == head

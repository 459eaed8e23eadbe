"""The file plan: classes as events, filing by type, reclassification, as_of."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from service.domain.base import InvalidValueError, Meta, RoleRequiredError
from service.domain.document import Document
from tests.records.conftest import CARA, new_project, new_record
from usecases import fileplan
from usecases.root import Services


def test_the_plan_is_a_tree_and_files_every_document(services: Services) -> None:
    app = services.app
    plan = fileplan.file_plan(services)
    assert [c["code"] for c in plan["classes"]] == ["GOV", "WORK"]
    gov = plan["classes"][0]
    assert [c["code"] for c in gov["children"]] == ["GOV.BRIEF", "GOV.HAND"]
    assert gov["children"][0]["doc_types"] == ["brief"]
    project = new_project(app, "FP")
    brief = new_record(app, project, "Brief")
    memo = new_record(app, project, "Memo", "memo", "working-paper")
    odd = new_record(app, project, "Contract", "contract", "contract")
    filed = {r.document.id: r for r in fileplan.records_at(services)}
    assert filed[brief].record_class == "GOV.BRIEF"
    assert filed[brief].classes == ("GOV.BRIEF", "GOV")
    assert filed[memo].record_class == "WORK"  # by its retention class
    assert filed[odd].record_class == fileplan.UNFILED


def test_reclassifying_is_an_event_with_a_reason_and_as_of_shows_before(
    services: Services,
) -> None:
    app = services.app
    project = new_project(app, "RC")
    memo = new_record(app, project, "Memo", "memo", "working-paper")
    before = datetime.now(UTC)
    head = app.head_position()
    no_reason = Meta("cara", "custodian", None)
    command = fileplan.Reclassify(memo, "GOV.BRIEF")
    with pytest.raises(InvalidValueError, match="reason"):
        fileplan.reclassify(services, command, no_reason)
    with pytest.raises(InvalidValueError, match="record_class"):
        fileplan.reclassify(services, fileplan.Reclassify(memo, "NOPE"), CARA)
    with pytest.raises(RoleRequiredError):
        fileplan.reclassify(services, command, Meta("x", "contributor", "why"))
    assert app.head_position() == head
    fileplan.reclassify(services, command, CARA)
    document = app.load(Document, memo)
    now = {r.document.id: r.record_class for r in fileplan.records_at(services)}
    then = {
        r.document.id: r.record_class for r in fileplan.records_at(services, before)
    }
    assert (now[memo], then[memo]) == ("GOV.BRIEF", "WORK")
    assert fileplan.file_plan(services)["reclassified"] == {str(memo): "GOV.BRIEF"}
    assert fileplan.file_plan(services, before)["reclassified"] == {}
    with pytest.raises(InvalidValueError, match=r"in GOV\.BRIEF now"):
        fileplan.reclassify(services, command, CARA)
    assert document.version == 1  # the document itself is untouched


def test_a_class_as_of_before_it_was_added_is_absent(services: Services) -> None:
    before = datetime.now(UTC)
    fileplan.add_class(
        services,
        fileplan.AddClass(
            "GOV.MIN", "Minutes", "project-record", "internal", "PMO", "GOV"
        ),
        CARA,
    )
    assert fileplan.file_plan(services)["count"] == 5
    assert fileplan.file_plan(services, before)["count"] == 4
    head = services.app.head_position()
    bad = (
        fileplan.AddClass("GOV.MIN", "Again", "project-record", "internal", "PMO"),
        fileplan.AddClass("X", "Orphan", "project-record", "internal", "PMO", "NOPE"),
        fileplan.AddClass("Y", "Unknown", "no-such-class", "internal", "PMO"),
        fileplan.AddClass("lower", "Bad code", "project-record", "internal", "PMO"),
        fileplan.AddClass(
            "Z", "Claimed", "project-record", "internal", "PMO", None, ("brief",)
        ),
        fileplan.AddClass("Q", "Secret", "project-record", "top-secret", "PMO"),
    )
    for command in bad:
        with pytest.raises(InvalidValueError):
            fileplan.add_class(services, command, CARA)
    assert services.app.head_position() == head

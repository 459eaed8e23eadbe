"""Records management fixtures: a store whose schedule has classes due at once."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from uuid import UUID

import pytest

from service.app import PmoApplication
from service.config import Settings
from service.domain.base import Meta
from service.retention import DEFAULT_FILE, load_schedule, schedule_to_data
from usecases import fileplan
from usecases.root import Services, build_services

CARA = Meta("cara", "custodian", "records test", "r1")
HEAD = Meta("hana", "pmo-head", "records test", "r2")
DUE_AT_ONCE = {
    "scratch": "destroy",
    "handover": "transfer",
}


def schedule_due_at_once() -> dict[str, dict[str, Any]]:
    """The packaged schedule plus classes due on the day a record is registered."""
    classes = schedule_to_data(load_schedule(DEFAULT_FILE))
    for name, action in DUE_AT_ONCE.items():
        classes[name] = {
            "trigger": "registration",
            "period": {"years": 0, "months": 0, "days": 0},
            "action": action,
            "description": f"{name} records, due at once",
            "mandate": "records test",
        }
    return classes


@pytest.fixture
def services(settings: Settings) -> Iterator[Services]:
    """Services on each backend with the due-at-once schedule and a file plan."""
    built = build_services(settings)
    built.app.change_retention_schedule(schedule_due_at_once(), [], HEAD)
    for command in PLAN:
        fileplan.add_class(built, command, CARA)
    yield built
    built.close()


PLAN = (
    fileplan.AddClass("GOV", "Governance", "project-record", "internal", "PMO"),
    fileplan.AddClass(
        "GOV.BRIEF", "Briefs", "scratch", "internal", "PMO", "GOV", ("brief",)
    ),
    fileplan.AddClass(
        "GOV.HAND", "Handover", "handover", "confidential", "PMO", "GOV", ("handover",)
    ),
    fileplan.AddClass("WORK", "Working papers", "working-paper", "internal", "PMO"),
)


def new_project(app: PmoApplication, code: str) -> UUID:
    """An open project."""
    return app.register_project(code, code, "", "Sam", "Max", CARA).id


def new_record(
    app: PmoApplication,
    project_id: UUID,
    title: str,
    doc_type: str = "brief",
    retention_class: str = "scratch",
) -> UUID:
    """A registered document."""
    return app.register_document(
        project_id, title, doc_type, "internal", retention_class, "Cara", CARA
    ).id


def records_ids(api: Any, document_id: str) -> dict[str, str]:
    """A hold over a matter and a disposition review naming a document."""
    named = {"document_ids": [document_id]}
    hold = {"matter": "M-1", "title": "Matrix", "mandate": "Counsel", **named}
    review = {"action": "destroy", "note": "matrix", **named}
    found = {}
    for key, path, body in (
        ("hold_id", "/records/holds", hold),
        ("review_id", "/records/reviews", review),
    ):
        answer = api.post(path, body, role="pmo-head")
        assert answer.status_code == 201, answer.json
        found[key] = str(answer.json["id"])
    return found

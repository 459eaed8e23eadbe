"""Records management fixtures: a store whose schedule has classes due at once."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from uuid import UUID

import pytest

from service.app import PmoApplication
from service.config import Settings
from service.domain.base import Meta
from service.retention import DEFAULT_FILE, load_schedule, schedule_to_data
from usecases import certificates, disposition, fileplan
from usecases.root import Services, build_services

CARA = Meta("cara", "custodian", "records test", "r1")
HEAD = Meta("hana", "pmo-head", "records test", "r2")
DORA = Meta("dora", "custodian", "second look", "r3")
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


@contextmanager
def records_services(settings: Settings) -> Iterator[Services]:
    """Services with the due-at-once schedule and a file plan, closed after."""
    built = build_services(settings)
    try:
        built.app.change_retention_schedule(schedule_due_at_once(), [], HEAD)
        for command in PLAN:
            fileplan.add_class(built, command, CARA)
        yield built
    finally:
        built.close()


@pytest.fixture
def services(settings: Settings) -> Iterator[Services]:
    """Services on each backend with the due-at-once schedule and a file plan."""
    with records_services(settings) as built:
        yield built


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


def approved(services: Services, action: str, ids: list[UUID]) -> UUID:
    """A proposal by cara, reviewed by dora, approved by hana."""
    review = disposition.propose(
        services, disposition.ProposeDisposition(action, tuple(ids), "yearly"), CARA
    ).id
    for step, meta in (("review", DORA), ("approve", HEAD)):
        disposition.take_step(services, disposition.ReviewStep(review, step), meta)
    return review


def interrupt(
    monkeypatch: pytest.MonkeyPatch, owner: object, name: str, on_call: int
) -> None:
    """Make owner.name raise KeyboardInterrupt (as Ctrl-C does) on one call."""
    original = getattr(owner, name)
    calls = 0

    def cut(*args: Any, **kwargs: Any) -> Any:
        nonlocal calls
        calls += 1
        if calls == on_call:
            raise KeyboardInterrupt
        return original(*args, **kwargs)

    monkeypatch.setattr(owner, name, cut)


def cut_short(
    services: Services, monkeypatch: pytest.MonkeyPatch, titles: tuple[str, str]
) -> UUID:
    """An approved review of two records whose execution stopped after the first."""
    app = services.app
    project = new_project(app, "CUT")
    review = approved(
        services, "destroy", [new_record(app, project, t) for t in titles]
    )
    interrupt(monkeypatch, app, "dispose_document", 2)
    with pytest.raises(KeyboardInterrupt):
        certificates.execute(services, certificates.ExecuteDisposition(review), CARA)
    monkeypatch.undo()
    return review

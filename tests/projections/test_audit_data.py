"""The audit trail's data text parses to what json.dumps wrote before orjson."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from decimal import Decimal
from uuid import UUID

from projections.audit import REDACTED, data_text
from projections.temporal import fields_of
from service.domain.project import Project
from tests.projections.workload import CUSTODIAN, OFFICERS, Workload, driven_models
from usecases.root import Services

OFFICER = OFFICERS[0]


def as_before(fields: dict[str, object]) -> object:
    """The value json.dumps gave the trail (the text it stored, parsed)."""
    return json.loads(json.dumps(fields, default=str, sort_keys=True))


def test_every_event_type_parses_the_same(services: Services) -> None:
    app = services.app
    Workload(app, seed=11).run(1500)
    # The kinds of event the workload does not make.
    project = app.register_project("AUD-1", "A", "", "S", "M", OFFICER).id
    app.change_project_details(project, "N", "D", "S", "M", OFFICER)
    app.change(Project, project, lambda p: p.set_cost_tolerance("7.5", OFFICER))
    document = app.register_document(
        project, "d", "plan", "internal", "project-record", "Cara", CUSTODIAN
    ).id
    app.extend_retention(document, date(2990, 1, 1), CUSTODIAN)
    app.close_project(project, OFFICER)
    app.dispose_document(document, CUSTODIAN, today=date(2999, 1, 1))
    notifications = app.recorder.select_notifications(start=1, limit=100_000)
    seen = set()
    for notification in notifications:
        event = app.mapper.to_domain_event(notification)
        seen.add(type(event))
        fields = {k: v for k, v in fields_of(event).items() if k not in REDACTED}
        text = data_text(fields)
        assert json.loads(text) == as_before(fields), type(event).__qualname__
        assert list(json.loads(text)) == sorted(fields)
    wanted = {cls for model in driven_models() for cls in model.event_classes}
    assert wanted <= seen, sorted(c.__qualname__ for c in wanted - seen)


def test_values_json_cannot_write_are_their_str() -> None:
    fields = {
        "when": datetime(2026, 11, 30, 9, 0, 1, 5, tzinfo=UTC),
        "day": date(2026, 11, 30),
        "id": UUID(int=7),
        "amount": Decimal("1.50"),
        "nested": {"z": [1, "a", None], "a": True},
        "text": "caf\u00e9 \u2014 \U0001f600",
    }
    assert json.loads(data_text(fields)) == as_before(fields)
    assert json.loads(data_text(fields))["when"] == "2026-11-30 09:00:01.000005+00:00"


def test_what_orjson_refuses_falls_back_to_json_dumps() -> None:
    for fields in ({"counts": {1: "a", 2: "b"}}, {"big": 2**70}):
        assert data_text(fields) == json.dumps(fields, default=str, sort_keys=True)

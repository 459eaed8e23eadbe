"""The Views facade: filters, keyset pages, as-of reads, documents, audit trail."""

from __future__ import annotations

import io
from datetime import datetime, timedelta
from uuid import UUID

import pytest

from service.domain.base import Meta
from usecases.root import Services

CUSTODIAN = Meta("cara", "custodian", "custody", "req-c")


def caught_up(services: Services) -> None:
    """Bring every read model to the head."""
    for processor in services.runner.processors:
        processor.catch_up()


def risks(services: Services, meta: Meta, count: int) -> tuple[UUID, list[UUID]]:
    """A project with `count` risks scored 1..count (probability x impact 1)."""
    app = services.app
    project = app.register_project("VIEW", "View", "", "S", "M", meta).id
    ids = [
        app.perform(
            "identify_risk",
            project,
            {
                "title": f"r{i}",
                "cause": "c",
                "event": "e",
                "effect": "f",
                "category": "cost" if i % 2 else "legal",
                "kind": "threat",
                "owner": "ann" if i % 3 else "bob",
                "proximity": "imminent",
                "probability": 1 + i % 5,
                "impact": 1,
            },
            meta,
        ).id
        for i in range(count)
    ]
    return project, ids


def test_pages_cover_every_row_once_in_order(services: Services, meta: Meta) -> None:
    project, ids = risks(services, meta, 23)
    caught_up(services)
    seen: list[str] = []
    cursor = None
    while True:
        page = services.views.list_register(
            "risks", project, as_of=None, filters={}, after=cursor, limit=5
        )
        seen += [row["id"] for row in page.items]
        if page.next_cursor is None:
            break
        cursor = page.next_cursor
    assert seen == [str(i) for i in ids]
    by_score = services.views.list_register(
        "risks", project, as_of=None, filters={}, after=None, limit=100,
        sort="-residual_score",
    )  # fmt: skip
    scores = [row["residual_score"] for row in by_score.items]
    assert scores == sorted(scores, reverse=True) and len(scores) == 23


def test_filters_select_and_unknown_ones_are_refused(
    services: Services, meta: Meta
) -> None:
    project, ids = risks(services, meta, 12)
    services.app.perform("close_risk", ids[0], {}, meta)
    caught_up(services)

    def listed(**filters: object) -> list[dict[str, object]]:
        return services.views.list_register(
            "risks", project, as_of=None, filters=filters, after=None, limit=100
        ).items

    assert len(listed(status="closed")) == 1
    assert {r["owner"] for r in listed(owner="bob")} == {"bob"}
    assert all(r["residual_score"] >= 4 for r in listed(min_score=4))
    assert len(listed(category=["cost", "legal"])) == 12
    with pytest.raises(ValueError, match="unknown colour"):
        listed(colour="red")
    with pytest.raises(ValueError, match="min_score"):
        listed(min_score=99)
    with pytest.raises(ValueError, match="sort"):
        services.views.list_register(
            "risks", project, as_of=None, filters={}, after=None, limit=5, sort="owner"
        )
    with pytest.raises(ValueError, match="after"):
        services.views.list_register(
            "risks", project, as_of=None, filters={}, after="garbage!", limit=5
        )
    with pytest.raises(ValueError, match="limit"):
        services.views.list_register(
            "risks", project, as_of=None, filters={}, after=None, limit=0
        )


def test_project_counts_and_as_of(services: Services, meta: Meta) -> None:
    project, ids = risks(services, meta, 3)
    caught_up(services)
    middle = services.views.get_entry("risks", ids[2])
    assert middle is not None
    services.app.perform("close_risk", ids[1], {}, meta)
    services.app.change_project_stage(project, "delivery", meta)
    caught_up(services)
    now = services.views.get_project(project)
    assert now is not None and (now["open_risks"], now["stage"]) == (2, "delivery")
    then = services.views.get_project(
        project, as_of=datetime.fromisoformat(middle["recorded_at"])
    )
    assert then is not None and (then["open_risks"], then["stage"]) == (3, "")
    history = services.views.entry_history("risks", ids[1])
    assert [row["status"] for row in history] == ["open", "closed"]
    assert history[0]["valid_to"] == history[1]["valid_from"]


def test_document_master_copy_now_and_as_at(services: Services, meta: Meta) -> None:
    app = services.app
    project = app.register_project("DOCS", "Docs", "", "S", "M", meta).id
    document = app.register_document(
        project, "PID", "plan", "internal", "project-record", "Cara", CUSTODIAN
    ).id
    for number in (1, 2):
        app.submit_version(
            document, io.BytesIO(b"v%d" % number), "text/plain", "p.txt", "", CUSTODIAN
        )
        app.send_version_for_review(document, number, CUSTODIAN)
        app.approve_version(document, number, CUSTODIAN)
        if number == 1:
            caught_up(services)
            first = services.views.get_document(document)
            assert first is not None
    app.place_hold(document, "LH-1", "Inquiry", "court order", CUSTODIAN)
    app.issue_copy(document, 2, "bob", "review", CUSTODIAN)
    caught_up(services)
    now = services.views.get_document(document)
    assert now is not None
    assert now["authoritative"]["number"] == 2
    assert [v["status"] for v in now["versions"]] == ["superseded", "approved"]
    assert [h["hold_id"] for h in now["holds"]] == ["LH-1"]
    assert [c["recipient"] for c in now["copies"]] == ["bob"]
    at = datetime.fromisoformat(first["recorded_at"])
    then = services.views.get_document(document, as_of=at)
    assert then is not None and then["authoritative"]["number"] == 1
    assert then["holds"] == [] and then["copies"] == []
    before = services.views.get_document(document, as_of=at - timedelta(days=1))
    assert before is None
    page = services.views.list_documents(project, as_of=None, after=None, limit=10)
    assert [d["id"] for d in page.items] == [str(document)]


def test_audit_filters_pages_and_streams(services: Services, meta: Meta) -> None:
    project, ids = risks(services, meta, 4)
    other = services.app.register_project("OTHER", "O", "", "S", "M", meta).id
    services.app.perform(
        "assess_risk",
        ids[0],
        {
            "inherent_probability": 5,
            "inherent_impact": 5,
            "residual_probability": 1,
            "residual_impact": 1,
        },
        Meta("zed", "pmo-head", "why"),
    )
    caught_up(services)
    views = services.views
    page = views.audit(project_id=project, limit=2)
    assert len(page.items) == 2 and page.next_cursor is not None
    rest = views.audit(project_id=project, after_position=int(page.next_cursor))
    everything = page.items + rest.items
    assert [r["action"] for r in everything][:2] == [
        "Project.Registered",
        "ProjectCode.Reserved",
    ]
    assert all(r["project_id"] == str(project) for r in everything)
    assessed = views.audit(actor="zed").items
    assert len(assessed) == 1
    row = assessed[0]
    assert (row["action"], row["entity_type"], row["reason"]) == (
        "Risk.Assessed", "Risk", "why",
    )  # fmt: skip
    assert row["data"]["residual_impact"] == 1 and row["entity_id"] == str(ids[0])
    assert len(views.audit(event_type="Risk").items) == 5
    assert len(views.audit(entity_id=other).items) == 1
    streamed = list(views.iter_audit(project_id=project))
    assert [r["position"] for r in streamed] == [r["position"] for r in everything]
    assert views.audit(until=datetime_of(everything[0])).items == []


def datetime_of(row: dict[str, object]) -> object:
    """The recorded time of an audit row."""
    return datetime.fromisoformat(str(row["recorded_at"]))

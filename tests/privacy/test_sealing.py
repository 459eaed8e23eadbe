"""What is stored: sealed values in events and snapshots, opened on reading."""

from __future__ import annotations

from uuid import UUID

from service.domain.document import Document
from tests.privacy.conftest import Office
from tests.privacy.test_erasure import NAME, created


def test_events_and_snapshots_store_only_sealed_values(office: Office) -> None:
    project = office.project()
    document = created(
        office.post(
            f"/projects/{project}/documents",
            {
                "title": "Map",
                "doc_type": "plan",
                "classification": "internal",
                "retention_class": "project-record",
                "owner": NAME,
            },
        )
    )
    version = office.post(
        f"/documents/{document}/versions",
        data=b"%PDF-1.4 map",
        headers={"Content-Type": "application/pdf", "X-Filename": "map.pdf"},
    )
    assert version.status_code == 201, version.json
    copy = {"number": 1, "recipient": NAME, "purpose": "review"}
    assert office.post(f"/documents/{document}/copies", copy).status_code == 201

    app = office.services.app
    doc_id = UUID(document)
    app.take_snapshot(doc_id)
    assert app.snapshots is not None
    stored = [
        *app.recorder.select_events(doc_id),
        *app.snapshots.recorder.select_events(doc_id),
    ]
    assert len(stored) == 4  # registered, version, copy; the snapshot
    for event in stored:
        assert NAME.encode() not in event.state
    for event in stored[:3]:  # an event's actor is sealed too (a snapshot's
        # submitted_by/issued_by are not: an erasure deletes every snapshot)
        assert b"pmo-head-user" not in event.state
    sealed = [e for e in stored if e.state.count(b"pmo-sealed:1:") == 2]
    # The owner with the actor, the recipient with the actor, the snapshot's
    # owner and recipient (a snapshot has no actor); the version has only its actor.
    assert len(sealed) == 3

    app.cache.clear()
    loaded = app.repository.get(doc_id)  # from the snapshot
    assert isinstance(loaded, Document)
    assert (loaded.owner, [c.recipient for c in loaded.copies]) == (NAME, [NAME])

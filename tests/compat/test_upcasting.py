"""An event whose shape changed reads old and new records alike (decision 99).

`Document.Disposed` gained `disposed_on` in its version 2 and `review_id` in
its version 3. Release 0.1's store holds a version 1 disposal and a version 1
snapshot of the same document; both are upcast as they are read, and the
stored bytes stay as written.
"""

from __future__ import annotations

import json
import sqlite3
from datetime import date
from pathlib import Path
from uuid import UUID

from service.config import Settings
from service.domain.base import Meta
from service.domain.document import Document
from usecases.reads import HistoryQuery, entity_history
from usecases.root import build_services

DISPOSED_TOPIC = "service.domain.document:Document.Disposed"
KEEPER = Meta("keeper", "custodian", "records", "req-9")


def stored_states(events_db: Path, topic: str) -> list[tuple[str, int, dict]]:
    """The raw JSON state of every stored record of a topic, as written."""
    conn = sqlite3.connect(events_db)
    try:
        rows = conn.execute(
            "SELECT originator_id, originator_version, state FROM stored_events "
            "WHERE topic = ?",
            (topic,),
        ).fetchall()
    finally:
        conn.close()
    return [(i, v, json.loads(state)) for i, v, state in rows]


def test_a_disposal_recorded_by_0_1_reads_as_version_2(store: Path) -> None:
    """The old event and snapshot gain the day recorded; their bytes are unchanged."""
    [(originator, version, state)] = stored_states(store / "events.db", DISPOSED_TOPIC)
    assert "disposed_on" not in state and "class_version" not in state
    recorded_day = date.fromisoformat(state["timestamp"]["_data_"][:10])
    document_id = UUID(originator)
    services = build_services(Settings.from_env())
    try:
        app = services.app
        snapshot = app.snapshots.get(document_id, desc=True, limit=1)  # type: ignore[union-attr]
        [older] = list(snapshot)
        before = older.mutate(None)
        assert before.version < version and before.disposed_on is None
        assert before.disposed_by_review is None
        document = app.load(Document, document_id)
        assert document.version == version
        assert document.disposed_on == recorded_day
        assert document.disposed_by_review is None
        assert document.disposed_at is not None
        assert document.disposed_at.date() == recorded_day
        history = entity_history(services, HistoryQuery(Document, document_id))
        last = history.events[-1]
        assert last["type"] == "Document.Disposed"
        assert last["fields"]["disposed_on"] == recorded_day.isoformat()
        assert last["fields"]["review_id"] is None
    finally:
        services.close()
    [(_, _, after)] = stored_states(store / "events.db", DISPOSED_TOPIC)
    assert after == state


def test_a_new_disposal_records_version_3_with_the_day_judged(
    settings: Settings,
) -> None:
    """A disposal stores the day judged against, the review (if any), its version."""
    services = build_services(settings)
    try:
        app = services.app
        document = Document.register(
            UUID(int=7), "Plan", "plan", "internal", "working-paper", "Ann", KEEPER
        )
        review = UUID(int=8)
        document.dispose(date(2020, 1, 1), date(2021, 6, 30), KEEPER, review)
        app.save(document)
        [record] = [
            r
            for r in app.recorder.select_events(document.id)
            if r.topic == DISPOSED_TOPIC
        ]
        raw = json.loads(record.state)
        assert raw["class_version"] == 3
        assert raw["disposed_on"] == {"_type_": "date_iso", "_data_": "2021-06-30"}
        assert raw["review_id"] == {"_type_": "uuid_hex", "_data_": review.hex}
        loaded = app.load(Document, document.id)
        assert loaded.disposed_on == date(2021, 6, 30)
        assert loaded.disposed_by_review == review
        assert loaded.status == "disposed"
    finally:
        services.close()

"""For random instants, the temporal registers equal a replay up to that instant."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from projections.models import models
from tests.projections.conftest import workload
from usecases.root import Services

# register kind -> (workload key, attributes compared with the aggregate)
COMPARED = {
    "risks": ("risk", ("status", "owner", "residual_score", "inherent_score")),
    "issues": ("issue", ("status", "priority", "resolution")),
    "changes": ("change", ("status", "step", "decision")),
    "decisions": ("decision", ("status", "superseded_by")),
}


def replayed(services: Services, entity_id: UUID, when: datetime) -> Any:
    """The aggregate as its events up to `when` make it (None before it existed)."""
    events = [e for e in services.app.events.get(entity_id) if e.timestamp <= when]
    if not events:
        return None
    return services.app.repository.get(entity_id, version=events[-1].originator_version)


def test_register_as_of_equals_replay(services: Services) -> None:
    load = workload(services.app, 900, seed=11)
    for processor in services.runner.processors:
        processor.catch_up()
    views = services.views
    stamps = [
        e.timestamp
        for kind in ("risk", "issue", "change", "decision", "doc")
        for entity_id in load.ids[kind]
        for e in services.app.events.get(entity_id)
    ]
    rng = random.Random(5)
    instants = rng.sample(stamps, 6) + [
        min(stamps) + (max(stamps) - min(stamps)) * rng.random() for _ in range(6)
    ]
    instants.append(min(stamps) - timedelta(seconds=1))
    for when in instants:
        for kind, (key, attributes) in COMPARED.items():
            for entity_id in load.ids[key]:
                aggregate = replayed(services, entity_id, when)
                row = views.get_entry(kind, entity_id, as_of=when)  # type: ignore[arg-type]
                if aggregate is None:
                    assert row is None
                    continue
                assert row is not None and row["version"] == aggregate.version
                for name in attributes:
                    assert row[name] == getattr(aggregate, name), (kind, name, when)
        for project_id in load.ids["project"]:
            listed = {
                row["id"]
                for row in views.iter_register("risks", project_id, as_of=when)
            }
            expected = {
                str(i)
                for i in load.ids["risk"]
                if (r := replayed(services, i, when)) and r.project_id == project_id
            }
            assert listed == expected
        for document_id in load.ids["doc"]:
            document = replayed(services, document_id, when)
            row = views.get_document(document_id, as_of=when)
            if document is None:
                assert row is None
                continue
            assert row is not None
            expected_number = document.authoritative and document.authoritative.number
            assert row["authoritative_version"] == expected_number
            assert [v["status"] for v in row["versions"]] == [
                v.status for v in document.versions
            ]
            assert {h["hold_id"] for h in row["holds"]} == set(document.holds)
            assert len(row["copies"]) == len(document.copies)
    assert len(models()) == len(services.runner.processors)

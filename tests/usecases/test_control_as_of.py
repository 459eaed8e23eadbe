"""Each control register as at a moment equals a replay of its events then.

The demo's control history (quality reviews, stakeholders, communications,
lessons, actions, the daily log, contracts and links) is spread over months
by its clock, so the sampled instants fall between real changes.
"""

from __future__ import annotations

import random
from datetime import timedelta
from uuid import UUID

from service.demo import load_demo
from tests.usecases.test_value_as_of import compared, replayed
from usecases.reads import RegisterQuery, plain, register_rows
from usecases.root import Services

CONTROL = (
    "reviews",
    "stakeholders",
    "communications",
    "messages",
    "lessons",
    "actions",
    "diary",
    "contracts",
    "links",
)


def test_control_registers_as_of_equal_replay(services: Services) -> None:
    summary = load_demo(services.app)
    assert summary.control > 0
    services.runner.start()
    assert services.views.wait_for(services.app.head_position(), 60)
    owners = [UUID(p["id"]) for p in services.views.list_projects()]
    entries = {
        kind: [
            (owner, UUID(str(row["id"])))
            for owner in owners
            for row in register_rows(services, RegisterQuery(kind, owner))
        ]
        for kind in CONTROL
    }
    assert all(entries.values()), {k: len(v) for k, v in entries.items()}
    stamps = sorted(
        e.timestamp
        for found in entries.values()
        for _, entry_id in found
        for e in services.app.events.get(entry_id)
    )
    assert stamps[-1] - stamps[0] > timedelta(days=120)
    rng = random.Random(15)
    moments = [stamps[0] + (stamps[-1] - stamps[0]) * rng.random() for _ in range(6)]
    for when in moments:
        for kind, found in entries.items():
            rows = {
                str(row["id"]): row
                for owner in owners
                for row in register_rows(services, RegisterQuery(kind, owner, when))
            }
            for _, entry_id in found:
                entry = replayed(services, entry_id, when)
                if entry is None:
                    assert str(entry_id) not in rows
                    continue
                row = rows[str(entry_id)]
                state = {k: plain(v) for k, v in row.items()}
                assert compared(kind, state) == compared(kind, entry.state()), (
                    kind,
                    when,
                )

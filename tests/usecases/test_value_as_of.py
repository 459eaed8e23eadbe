"""Each value register as at a moment equals a replay of its events to that moment.

The demo's value history is spread over months (its clock backdates events),
so the instants sampled here fall between real changes of budgets, benefits,
demand and capacity.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from service.demo import load_demo
from service.domain import catalogue
from service.domain.register import PORTFOLIO_ID
from usecases.reads import RegisterQuery, plain, register_rows
from usecases.root import Services

VALUE = ("benefits", "budgets", "demands", "capacity")


def replayed(services: Services, entry_id: UUID, when: datetime) -> Any:
    """The entry as its events up to `when` make it (None before it existed)."""
    events = [e for e in services.app.events.get(entry_id) if e.timestamp <= when]
    if not events:
        return None
    return services.app.repository.get(entry_id, version=events[-1].originator_version)


def compared(kind: str, state: dict[str, Any]) -> dict[str, Any]:
    """The declared fields and derived values of a state, as plain JSON values."""
    declared = catalogue.entry_class_of(kind).register_kind
    names = [f.name for f in (*declared.fields, *declared.derived_fields)]
    return {name: plain(state[name]) for name in names}


def test_value_registers_as_of_equal_replay(services: Services) -> None:
    load_demo(services.app)
    services.runner.start()
    assert services.views.wait_for(services.app.head_position(), 60)
    owners = [UUID(p["id"]) for p in services.views.list_projects()] + [PORTFOLIO_ID]
    entries = {
        kind: [
            (owner, UUID(str(row["id"])))
            for owner in owners
            for row in register_rows(services, RegisterQuery(kind, owner))
        ]
        for kind in VALUE
    }
    assert all(entries.values())
    stamps = sorted(
        e.timestamp
        for found in entries.values()
        for _, entry_id in found
        for e in services.app.events.get(entry_id)
    )
    assert stamps[-1] - stamps[0] > timedelta(days=200)
    rng = random.Random(14)
    instants = [*rng.sample(stamps, 8), stamps[0] - timedelta(seconds=1)]
    instants += [stamps[0] + (stamps[-1] - stamps[0]) * rng.random() for _ in range(4)]
    checked = 0
    for when in instants:
        for kind, found in entries.items():
            cls = catalogue.entry_class_of(kind)
            for owner in {owner for owner, _ in found}:
                listed = {
                    UUID(str(row["id"])): compared(kind, row)
                    for row in register_rows(services, RegisterQuery(kind, owner, when))
                }
                expected = {}
                for project, entry_id in found:
                    aggregate = replayed(services, entry_id, when)
                    if project == owner and aggregate is not None:
                        assert isinstance(aggregate, cls)
                        expected[entry_id] = compared(kind, aggregate.state())
                assert listed == expected, (kind, when)
                checked += len(expected)
    assert checked > 200

"""A register entry as at a moment: the temporal read model answers as replay does."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

from service.demo import load_demo
from service.domain import catalogue
from service.domain.base import Meta
from service.domain.entry import RegisterEntry
from service.domain.register import PORTFOLIO_ID
from tests.values import risk_values
from usecases.reads import EntityQuery, read_entity, register_entry_at
from usecases.root import Services


def replayed(
    services: Services, cls: type[RegisterEntry], entry_id: UUID, at: datetime
) -> dict[str, Any]:
    """The state read_entity gives when no read model can answer: replayed."""
    views = services.views
    services.views = None  # type: ignore[assignment]
    try:
        return read_entity(services, EntityQuery(cls, entry_id, at)).state
    finally:
        services.views = views


def test_the_read_model_answers_every_entry_as_replay_would(
    services: Services,
) -> None:
    """Every demo entry, just after its first and its latest event, both ways."""
    load_demo(services.app)
    services.runner.start()
    assert services.views.wait_for(services.app.head_position(), 30)
    compared = 0
    owners = [UUID(p["id"]) for p in services.views.list_projects()]
    for cls in catalogue.entries():
        kind = cls.register_kind.name
        for owner in [PORTFOLIO_ID] if cls.register_kind.portfolio else owners:
            for row in services.views.iter_register(kind, owner):
                entry_id = UUID(str(row["id"]))
                for moment in (row["created_at"], row["recorded_at"]):
                    at = datetime.fromisoformat(str(moment)) + timedelta(microseconds=1)
                    found = register_entry_at(services, cls, entry_id, at)
                    assert found is not None
                    assert found.state == replayed(services, cls, entry_id, at)
                    compared += 1
    assert compared > 100


def test_a_read_model_behind_the_head_is_not_asked(services: Services) -> None:
    """Until a register's table reaches the head, the entry is replayed instead."""
    meta = Meta("pat", "pmo-head")
    project = services.app.register_project("BEHIND", "B", "", "S", "M", meta).id
    values = risk_values(title="Late supplier", owner="ann", probability=2)
    risk = services.app.perform("identify_risk", project, values, meta).id
    cls = catalogue.entry_class_of("risks")
    now = datetime.now(UTC)
    assert register_entry_at(services, cls, risk, now) is None
    state = read_entity(services, EntityQuery(cls, risk, now)).state
    assert (state["title"], state["residual_probability"]) == ("Late supplier", 2)

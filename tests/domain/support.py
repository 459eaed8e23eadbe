"""Shared values and checks for the domain tests."""

from __future__ import annotations

from typing import Any, TypeVar
from uuid import UUID, uuid4

import pytest
from eventsourcing.application import project_aggregate
from eventsourcing.domain import Aggregate

from service.domain.base import Meta, TransitionError

A = TypeVar("A", bound=Aggregate)

OFFICER = Meta(actor="olive", role="project-officer", reason="weekly review")
CUSTODIAN = Meta(actor="carl", role="custodian", request_id="req-1")
HEAD = Meta(actor="hana", role="pmo-head")
CONTRIBUTOR = Meta(actor="cora", role="contributor")
PROJECT_ID: UUID = uuid4()
SHA = "ab" * 32


def replayed(aggregate: A) -> A:
    """Rebuild an aggregate from the events it has pending since creation."""
    events = aggregate.collect_events()
    rebuilt = project_aggregate(None, events)
    assert isinstance(rebuilt, type(aggregate))
    return rebuilt


def assert_same_on_replay(aggregate: Aggregate) -> None:
    """Replaying every pending event gives exactly the live state."""
    assert replayed(aggregate) == aggregate


def assert_refused(state: str, command: Any, *args: Any) -> TransitionError:
    """The command raises TransitionError naming the given current state."""
    with pytest.raises(TransitionError) as caught:
        command(*args)
    assert caught.value.state == state
    assert state in str(caught.value)
    return caught.value


def event_names(aggregate: Aggregate) -> list[str]:
    """Names of the aggregate's pending events, oldest first."""
    return [type(e).__name__ for e in aggregate.pending_events]

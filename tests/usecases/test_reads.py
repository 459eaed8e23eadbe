"""Reading one entity now, as at a moment (replayed), and its history."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import UUID

import pytest

from service.domain.project import Project
from tests.usecases.conftest import OFFICER
from usecases import projects, reads
from usecases.errors import NotAvailableError, PositionBeyondHeadError
from usecases.root import Services


def test_an_entity_now_as_at_and_its_history(
    services: Services, project_id: UUID
) -> None:
    between = datetime.now(UTC)
    command = projects.ChangeProjectStage(project_id, "initiation", 1)
    projects.change_project_stage(services, command, OFFICER)

    now = reads.read_entity(services, reads.EntityQuery(Project, project_id))
    assert (now.version, now.state["stage"]) == (2, "initiation")
    then = reads.read_entity(services, reads.EntityQuery(Project, project_id, between))
    assert then.version == 1 and then.state["id"] == str(project_id)
    early = reads.EntityQuery(Project, project_id, between - timedelta(days=1))
    with pytest.raises(NotAvailableError, match="did not exist at"):
        reads.read_entity(services, early)

    found = reads.entity_history(services, reads.HistoryQuery(Project, project_id))
    assert [e["type"] for e in found.events] == [
        "Project.Registered",
        "Project.StageChanged",
    ]
    assert found.events[1]["actor"] == "olivia"
    assert found.events[1]["request_id"] == "req-1"


def test_read_your_writes_refuses_a_position_beyond_the_head(
    services: Services, project_id: UUID
) -> None:
    head = services.app.head_position()
    with pytest.raises(PositionBeyondHeadError) as refused:
        projects.list_projects(services, projects.ProjectsQuery(min_position=head + 1))
    assert refused.value.field == "min_position"
    beyond = f"min_position {head + 1} is beyond the store's head {head}"
    assert str(refused.value) == beyond

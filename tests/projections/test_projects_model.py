"""The projects read model follows every event a project records, on each backend:
its row's version is always the project's own (what If-Match expects)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from uuid import UUID

import pytest
from eventsourcing.utils import get_topic

from projections.projects import PROJECT_EVENTS, ProjectsModel, project_changes
from service.domain.base import Meta
from service.domain.project import RAG_DIMENSIONS, Project
from tests.projections.test_views import caught_up
from usecases.root import Services
from usecases.value import SetCostTolerance, set_cost_tolerance

HEAD = Meta("hana", "pmo-head", "board", "req-h")
KEPT = ("code", "name", "description", "sponsor", "manager", "stage", "status")
"""The row's columns that are the project's own attributes, unchanged."""


def project_event_classes() -> set[type]:
    """Every event class the Project aggregate declares.

    `Project.Event` is their base and `Project.Created` eventsourcing's default
    creation event, which no project records (it is created by `Registered`).
    """
    return {
        value
        for value in vars(Project).values()
        if isinstance(value, type)
        and issubclass(value, Project.Event)
        and value not in (Project.Event, Project.Created)
    }


def test_every_project_event_class_is_followed_and_handled() -> None:
    declared = project_event_classes()
    assert {c.__name__ for c in declared} == set(PROJECT_EVENTS)
    assert {get_topic(c) for c in declared} <= set(ProjectsModel.topics())
    before = {"rag": None, "reports": 0}
    for cls in declared:
        name = cls.__name__
        fields = {"rag": None} if name == "StatusReported" else {}
        # Raises LookupError for an event project_changes does not handle.
        project_changes(name, fields, None if name == "Registered" else before)


def test_an_unknown_project_event_is_refused_not_skipped() -> None:
    with pytest.raises(LookupError, match=r"Project\.BudgetGuessed"):
        project_changes("BudgetGuessed", {"x": 1}, {"rag": None, "reports": 0})


def row_matches(services: Services, project: UUID) -> dict[str, Any]:
    """The project's current row, once it agrees with the aggregate."""
    caught_up(services)
    row = services.views.get_project(project)
    stored = services.app.load(Project, project)
    assert row is not None
    assert row["version"] == stored.version
    assert {k: row[k] for k in KEPT} == {k: getattr(stored, k) for k in KEPT}
    return row


def test_setting_the_cost_tolerance_moves_the_rows_version(
    services: Services,
) -> None:
    app = services.app
    project = app.register_project("TOL", "Tolerance", "", "S", "M", HEAD).id
    app.change_project_stage(project, "Delivery", HEAD)
    before = row_matches(services, project)
    written = set_cost_tolerance(services, SetCostTolerance(project, "7.5", 2), HEAD)
    assert written.version == 3
    row = row_matches(services, project)
    assert row["version"] == 3 and row["position"] == written.position
    assert {k: row[k] for k in KEPT} == {k: before[k] for k in KEPT}
    then = services.views.get_project(
        project, as_of=datetime.fromisoformat(before["recorded_at"])
    )
    assert then is not None and then["version"] == 2
    listed = {r["id"]: r["version"] for r in services.views.list_projects()}
    assert listed[str(project)] == 3
    # The next command carries the row's version, as a form or If-Match does.
    app.change_project_stage(project, "Closing", HEAD, expected_version=row["version"])
    assert row_matches(services, project)["stage"] == "Closing"


def test_every_command_keeps_the_row_at_the_projects_version(
    services: Services,
) -> None:
    app = services.app
    project = app.register_project("ALL", "Every", "d", "S", "M", HEAD).id
    row_matches(services, project)
    steps = (
        lambda: app.change_project_details(project, "Renamed", "e", "T", "N", HEAD),
        lambda: app.change_project_stage(project, "Delivery", HEAD),
        lambda: set_cost_tolerance(services, SetCostTolerance(project, "10"), HEAD),
        lambda: app.report_project_status(
            project,
            date(2026, 1, 1),
            date(2026, 1, 31),
            dict.fromkeys(RAG_DIMENSIONS, "green"),
            "fine",
            "",
            "",
            "within",
            "",
            HEAD,
        ),
        lambda: set_cost_tolerance(services, SetCostTolerance(project, "12.5"), HEAD),
        lambda: app.close_project(project, HEAD),
        lambda: app.reopen_project(project, HEAD),
    )
    for step in steps:
        step()
        row = row_matches(services, project)
    assert (row["version"], row["reports"], row["status"]) == (8, 1, "open")
    assert row["rag"] == dict.fromkeys(RAG_DIMENSIONS, "green")
    recorded = {type(e) for e in app.events.get(project)}
    assert recorded == project_event_classes()  # the walk met every event

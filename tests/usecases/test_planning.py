"""Planning registers: as at any instant equals a replay, CSV import, highlight RAG."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest

from service.demo import load_demo
from service.domain import catalogue
from service.domain.base import Meta
from service.importer import ImportRefusedError, import_register
from usecases.plans import PortfolioDependenciesQuery, portfolio_dependencies
from usecases.reports import HighlightQuery, highlight_report
from usecases.root import Services

PLANNING = ("milestones", "baselines", "dependencies")
META = Meta("pat", "pmo-head", "test")


def replayed(services: Services, entity_id: UUID, when: datetime) -> Any:
    """The aggregate as its events up to `when` make it (None before it existed)."""
    events = [e for e in services.app.events.get(entity_id) if e.timestamp <= when]
    if not events:
        return None
    return services.app.repository.get(entity_id, version=events[-1].originator_version)


def test_planning_registers_as_of_equal_a_replay(services: Services) -> None:
    """At random instants of the demo's months of plans, row = replayed entry."""
    load_demo(services.app)
    services.runner.start()
    assert services.views.wait_for(services.app.head_position(), 30)
    views = services.views
    entries: dict[str, list[UUID]] = {kind: [] for kind in PLANNING}
    for project in views.list_projects():
        for kind in PLANNING:
            entries[kind] += [
                UUID(str(r["id"]))
                for r in views.iter_register(kind, UUID(project["id"]))
            ]
    assert all(entries.values())
    stamps = sorted(
        e.timestamp
        for ids in entries.values()
        for entity_id in ids
        for e in services.app.events.get(entity_id)
    )
    assert stamps[-1] - stamps[0] > timedelta(days=120)
    rng = random.Random(3)
    instants = [*rng.sample(stamps, 8), stamps[0] - timedelta(seconds=1)]
    instants += [stamps[0] + (stamps[-1] - stamps[0]) * rng.random() for _ in range(8)]
    for when in instants:
        for kind, ids in entries.items():
            fields = catalogue.entry_class_of(kind).register_kind.fields
            for entity_id in ids:
                entry = replayed(services, entity_id, when)
                row = views.get_entry(kind, entity_id, as_of=when)
                if entry is None:
                    assert row is None
                    continue
                assert row is not None and row["version"] == entry.version
                for field in fields:
                    value = getattr(entry, field.name)
                    shown = value.isoformat() if isinstance(value, date) else value
                    assert row[field.name] == shown, (kind, field.name, when)


def test_the_portfolio_as_at_dates_of_the_demo(services: Services) -> None:
    """The demo's link from PORTAL to ERP requirements: at risk, broken, resolved."""
    load_demo(services.app)
    services.runner.start()
    assert services.views.wait_for(services.app.head_position(), 30)

    def states(on: datetime) -> dict[str, str]:
        query = PortfolioDependenciesQuery(on)
        return {d["title"]: d["state"] for d in portfolio_dependencies(services, query)}

    link = "Design approved needs requirements signed off"
    assert link not in states(datetime(2026, 7, 1, tzinfo=UTC))
    assert states(datetime(2026, 7, 10, tzinfo=UTC))[link] == "at-risk"
    assert states(datetime(2026, 8, 1, tzinfo=UTC))[link] == "broken"
    assert states(datetime(2026, 10, 1, tzinfo=UTC))[link] == "resolved"


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_milestone_import_is_all_or_nothing_with_line_numbers(
    services: Services, tmp_path: Path
) -> None:
    services.app.register_project("IMP", "Import", "", "S", "M", META)
    head = services.app.head_position()
    bad = write(
        tmp_path / "milestones.csv",
        "title,owner,baseline_date,forecast_date,actual_date\n"
        "Design,Ann,2027-01-10,2027-01-20,\n"
        "Build,Bo,10/01/2027,,\n"
        "Test,,2027-03-01,,\n",
    )
    with pytest.raises(ImportRefusedError) as refused:
        import_register(services.app, "milestones", bad, "IMP", "pat")
    assert [str(e) for e in refused.value.errors] == [
        "line 3: baseline_date: must be a date (YYYY-MM-DD)",
        "line 4: missing owner",
    ]
    assert services.app.head_position() == head
    good = write(
        tmp_path / "milestones.csv",
        "title,owner,baseline_date,forecast_date,actual_date\n"
        "Design,Ann,2027-01-10,2027-01-20,\n"
        "Build,Bo,2027-02-10,,2027-02-08\n",
    )
    done = import_register(services.app, "milestones", good, "IMP", "pat")
    assert (done.entries, done.events) == (2, 4)


def test_dependency_import_checks_the_milestones_it_names(
    services: Services, tmp_path: Path
) -> None:
    app = services.app
    mine = app.register_project("DEP-A", "A", "", "S", "M", META).id
    other = app.register_project("DEP-B", "B", "", "S", "M", META).id
    values = {"title": "M", "description": "", "owner": "o"}
    ours = app.perform(
        "plan_milestone", mine, values | {"baseline_date": date(2027, 1, 1)}, META
    ).id
    theirs = app.perform(
        "plan_milestone", other, values | {"baseline_date": date(2027, 1, 1)}, META
    ).id
    head = app.head_position()
    header = "title,successor_id,predecessor_id,need_by\n"
    bad = write(
        tmp_path / "deps.csv",
        header + f"Ok,{ours},{theirs},2027-02-01\n"
        f"Wrong side,{theirs},{ours},2027-02-01\n"
        f"Unknown,{ours},{UUID(int=7)},2027-02-01\n",
    )
    with pytest.raises(ImportRefusedError) as refused:
        import_register(app, "dependencies", bad, "DEP-A", "pat")
    assert [str(e) for e in refused.value.errors] == [
        "line 3: successor_id: must be a milestone of the same project",
        "line 4: predecessor_id: must be the id of a milestone",
    ]
    assert app.head_position() == head
    good = write(tmp_path / "deps.csv", header + f"Ok,{ours},{theirs},2027-02-01\n")
    assert import_register(app, "dependencies", good, "DEP-A", "pat").entries == 1


def test_the_highlight_report_flags_green_time_beyond_tolerance(
    services: Services,
) -> None:
    app = services.app
    project = app.register_project("HL", "Highlight", "", "S", "M", META).id
    planned = app.perform(
        "plan_milestone",
        project,
        {"title": "Go live", "description": "", "owner": "o",
         "baseline_date": date(2027, 3, 1)},
        META,
    ).id  # fmt: skip
    services.runner.start()
    assert services.views.wait_for(app.head_position(), 30)
    app.perform(
        "approve_baseline",
        project,
        {"name": "Plan", "tolerance_days": 5, "approval": "pmo-head",
         "board_decision_id": None, "dates": {str(planned): "2027-03-01"},
         "supersedes": None},
        META,
    )  # fmt: skip
    app.perform(
        "reforecast_milestone", planned, {"forecast_date": date(2027, 3, 9)}, META
    )
    rag = dict.fromkeys(
        ("time", "cost", "scope", "quality", "benefits", "risk"), "green"
    )
    app.report_project_status(
        project, date(2026, 11, 1), date(2026, 11, 30), rag, "All fine", "", "",
        "within tolerance", "", META,
    )  # fmt: skip
    assert services.views.wait_for(app.head_position(), 30)
    found = highlight_report(services, HighlightQuery(project))
    assert found.suggested["time"].colour == "red"
    assert found.disagreements == ["time"]
    assert "Go live: forecast 8 days late, tolerance 5 days" in (
        found.suggested["time"].reasons
    )

"""`pmo-ledger import`: valid files become events; a bad row refuses the whole file."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from api.cli import main
from service.config import Settings
from service.domain.base import Meta
from service.domain.change import ChangeRequest
from service.domain.decision import Decision
from service.domain.issue import Issue
from service.domain.risk import Risk
from usecases.root import build_services

RISKS = """title,cause,event,effect,category,kind,owner,proximity,probability,impact,residual_probability,residual_impact,response,actions,actionee,status
Late supplier,one supplier,delivery slips,stage ends late,schedule,threat,Olivia,within-stage,4,5,2,3,reduce,second source,Lee,open
Budget cut,"finance review, Q3",funding falls,scope cut,cost,threat,Sam,within-project,2,4,,,,,,closed
"""  # noqa: E501
BAD_RISKS = """title,cause,event,effect,category,kind,owner,proximity,probability,impact
Fine risk,a,b,c,schedule,threat,Olivia,imminent,3,3
Bad score,a,b,c,schedule,threat,Olivia,imminent,9,3
Bad category,a,b,c,weather,threat,Olivia,imminent,1,1
,a,b,c,schedule,threat,Olivia,imminent,1,1
"""
ISSUES = """issue_type,title,description,priority,severity,impact_analysis,options,recommendation,resolution,status
problem-concern,Server room too hot,cooling fails,high,major,two days lost,fix or move,fix,fixed cooling,closed
off-specification,Report layout,wrong logo,low,minor,,,,,open
"""  # noqa: E501
DECISIONS = """title,context,options,outcome,rationale,decided_by,decided_on,related_ids
Choose vendor,tender closed,A;B;C,B,best value,Board,2026-10-01,
"""
CHANGES = """title,description,justification,cost_impact,time_impact_days,decision,authority,rationale,implementation_notes,status
Extra site,second site,resilience,50000.00,40,approve,Project board,fits the case,,approved
SSO,single sign-on,fewer passwords,-250.50,0,approve,PMO head,cheaper,went live,closed
"""  # noqa: E501


def env_for(settings: Settings) -> dict[str, str]:
    return {
        "PMO_LEDGER_DATA_DIR": str(settings.data_dir),
        "PMO_LEDGER_DATABASE_URL": settings.database_url,
    }


def setup_project(settings: Settings) -> None:
    services = build_services(settings)
    try:
        services.app.register_project(
            "ALPHA", "Alpha", "", "Sam", "Max", Meta("setup", "pmo-head")
        )
    finally:
        services.close()


def stored(settings: Settings, cls: type) -> list[tuple[object, list[object]]]:
    """Every aggregate of a class with its events, straight from the event store."""
    services = build_services(settings)
    try:
        app = services.app
        created = getattr(
            cls,
            {Risk: "Identified", Issue: "Raised", ChangeRequest: "Raised"}.get(
                cls, "Recorded"
            ),
        )
        found = []
        for event, _ in app.iter_events_of(created):
            found.append(
                (
                    app.load(cls, event.originator_id),
                    list(app.events.get(event.originator_id)),
                )
            )
        return found
    finally:
        services.close()


def run(settings: Settings, tmp_path: Path, kind: str, text: str, *extra: str):  # type: ignore[no-untyped-def]
    path = tmp_path / f"{kind}.csv"
    path.write_text(text)
    args = ["import", kind, str(path), "--project", "alpha", *extra]
    return CliRunner().invoke(main, args, env=env_for(settings)), path


def test_risks_become_identified_assessed_responded_and_closed(
    settings: Settings, tmp_path: Path
) -> None:
    setup_project(settings)
    result, _ = run(settings, tmp_path, "risks", RISKS, "--actor", "pat.importer")
    assert result.exit_code == 0, result.output
    assert "imported 2 risks (5 events)" in result.stdout
    risks = {r.title: (r, events) for r, events in stored(settings, Risk)}
    late, late_events = risks["Late supplier"]
    assert [type(e).__name__ for e in late_events] == [
        "Identified",
        "Assessed",
        "ResponsePlanned",
    ]
    assert (late.inherent_score, late.residual_score) == (20, 6)
    assert (late.response, late.actionee, late.status) == ("reduce", "Lee", "open")
    cut, cut_events = risks["Budget cut"]
    assert cut.cause == "finance review, Q3" and cut.status == "closed"
    for event in late_events + cut_events:
        assert event.meta.actor == "pat.importer"
        assert event.meta.reason.startswith("imported from risks.csv, line ")
    assert late_events[0].meta.reason == "imported from risks.csv, line 2"


def test_issues_and_decisions_import(settings: Settings, tmp_path: Path) -> None:
    setup_project(settings)
    issues, _ = run(settings, tmp_path, "issues", ISSUES)
    decisions, _ = run(settings, tmp_path, "decisions", DECISIONS)
    assert issues.exit_code == 0, issues.output
    assert decisions.exit_code == 0, decisions.output
    by_title = {i.title: (i, ev) for i, ev in stored(settings, Issue)}
    hot, hot_events = by_title["Server room too hot"]
    assert hot.status == "closed" and hot.resolution == "fixed cooling"
    assert [type(e).__name__ for e in hot_events] == [
        "Raised",
        "Examined",
        "Resolved",
        "Closed",
    ]
    assert by_title["Report layout"][0].status == "open"
    [(decision, events)] = stored(settings, Decision)
    assert (
        decision.options == ["A", "B", "C"] and str(decision.decided_on) == "2026-10-01"
    )
    assert events[0].meta.actor == "import"


def test_bad_rows_refuse_the_whole_file_with_line_numbers(
    settings: Settings, tmp_path: Path
) -> None:
    setup_project(settings)
    services = build_services(settings)
    before = services.app.head_position()
    services.close()
    result, _ = run(settings, tmp_path, "risks", BAD_RISKS)
    assert result.exit_code == 1
    assert "line 3: probability: must be an integer from 1 to 5" in result.stderr
    assert "line 4: category: must be one of" in result.stderr
    assert "line 5: missing title" in result.stderr
    assert "line 2" not in result.stderr
    assert "nothing was imported" in result.stderr
    services = build_services(settings)
    try:
        assert services.app.head_position() == before
    finally:
        services.close()


def test_unknown_project_is_refused(settings: Settings, tmp_path: Path) -> None:
    path = tmp_path / "risks.csv"
    path.write_text(RISKS)
    result = CliRunner().invoke(
        main, ["import", "risks", str(path), "--project", "NOPE"], env=env_for(settings)
    )
    assert result.exit_code == 1
    assert "no project has the code NOPE" in result.stderr


def test_an_imported_decision_names_the_options_considered(
    settings: Settings, tmp_path: Path
) -> None:
    setup_project(settings)
    without = DECISIONS.replace("A;B;C", "")
    result, _ = run(settings, tmp_path, "decisions", without)
    assert result.exit_code == 1
    assert "line 2: missing options" in result.stderr
    assert stored(settings, Decision) == []


def test_changes_import_with_their_decisions_as_the_importer_records_them(
    settings: Settings, tmp_path: Path
) -> None:
    setup_project(settings)
    result, _ = run(settings, tmp_path, "changes", CHANGES, "--actor", "pat.importer")
    assert result.exit_code == 0, result.output
    assert "imported 2 changes (8 events)" in result.stdout
    found = {c.title: (c, events) for c, events in stored(settings, ChangeRequest)}
    site, site_events = found["Extra site"]
    assert (site.status, site.decision, site.authority) == (
        "approved",
        "approve",
        "Project board",
    )
    sso, sso_events = found["SSO"]
    assert sso.status == "closed" and sso.implementation_notes == "went live"
    assert [type(e).__name__ for e in sso_events] == [
        "Raised",
        "ImpactAssessed",
        "Decided",
        "Implemented",
        "Closed",
    ]
    for event in site_events + sso_events:
        assert event.meta.actor == "pat.importer"
        assert event.meta.reason.startswith("imported from changes.csv, line ")


def test_a_change_claiming_a_decision_without_its_authority_is_refused(
    settings: Settings, tmp_path: Path
) -> None:
    setup_project(settings)
    anonymous = CHANGES.replace("Project board", "")
    result, _ = run(settings, tmp_path, "changes", anonymous)
    assert result.exit_code == 1
    assert "line 2: authority: must not be empty" in result.stderr
    assert "line 3" not in result.stderr
    assert "nothing was imported" in result.stderr
    assert stored(settings, ChangeRequest) == []

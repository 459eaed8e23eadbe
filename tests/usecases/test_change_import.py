"""CSV import of the change log, on each backend: each row reaches the status it
names through the workflow's own commands (a decision only with the authority
that made it and why), an exported change log imports into another project as
it stood, and a bad value refuses the whole file, naming its line and column."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from uuid import UUID

import pytest

from service.domain.base import Meta
from service.domain.change import ChangeRequest
from service.importer import ImportRefusedError, import_register
from tests.usecases.test_value_import import (
    META,
    caught_up,
    project,
    refused,
    write,
)
from usecases.exports import ExportRegister, export_register
from usecases.reads import RegisterQuery, register_rows
from usecases.root import Services

HEADER = (
    "title,description,justification,cost_impact,time_impact_days,scope_impact,"
    "decision,authority,rationale,implementation_notes,status\n"
)
CHANGES = HEADER + (
    "New report,d,j,,,,,,,,raised\n"
    "Bigger disk,d,j,1200.00,3,more storage,,,,,assessed\n"
    "Extra site,d,j,50000.00,40,,approve,Project board,fits the case,,approved\n"
    "SSO,d,j,-250.50,0,,approve,PMO head,cheaper,went live,closed\n"
    "Gold plating,d,j,9000,10,,reject,Project board,no benefit,,closed\n"
    "Later,d,j,10,1,,defer,Project board,next stage,,assessed\n"
    "Why,d,j,10,1,,request-info,Project board,costs unclear,,info-requested\n"
    "No status,d,j,10,1,,approve,Project board,fine,done,\n"
)
EVENTS = {
    "New report": ["Raised"],
    "Bigger disk": ["Raised", "ImpactAssessed"],
    "Extra site": ["Raised", "ImpactAssessed", "Decided"],
    "SSO": ["Raised", "ImpactAssessed", "Decided", "Implemented", "Closed"],
    "Gold plating": ["Raised", "ImpactAssessed", "Decided", "Closed"],
    "Later": ["Raised", "ImpactAssessed", "Decided", "ImpactAssessed"],
    "Why": ["Raised", "ImpactAssessed", "Decided"],
    "No status": ["Raised", "ImpactAssessed", "Decided", "Implemented"],
}
"""Each row's events: the path the workflow allows to the status it names."""
BAD = HEADER + (
    "Fine,d,j,,,,,,,,raised\n"
    "No impact,d,j,,,,approve,Board,fits,,approved\n"
    "Anonymous,d,j,1,1,,approve,,fits,,approved\n"
    "Contradicts,d,j,1,1,,reject,Board,no,,approved\n"
    "Odd status,d,j,1,1,,,,,,bogus\n"
    "Unassessed,d,j,,,,approve,Board,fits,,\n"
    "Not closable,d,j,1,1,,request-info,Board,x,,closed\n"
    "Bad days,d,j,1,1 week,,,,,,assessed\n"
    "Bad choice,d,j,1,1,,maybe,Board,x,,approved\n"
    "Rejected work,d,j,1,1,,reject,Board,no,did it anyway,closed\n"
    ",d,j,,,,,,,,raised\n"
    "Not raised,d,j,1,1,,,,,,raised\n"
)
REFUSED = [
    "line 3: cost_impact: must be a decimal like -1500.50",
    "line 4: authority: must not be empty",
    "line 5: status: the row's other columns make this change request rejected, "
    "not approved",
    "line 6: status: must be one of raised, assessed, approved, rejected, deferred, "
    "info-requested, implemented, closed",
    "line 7: decision: cannot decide a change request that is raised",
    "line 8: status: the row's other columns make this change request "
    "info-requested, not closed",
    "line 9: time_impact_days: must be an integer from -3650 to 3650",
    "line 10: decision: must be one of approve, reject, defer, request-info",
    "line 11: implementation_notes: cannot implement a change request that is rejected",
    "line 12: missing title",
    "line 13: status: the row's other columns make this change request assessed, "
    "not raised",
]
STABLE = ("title", "step", "decision", "authority", "description", "justification")
"""Export columns an import into another project must give back as they were
(with `impact`, `rationale`, `implementation_notes`, `version`, `status`)."""


def changes(services: Services, project_id: UUID) -> dict[str, dict]:
    """The project's change log now, by title."""
    caught_up(services)
    rows = register_rows(services, RegisterQuery("changes", project_id))
    return {row["title"]: row for row in rows}


def exported(services: Services, project_id: UUID) -> str:
    """The project's change log as its CSV export."""
    caught_up(services)
    command = ExportRegister(project_id, "changes", "csv", None)
    return "".join(export_register(services, command, META).chunks)  # type: ignore[arg-type]


def stable(text: str) -> list[dict[str, str]]:
    """An export's rows without what differs in another project (ids, instants)."""
    kept = (*STABLE, "impact", "rationale", "implementation_notes")
    kept += ("related_issue_id", "version", "status")
    rows = csv.DictReader(io.StringIO(text))
    return sorted(({c: row[c] for c in kept} for row in rows), key=str)


def test_each_row_reaches_its_status_through_the_workflow(
    services: Services, tmp_path: Path
) -> None:
    here = project(services, "CHG-1")
    path = write(tmp_path, "change log.csv", CHANGES)
    done = import_register(services.app, "changes", path, "CHG-1", "pat.importer")
    assert (done.entries, done.events) == (8, sum(len(e) for e in EVENTS.values()))
    rows = changes(services, here)
    assert {title: row["status"] for title, row in rows.items()} == {
        "New report": "raised",
        "Bigger disk": "assessed",
        "Extra site": "approved",
        "SSO": "closed",
        "Gold plating": "closed",
        "Later": "assessed",
        "Why": "info-requested",
        "No status": "implemented",
    }
    site = rows["Extra site"]
    assert (site["decision"], site["authority"], site["rationale"]) == (
        "approve",
        "Project board",
        "fits the case",
    )
    assert site["impact"]["cost_impact"] == "50000.00"
    assert site["impact"]["time_impact_days"] == 40
    assert rows["SSO"]["implementation_notes"] == "went live"
    assert rows["Bigger disk"]["impact"]["scope_impact"] == "more storage"
    assert rows["Later"]["decision"] == "defer" and rows["Later"]["step"] == "decide"
    lines = {text.split(",")[0]: n for n, text in enumerate(CHANGES.splitlines(), 1)}
    for title, row in rows.items():
        events = list(services.app.events.get(UUID(str(row["id"]))))
        assert [type(e).__name__ for e in events] == EVENTS[title], title
        line = lines[title]
        for event in events:
            assert event.meta.actor == "pat.importer"
            assert event.meta.reason == f"imported from change log.csv, line {line}"


def test_an_exported_change_log_imports_into_another_project_as_it_stood(
    services: Services, tmp_path: Path
) -> None:
    source = project(services, "CHG-1")
    target = project(services, "CHG-2")
    officer = Meta("olivia", "project-officer", "change board")
    perform = services.app.perform
    raised = {"description": "d", "justification": "j", "related_issue_id": None}
    impact = {"cost_impact": "-1500.50", "time_impact_days": 5, "scope_impact": "s"}
    impact |= {"quality_impact": "", "risk_impact": "", "benefits_impact": "b"}
    walks = {
        "Untouched": [],
        "Approved": [("decide_change", "approve")],
        "Implemented": [("decide_change", "approve"), ("implement_change", "")],
        "Closed": [
            ("decide_change", "approve"),
            ("implement_change", "done"),
            ("close_change", None),
        ],
        "Rejected": [("decide_change", "reject"), ("close_change", None)],
        "Deferred, reassessed": [("decide_change", "defer"), ("assess_change", None)],
    }
    for title, walk in walks.items():
        values = raised | {"title": title, "related_issue_id": "ISS-7"}
        change = perform("raise_change", source, values, officer).id
        if title == "Untouched":
            continue
        perform("assess_change", change, impact, officer)
        for use_case, given in walk:
            step_values = {
                "decide_change": {
                    "decision": given,
                    "authority": "Board",
                    "rationale": f"{given}: minutes 4",
                },
                "implement_change": {"notes": given},
                "assess_change": impact,
                "close_change": {},
            }[use_case]
            perform(use_case, change, step_values, officer)
    before = exported(services, source)
    path = write(tmp_path, "changes.csv", before)
    done = import_register(services.app, "changes", path, "CHG-2", "pat")
    assert done.entries == len(walks)
    after = exported(services, target)
    assert stable(after) == stable(before)
    assert len(stable(after)) == len(walks)
    assert [row["status"] for row in stable(after)].count("closed") == 2
    assert not set(changes(services, target)) - set(walks)
    ids = {row["id"] for row in changes(services, source).values()}
    assert not {str(row["id"]) for row in changes(services, target).values()} & {
        str(i) for i in ids
    }


def test_a_bad_value_refuses_the_file_naming_line_and_column(
    services: Services, tmp_path: Path
) -> None:
    here = project(services, "CHG-1")
    assert refused(services, tmp_path, "changes", BAD, "CHG-1") == REFUSED
    assert changes(services, here) == {}
    assert list(services.app.iter_events_of(ChangeRequest.Raised)) == []


@pytest.mark.parametrize(
    ("cell", "refused"),
    [
        ('{"cost": 1}', "impact: has no cost (it takes cost_impact, "),
        ("not json", "impact: must be a JSON object of cost_impact, "),
        ('["1", 2]', "impact: must be a JSON object of cost_impact, "),
        ('{"cost_impact": "x", "time_impact_days": 1}', "cost_impact: must be a "),
    ],
)
def test_an_impact_cell_that_is_not_the_exported_object_is_refused(
    services: Services, tmp_path: Path, cell: str, refused: str
) -> None:
    project(services, "CHG-1")
    quoted = '"' + cell.replace('"', '""') + '"'
    text = f"title,description,justification,impact,status\nT,d,j,{quoted},assessed\n"
    head = services.app.head_position()
    with pytest.raises(ImportRefusedError) as caught:
        import_register(
            services.app, "changes", write(tmp_path, "c.csv", text), "CHG-1", "t"
        )
    [error] = caught.value.errors
    assert error.line == 2 and error.message.startswith(refused)
    assert services.app.head_position() == head


def test_a_column_of_its_own_wins_over_the_impact_object(
    services: Services, tmp_path: Path
) -> None:
    here = project(services, "CHG-1")
    impact = '"{""cost_impact"": ""10.00"", ""time_impact_days"": 2}"'
    text = (
        "title,description,justification,impact,cost_impact,status\n"
        f"T,d,j,{impact},99.50,assessed\n"
    )
    import_register(
        services.app, "changes", write(tmp_path, "c.csv", text), "CHG-1", "t"
    )
    [row] = changes(services, here).values()
    assert (row["impact"]["cost_impact"], row["impact"]["time_impact_days"]) == (
        "99.50",
        2,
    )

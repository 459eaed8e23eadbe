"""CSV import of the issue register, on each backend: each row reaches the
status it names through the issue workflow's own commands, by the importer,
each event's reason naming the file and line; a status the other columns do
not lead to refuses the whole file, naming the line and column."""

from __future__ import annotations

from pathlib import Path
from uuid import UUID

from service.domain.issue import Issue
from service.importer import import_register
from tests.usecases.test_value_import import caught_up, project, refused, write
from usecases.reads import RegisterQuery, register_rows
from usecases.root import Services

HEADER = (
    "issue_type,title,description,priority,severity,impact_analysis,options,"
    "recommendation,resolution,status\n"
)
ISSUES = HEADER + (
    "problem-concern,Untouched,d,low,minor,,,,,open\n"
    "problem-concern,Looked at,d,low,minor,two days,fix or move,fix,,examined\n"
    "problem-concern,Fixed,d,high,major,two days,fix or move,fix,cooled,resolved\n"
    "problem-concern,Done,d,high,major,two days,fix or move,fix,cooled,closed\n"
    "off-specification,Withdrawn,d,low,minor,,,,,closed\n"
    "off-specification,Overtaken,d,low,minor,a,b,c,,closed\n"
    "off-specification,No status,d,low,minor,a,b,c,,\n"
)
EVENTS = {
    "Untouched": ["Raised"],
    "Looked at": ["Raised", "Examined"],
    "Fixed": ["Raised", "Examined", "Resolved"],
    "Done": ["Raised", "Examined", "Resolved", "Closed"],
    "Withdrawn": ["Raised", "Closed"],
    "Overtaken": ["Raised", "Examined", "Closed"],
    "No status": ["Raised", "Examined"],
}
BAD = HEADER + (
    "problem-concern,Fine,d,low,minor,,,,,open\n"
    "problem-concern,Unexamined,d,low,minor,,,,,resolved\n"
    "problem-concern,Half examined,d,low,minor,,fix or move,fix,,examined\n"
    "problem-concern,Resolved early,d,low,minor,,,,cooled,closed\n"
    "problem-concern,Says open,d,low,minor,a,b,c,cooled,open\n"
    "problem-concern,Odd,d,low,minor,,,,,bogus\n"
    "problem-concern,No resolution,d,low,minor,a,b,c,,resolved\n"
)
REFUSED = [
    "line 3: impact_analysis: must not be empty",
    "line 4: impact_analysis: must not be empty",
    "line 5: resolution: cannot resolve an issue that is open",
    "line 6: status: the row's other columns make this issue resolved, not open",
    "line 7: status: must be one of open, examined, resolved, closed",
    "line 8: resolution: must not be empty",
]


def issues(services: Services, project_id: UUID) -> dict[str, dict]:
    """The project's issue register now, by title."""
    caught_up(services)
    rows = register_rows(services, RegisterQuery("issues", project_id))
    return {row["title"]: row for row in rows}


def test_each_row_reaches_its_status_through_the_workflow(
    services: Services, tmp_path: Path
) -> None:
    here = project(services, "ISS-1")
    path = write(tmp_path, "issue log.csv", ISSUES)
    done = import_register(services.app, "issues", path, "ISS-1", "pat.importer")
    assert (done.entries, done.events) == (7, sum(len(e) for e in EVENTS.values()))
    rows = issues(services, here)
    assert {title: row["status"] for title, row in rows.items()} == {
        "Untouched": "open",
        "Looked at": "examined",
        "Fixed": "resolved",
        "Done": "closed",
        "Withdrawn": "closed",
        "Overtaken": "closed",
        "No status": "examined",
    }
    assert (rows["Done"]["resolution"], rows["Fixed"]["recommendation"]) == (
        "cooled",
        "fix",
    )
    assert rows["Withdrawn"]["resolution"] == ""
    lines = {text.split(",")[1]: n for n, text in enumerate(ISSUES.splitlines(), 1)}
    for title, row in rows.items():
        events = list(services.app.events.get(UUID(str(row["id"]))))
        assert [type(e).__name__ for e in events] == EVENTS[title], title
        for event in events:
            assert event.meta.actor == "pat.importer"
            reason = f"imported from issue log.csv, line {lines[title]}"
            assert event.meta.reason == reason


def test_a_status_the_columns_do_not_support_refuses_the_file(
    services: Services, tmp_path: Path
) -> None:
    here = project(services, "ISS-1")
    assert refused(services, tmp_path, "issues", BAD, "ISS-1") == REFUSED
    assert issues(services, here) == {}
    assert list(services.app.iter_events_of(Issue.Raised)) == []

"""Issue: raised, examined, resolved and closed; closing unresolved needs a reason."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from service.domain.base import InvalidValueError, Meta
from service.domain.issue import Issue
from tests.domain.support import (
    OFFICER,
    PROJECT_ID,
    assert_refused,
    assert_same_on_replay,
    event_names,
)

NO_REASON = Meta(actor="olive", role="project-officer")


def new_issue(issue_type: str = "problem-concern") -> Issue:
    return Issue.raise_issue(
        PROJECT_ID,
        issue_type,
        "Login fails",
        "SSO rejects users",
        "high",
        "major",
        OFFICER,
    )


def examined() -> Issue:
    issue = new_issue()
    issue.examine("blocks 40 users", "fix or roll back", "fix", OFFICER)
    return issue


@pytest.mark.parametrize(
    "issue_type", ["request-for-change", "off-specification", "problem-concern"]
)
def test_raise_each_type(issue_type: str) -> None:
    issue = new_issue(issue_type)
    assert (issue.issue_type, issue.status) == (issue_type, "open")
    assert event_names(issue) == ["Raised"]


@pytest.mark.parametrize(
    ("field", "args"),
    [
        ("issue_type", ("bug", "t", "d", "low", "minor")),
        ("title", ("problem-concern", "", "d", "low", "minor")),
        ("description", ("problem-concern", "t", " ", "low", "minor")),
        ("priority", ("problem-concern", "t", "d", "urgent", "minor")),
        ("severity", ("problem-concern", "t", "d", "low", "trivial")),
    ],
)
def test_raise_refuses_bad_values(
    field: str, args: tuple[str, str, str, str, str]
) -> None:
    with pytest.raises(InvalidValueError) as caught:
        Issue.raise_issue(PROJECT_ID, *args, OFFICER)
    assert caught.value.field == field


def test_full_lifecycle() -> None:
    issue = examined()
    assert (issue.status, issue.recommendation) == ("examined", "fix")
    issue.examine("blocks 60 users", "fix", "fix now", OFFICER)
    assert issue.impact_analysis == "blocks 60 users"
    issue.resolve("patched SSO config", OFFICER)
    assert (issue.status, issue.resolution) == ("resolved", "patched SSO config")
    issue.close(NO_REASON)
    assert issue.status == "closed"
    assert event_names(issue) == [
        "Raised",
        "Examined",
        "Examined",
        "Resolved",
        "Closed",
    ]
    assert_same_on_replay(issue)


def test_resolve_needs_an_examination() -> None:
    issue = new_issue()
    assert_refused("open", issue.resolve, "fixed", OFFICER)


def test_a_resolved_issue_cannot_be_examined_or_resolved_again() -> None:
    issue = examined()
    issue.resolve("fixed", OFFICER)
    assert_refused("resolved", issue.examine, "a", "b", "c", OFFICER)
    assert_refused("resolved", issue.resolve, "again", OFFICER)


@pytest.mark.parametrize("make", [new_issue, examined])
def test_closing_an_unresolved_issue_needs_a_reason(make: Callable[[], Issue]) -> None:
    issue = make()
    with pytest.raises(InvalidValueError) as caught:
        issue.close(NO_REASON)
    assert caught.value.field == "reason"
    with pytest.raises(InvalidValueError):
        issue.close(Meta(actor="olive", role="project-officer", reason="  "))
    issue.close(OFFICER)
    assert issue.status == "closed"


def test_a_closed_issue_accepts_nothing() -> None:
    issue = new_issue()
    issue.close(OFFICER)
    version = issue.version
    assert_refused("closed", issue.close, OFFICER)
    assert_refused("closed", issue.examine, "a", "b", "c", OFFICER)
    assert_refused("closed", issue.resolve, "r", OFFICER)
    assert issue.version == version


def test_examine_refuses_empty_analysis() -> None:
    issue = new_issue()
    with pytest.raises(InvalidValueError) as caught:
        issue.examine("", "b", "c", OFFICER)
    assert caught.value.field == "impact_analysis"
    assert issue.status == "open"

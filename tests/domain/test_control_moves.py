"""Every command of the control registers from every status, and every refusal.

A command allowed from a status leaves the status and the values the walk
(`tests.domain.control_walks`) says, and replays to the same state; from
any other status, and with a bad value, it is refused with an error naming
the state or the field, and the entry is left exactly as it was.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from service.domain.base import InvalidValueError, Meta, TransitionError
from service.domain.entry import RegisterEntry
from tests.domain.control_walks import DOCUMENT, RISK, WALKS
from tests.domain.support import OFFICER, PROJECT_ID, replayed

NO_REASON = Meta("olive", "project-officer")
BLANK = Meta("olive", "project-officer", reason="  ")


def unchanged_by(entry: RegisterEntry, attempt: Any) -> Exception:
    """The error the attempt raises; the entry keeps its state and its events."""
    state, events = entry.state(), len(entry.pending_events)
    with pytest.raises((InvalidValueError, TransitionError)) as caught:
        attempt()
    assert entry.state() == state
    assert len(entry.pending_events) == events
    return caught.value


@pytest.mark.parametrize("register", sorted(WALKS))
def test_each_walk_reaches_every_status_and_gives_every_command(
    register: str,
) -> None:
    walk = WALKS[register]
    kind = walk.kind.register_kind
    assert set(walk.reach) == set(kind.statuses)
    assert set(walk.moves) == {c.use_case for c in kind.commands}
    for status in walk.reach:
        entry = walk.at(status)
        assert replayed(entry).state() == entry.state()


MOVES = [
    pytest.param(register, use_case, status, id=f"{register}-{use_case}-{status}")
    for register, walk in sorted(WALKS.items())
    for use_case in walk.moves
    for status in walk.reach
]


@pytest.mark.parametrize(("register", "use_case", "status"), MOVES)
def test_a_command_moves_from_its_statuses_and_is_refused_from_the_others(
    register: str, use_case: str, status: str
) -> None:
    walk = WALKS[register]
    move = walk.moves[use_case]
    entry = walk.at(status)
    if status not in move.to:
        error = unchanged_by(entry, lambda: entry.run(use_case, move.values, OFFICER))
        assert isinstance(error, TransitionError)
        assert error.state == status
        assert status in str(error)
        return
    entry.run(use_case, move.values, OFFICER)
    state = entry.state()
    assert state["status"] == move.to[status]
    assert {name: state[name] for name in move.sets} == move.sets
    assert replayed(entry).state() == state


FUTURE = date(2999, 1, 1)
CREATION = [
    ("reviews", {"reviewers": []}, "reviewers", "at least one reviewer"),
    ("reviews", {"reviewers": ["Ana", ""]}, "reviewers[1]", "must not be empty"),
    ("reviews", {"method": "glance"}, "method", "must be one of"),
    ("reviews", {"planned_on": "2026-01-05"}, "planned_on", "must be a date"),
    ("reviews", {"document_version": 0}, "document_version", "from 1"),
    ("reviews", {"title": " "}, "title", "must not be empty"),
    ("stakeholders", {"interest": 6}, "interest", "1"),
    ("stakeholders", {"kind": "robot"}, "kind", "must be one of"),
    ("stakeholders", {"attitude": "hostile"}, "attitude", "must be one of"),
    ("stakeholders", {"name": ""}, "name", "must not be empty"),
    ("stakeholders", {"email": "x" * 255}, "email", "254"),
    ("communications", {"channel": "pigeon"}, "channel", "must be one of"),
    ("communications", {"frequency": "hourly"}, "frequency", "must be one of"),
    ("communications", {"stakeholder_ids": ["nope"]}, "stakeholder_ids[0]", "an id"),
    ("communications", {"audience": ""}, "audience", "must not be empty"),
    ("messages", {"subject": ""}, "subject", "must not be empty"),
    ("messages", {"sent_on": "2026-01-09"}, "sent_on", "must be a date"),
    ("messages", {"channel": "pigeon"}, "channel", "must be one of"),
    ("messages", {"document_version": 0}, "document_version", "from 1"),
    ("messages", {"sent_by": " "}, "sent_by", "must not be empty"),
    ("lessons", {"category": "luck"}, "category", "must be one of"),
    ("lessons", {"priority": "urgent"}, "priority", "must be one of"),
    ("lessons", {"recommendation": ""}, "recommendation", "must not be empty"),
    ("actions", {"subject_id": None}, "subject_id", "required when"),
    ("actions", {"subject_register": None}, "subject_register", "required when"),
    ("actions", {"subject_register": "moods"}, "subject_register", "must be one of"),
    ("actions", {"due_on": None}, "due_on", "must be a date"),
    ("actions", {"owner": ""}, "owner", "must not be empty"),
    ("diary", {"entry_kind": "gossip"}, "entry_kind", "must be one of"),
    ("diary", {"text": ""}, "text", "must not be empty"),
    ("diary", {"text": "x" * 5001}, "text", "5000"),
    ("contracts", {"value": "1.234"}, "value", "at most 2 decimal places"),
    ("contracts", {"value": "-5"}, "value", "must be a decimal"),
    ("contracts", {"currency": "XYZ"}, "currency", "ISO 4217"),
    ("contracts", {"ends_on": date(2026, 1, 15)}, "ends_on", "after starts_on"),
    ("contracts", {"risk_ids": [RISK, RISK]}, "risk_ids", "twice"),
    ("links", {"from_id": DOCUMENT}, "to_id", "must not be the entry linked from"),
    ("links", {"to_register": "risks"}, "to_version", "only given for a document"),
    ("links", {"relation": "likes"}, "relation", "must be one of"),
    ("links", {"from_register": "moods"}, "from_register", "must be one of"),
]


@pytest.mark.parametrize(("register", "changes", "field", "message"), CREATION)
def test_a_new_entry_with_a_bad_value_is_refused(
    register: str, changes: dict[str, Any], field: str, message: str
) -> None:
    walk = WALKS[register]
    with pytest.raises(InvalidValueError) as caught:
        walk.kind.start(PROJECT_ID, walk.given | changes, OFFICER)
    assert caught.value.field == field
    assert message in caught.value.message


def walk_of(use_case: str) -> str:
    """The register whose walk gives the command."""
    return next(name for name, walk in WALKS.items() if use_case in walk.moves)


BAD_VALUES = [
    ("planned", "replan_quality_review", {"planned_on": None}, "planned_on"),
    ("planned", "record_quality_result", {"held_on": FUTURE}, "held_on"),
    ("re-planned", "record_quality_result", {"result": "meh"}, "result"),
    ("held", "add_quality_follow_up", {"action": ""}, "action"),
    ("held", "add_quality_follow_up", {"owner": " "}, "owner"),
    ("actions-open", "complete_quality_follow_up", {"number": 2}, "number"),
    ("actions-open", "complete_quality_follow_up", {"number": 0}, "number"),
    ("held", "sign_off_quality_review", {"sign_off_note": "x" * 2001}, "sign_off_note"),
    ("failed", "re_review_quality", {"planned_on": "soon"}, "planned_on"),
    ("active", "assess_stakeholder", {"influence": 0}, "influence"),
    (
        "active",
        "assess_stakeholder",
        {"current_engagement": "keen"},
        "current_engagement",
    ),
    ("active", "revise_communication", {"channel": "fax"}, "channel"),
    ("active", "revise_communication", {"owner": ""}, "owner"),
    ("active", "revise_communication", {"purpose": "x" * 1001}, "purpose"),
    ("logged", "review_lesson", {"scope": "global"}, "scope"),
    ("logged", "review_lesson", {"review_note": ""}, "review_note"),
    ("open", "redate_action", {"due_on": "2026-02-03"}, "due_on"),
    ("open", "complete_action", {"outcome": "x" * 2001}, "outcome"),
    ("tendering", "award_contract", {"value": "1.5e3"}, "value"),
    ("tendering", "award_contract", {"value": "9.999"}, "value"),
    ("tendering", "award_contract", {"supplier": ""}, "supplier"),
    ("awarded", "start_contract", {"starts_on": date(2027, 1, 1)}, "starts_on"),
    ("active", "extend_contract", {"ends_on": date(2026, 12, 31)}, "ends_on"),
    ("active", "relink_contract", {"issue_ids": ["x"]}, "issue_ids[0]"),
    ("active", "close_contract", {"closing_note": "x" * 2001}, "closing_note"),
]
NO_REASONS = [
    ("planned", "replan_quality_review", NO_REASON),
    ("re-planned", "replan_quality_review", BLANK),
    ("active", "retire_stakeholder", NO_REASON),
    ("active", "retire_communication", BLANK),
    ("logged", "close_lesson", NO_REASON),
    ("reviewed", "close_lesson", BLANK),
    ("open", "redate_action", NO_REASON),
    ("open", "drop_action", BLANK),
    ("active", "extend_contract", NO_REASON),
    ("awarded", "terminate_contract", NO_REASON),
    ("tendering", "terminate_contract", BLANK),
    ("active", "remove_link", NO_REASON),
]
REFUSALS = [
    *[
        (status, command, values, OFFICER, field)
        for status, command, values, field in BAD_VALUES
    ],
    *[(status, command, {}, meta, "reason") for status, command, meta in NO_REASONS],
]


@pytest.mark.parametrize(("status", "use_case", "changes", "meta", "field"), REFUSALS)
def test_a_command_with_a_bad_value_or_no_reason_changes_nothing(
    status: str, use_case: str, changes: dict[str, Any], meta: Meta, field: str
) -> None:
    walk = WALKS[walk_of(use_case)]
    entry = walk.at(status)
    values = walk.moves[use_case].values | changes
    error = unchanged_by(entry, lambda: entry.run(use_case, values, meta))
    assert isinstance(error, InvalidValueError)
    assert error.field == field

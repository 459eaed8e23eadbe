"""CSV import of the rest of the control registers: reviews, communications,
messages, actions, the daily log and links; every row checked, all or nothing,
each refusal naming its line."""

from __future__ import annotations

from pathlib import Path
from uuid import UUID

import pytest

from service.domain.base import InvalidValueError
from service.importer import ImportRefusedError, import_register, importable
from tests.usecases.test_value_import import META, caught_up, project, write
from usecases.reads import RegisterQuery, plain, register_rows
from usecases.root import Services

STAKEHOLDER = {
    "name": "Works council",
    "email": "",
    "kind": "group",
    "organisation": "Staff",
    "role": "consulted",
    "interest": 4,
    "influence": 5,
    "current_engagement": "resistant",
    "desired_engagement": "supportive",
    "attitude": "critic",
    "owner": "Ana",
}
RISK = {
    "title": "Late kit",
    "cause": "c",
    "event": "e",
    "effect": "f",
    "category": "schedule",
    "kind": "threat",
    "owner": "o",
    "proximity": "imminent",
    "probability": 2,
    "impact": 2,
}
PLAN = {
    "title": "Briefing",
    "audience": "Board",
    "purpose": "Progress",
    "channel": "meeting",
    "frequency": "monthly",
    "owner": "Ana",
    "stakeholder_ids": [],
}


def seeded(services: Services) -> dict[str, str]:
    """Two projects, each with a stakeholder, a risk and a planned communication;
    the ids by name ("foreign_..." for the other project's)."""
    ids = {"project": str(project(services, "CTL-1"))}
    elsewhere = project(services, "CTL-2")
    for prefix, owner in (("", UUID(ids["project"])), ("foreign_", elsewhere)):
        for name, use_case, values in (
            ("stakeholder", "identify_stakeholder", STAKEHOLDER),
            ("risk", "identify_risk", RISK),
            ("communication", "plan_communication", PLAN),
        ):
            ids[prefix + name] = str(
                services.app.perform(use_case, owner, values, META).id
            )
    return ids


GOOD = {
    "reviews": (
        "title,method,producer,reviewers,chair,approver,planned_on\n"
        "PID review,review,Lee,Ana;Ben,Dana,Priya,2026-01-05\n"
        "Test audit,audit,Lee,Cy,Dana,Priya,2026-02-01\n"
    ),
    "communications": (
        "title,audience,purpose,channel,frequency,owner,stakeholder_ids\n"
        "Newsletter,Staff,Awareness,newsletter,monthly,Ana,{stakeholder}\n"
        "Board pack,Board,Decisions,report,per-stage,Olive,\n"
    ),
    "messages": (
        "subject,sent_to,sent_on,channel,sent_by,summary,communication_id\n"
        "Pack 1,Board,2026-01-09,email,Olive,First pack,{communication}\n"
        "Town hall,Staff,2026-01-12,meeting,Ana,,\n"
    ),
    "actions": (
        "title,description,owner,due_on,subject_register,subject_id\n"
        "Chase supplier,,Lee,2026-01-20,risks,{risk}\n"
        "Book room,For the board,Ana,2026-01-22,,\n"
    ),
    "diary": (
        "entry_kind,text\n"
        "problem,The test rig is down\n"
        'note,"Supplier called, rig back Friday"\n'
    ),
    "links": (
        "from_register,from_id,relation,to_register,to_id,note\n"
        "communications,{communication},sent-about,risks,{risk},why\n"
        "stakeholders,{stakeholder},relates-to,risks,{risk},\n"
    ),
}
BAD = {
    "reviews": (
        "title,method,producer,reviewers,chair,approver,planned_on\n"
        "PID review,review,Lee,Ana,Dana,Priya,2026-01-05\n"
        "Glance,glance,Lee,Ana,Dana,Priya,2026-01-05\n"
        "Test,test,Lee,,Dana,Priya,2026-01-05\n"
        "Audit,audit,Lee,Ana,Dana,Priya,5 Jan\n"
    ),
    "communications": (
        "title,audience,purpose,channel,frequency,owner,stakeholder_ids\n"
        "Newsletter,Staff,Awareness,newsletter,monthly,Ana,{stakeholder}\n"
        "Pigeon,Staff,Awareness,pigeon,monthly,Ana,\n"
        "Theirs,Staff,Awareness,email,monthly,Ana,{foreign_stakeholder}\n"
    ),
    "messages": (
        "subject,sent_to,sent_on,channel,sent_by,summary,communication_id\n"
        "Pack 1,Board,2026-01-09,email,Olive,,{communication}\n"
        "Pack 2,Board,2026-01-09,email,Olive,,{foreign_communication}\n"
        "Pack 3,Board,,email,Olive,,\n"
    ),
    "actions": (
        "title,description,owner,due_on,subject_register,subject_id\n"
        "Chase supplier,,Lee,2026-01-20,risks,{risk}\n"
        "Half a subject,,Lee,2026-01-20,risks,\n"
        "Their risk,,Lee,2026-01-20,risks,{foreign_risk}\n"
    ),
    "diary": (
        "entry_kind,text\nproblem,The test rig is down\ngossip,Who said what\nnote,\n"
    ),
    "links": (
        "from_register,from_id,relation,to_register,to_id,note\n"
        "stakeholders,{stakeholder},relates-to,risks,{risk},\n"
        "risks,{risk},relates-to,risks,{risk},\n"
        "risks,{risk},caused-by,risks,{foreign_risk},\n"
    ),
}
REFUSED = {
    "reviews": [
        "line 3: method: must be one of review, inspection, test, audit",
        "line 4: missing reviewers",
        "line 5: planned_on: must be a date (YYYY-MM-DD)",
    ],
    "communications": [
        "line 3: channel: must be one of email, meeting, report, workshop, "
        "newsletter, intranet, briefing",
        "line 4: stakeholder_ids[0]: must be a stakeholder of the same project",
    ],
    "messages": [
        "line 3: communication_id: must be a communication of the same project",
        "line 4: missing sent_on",
    ],
    "actions": [
        "line 3: subject_id: is required when the other subject is given",
        "line 4: subject_id: must be a risk of the same project",
    ],
    "diary": [
        "line 3: entry_kind: must be one of problem, event, note, action",
        "line 4: missing text",
    ],
    "links": [
        "line 3: to_id: must not be the entry linked from",
        "line 4: to_id: must be a risk of the same project",
    ],
}


SHOWN: dict[str, tuple[str, str, dict[str, object]]] = {
    "reviews": (
        "title",
        "reviewers",
        {"PID review": ["Ana", "Ben"], "Test audit": ["Cy"]},
    ),
    "communications": (
        "title",
        "stakeholder_ids",
        {"Newsletter": ["{stakeholder}"], "Board pack": []},
    ),
    "messages": (
        "subject",
        "communication_id",
        {"Pack 1": "{communication}", "Town hall": None},
    ),
    "actions": ("title", "subject_id", {"Chase supplier": "{risk}", "Book room": None}),
    "diary": (
        "entry_kind",
        "text",
        {"problem": "The test rig is down", "note": "Supplier called, rig back Friday"},
    ),
    "links": (
        "from_register",
        "from_id",
        {"communications": "{communication}", "stakeholders": "{stakeholder}"},
    ),
}
"""Per register: a column naming each imported row, and another column's value
in each row (ids as "{name}" of `seeded`)."""


def filled(shown: dict[str, object], ids: dict[str, str]) -> dict[str, object]:
    """The expected values with the seeded ids in place of their names."""

    def fill(value: object) -> object:
        if isinstance(value, list):
            return [fill(v) for v in value]
        return value.format(**ids) if isinstance(value, str) else value

    return {key: fill(value) for key, value in shown.items()}


def test_every_control_register_declares_its_import() -> None:
    assert set(GOOD) | {"stakeholders", "lessons", "contracts"} <= set(importable())


def imported(services: Services, kind: str, ids: dict[str, str]) -> list[dict]:
    """The project's rows of the register, but those `seeded` recorded."""
    query = RegisterQuery(kind, UUID(ids["project"]))
    rows = [plain(r) for r in register_rows(services, query)]
    return [r for r in rows if r["id"] not in ids.values()]


@pytest.mark.parametrize("kind", sorted(GOOD))
def test_a_control_register_imports_every_row(
    services: Services, tmp_path: Path, kind: str
) -> None:
    ids = seeded(services)
    path = write(tmp_path, f"{kind}.csv", GOOD[kind].format(**ids))
    done = import_register(services.app, kind, path, "CTL-1", "t")
    assert done.entries == 2
    caught_up(services)
    rows = imported(services, kind, ids)
    assert len(rows) == 2
    key, column, shown = SHOWN[kind]
    assert {r[key]: r[column] for r in rows} == filled(shown, ids)
    assert {r["status"] for r in rows} == {
        importable()[kind].register_kind.create.status
    }


@pytest.mark.parametrize("kind", sorted(BAD))
def test_a_control_register_import_refuses_all_naming_each_line(
    services: Services, tmp_path: Path, kind: str
) -> None:
    ids = seeded(services)
    caught_up(services)
    path = write(tmp_path, f"{kind}.csv", BAD[kind].format(**ids))
    head = services.app.head_position()
    with pytest.raises(ImportRefusedError) as caught:
        import_register(services.app, kind, path, "CTL-1", "t")
    assert [str(e) for e in caught.value.errors] == REFUSED[kind]
    assert services.app.head_position() == head
    caught_up(services)
    assert imported(services, kind, ids) == []


@pytest.mark.parametrize("kind", ["baselines", "gadgets"])
def test_a_register_that_declares_no_import_is_refused_by_name(
    services: Services, tmp_path: Path, kind: str
) -> None:
    project(services, "CTL-1")
    path = write(tmp_path, "c.csv", "title,description,justification\nt,d,j\n")
    head = services.app.head_position()
    with pytest.raises(InvalidValueError) as caught:
        import_register(services.app, kind, path, "CTL-1", "t")
    assert caught.value.field == "register"
    expected = {
        "baselines": "baselines are not imported from CSV: a baseline is an approval",
        "gadgets": "no register is called gadgets (these import: ",
    }
    assert caught.value.message.startswith(expected[kind])
    assert kind == "baselines" or "changes" in caught.value.message
    assert services.app.head_position() == head

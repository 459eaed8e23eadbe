"""CSV import of the value registers: every row checked, all or nothing, by line."""

from __future__ import annotations

from pathlib import Path
from uuid import UUID

import pytest
from click.testing import CliRunner

from api.cli import main
from service.config import Settings
from service.domain.base import Meta
from service.domain.register import PORTFOLIO_ID
from service.importer import ImportRefusedError, import_register
from usecases.reads import RegisterQuery, register_rows
from usecases.root import Services

META = Meta("setup", "pmo-head")
BENEFITS = (
    "title,kind,description,owner,category,measure,unit,baseline_value,"
    "target_value,realise_from,realise_to,change_ids,measurement_plan\n"
)


def project(services: Services, code: str) -> UUID:
    return services.app.register_project(code, code, "", "Sam", "Max", META).id


def caught_up(services: Services) -> None:
    services.runner.start()
    assert services.views.wait_for(services.app.head_position(), 30)


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def refused(
    services: Services, tmp_path: Path, kind: str, text: str, code: str
) -> list[str]:
    """The lines an import of the text refuses, having checked it wrote nothing."""
    caught_up(services)
    head = services.app.head_position()
    with pytest.raises(ImportRefusedError) as caught:
        import_register(services.app, kind, write(tmp_path, "r.csv", text), code, "t")
    assert services.app.head_position() == head
    return [str(e) for e in caught.value.errors]


def test_benefits_import_checks_linked_changes(
    services: Services, tmp_path: Path
) -> None:
    here = project(services, "VAL-1")
    elsewhere = project(services, "VAL-2")
    change = services.app.perform(
        "raise_change",
        here,
        {
            "title": "t",
            "description": "d",
            "justification": "j",
            "related_issue_id": None,
        },
        META,
    ).id
    foreign = services.app.perform(
        "raise_change",
        elsewhere,
        {
            "title": "t",
            "description": "d",
            "justification": "j",
            "related_issue_id": None,
        },
        META,
    ).id
    good = (
        f"Faster close,benefit,d,CFO,financial,days,days,12,5,2026-01-01,2026-12-31,"
        f"{change},monthly\n"
        "Retraining,dis-benefit,d,HR,non-financial,hours,hours,0,24,2026-01-01,"
        "2026-06-30,,\n"
    )
    bad = (
        f"A,benefit,d,o,financial,m,u,1,2,2026-01-01,2026-02-01,{foreign},\n"
        "B,benefit,d,o,financial,m,u,1,1,2026-01-01,2026-02-01,,\n"
        "C,benefit,d,o,financial,m,u,1,2,2026-03-01,2026-02-01,,\n"
        f"D,benefit,d,o,financial,m,u,1,2,2026-01-01,2026-02-01,{change};x,\n"
        "E,gain,d,o,financial,m,u,1,2,2026-01-01,2026-02-01,,\n"
    )
    head = services.app.head_position()
    path = write(tmp_path, "benefits.csv", BENEFITS + good + bad)
    with pytest.raises(ImportRefusedError) as caught:
        import_register(services.app, "benefits", path, "VAL-1", "tester")
    assert [(e.line, e.message.split(":")[0]) for e in caught.value.errors] == [
        (4, "change_ids[0]"),
        (5, "target_value"),
        (6, "realise_to"),
        (7, "change_ids[1]"),
        (8, "kind"),
    ]
    assert "must be a change request of the same project" in str(caught.value)
    assert services.app.head_position() == head
    done = import_register(
        services.app,
        "benefits",
        write(tmp_path, "ok.csv", BENEFITS + good),
        "VAL-1",
        "t",
    )
    assert (done.entries, done.events) == (2, 3)
    caught_up(services)
    found = register_rows(services, RegisterQuery("benefits", here))
    assert {(b["title"], b["status"], tuple(b["change_ids"])) for b in found} == {
        ("Faster close", "planned", (str(change),)),
        ("Retraining", "identified", ()),
    }


def test_budget_demand_and_capacity_imports(services: Services, tmp_path: Path) -> None:
    here = project(services, "VAL-3")
    budgets = (
        "title,category,currency,owner,approved_budget\n"
        "Team,labour,EUR,FBP,100000.00\n"
        "Kit,equipment,JPY,FBP,1500000.5\n"
        "Travel,travel,EURO,FBP,100\n"
        "Rent,facilities,GBP,FBP,\n"
    )
    head = services.app.head_position()
    with pytest.raises(ImportRefusedError) as caught:
        import_register(
            services.app, "budgets", write(tmp_path, "b.csv", budgets), "VAL-3", "t"
        )
    assert [str(e) for e in caught.value.errors] == [
        "line 3: approved_budget: must have at most 0 decimal places in JPY",
        "line 4: currency: must be an ISO 4217 currency code such as EUR, GBP or USD",
        "line 5: missing approved_budget",
    ]
    assert services.app.head_position() == head
    demands = "role,skill,person,notes\nBusiness analyst,,Priya Shah,\nDeveloper,Go,,\n"
    done = import_register(
        services.app, "demands", write(tmp_path, "d.csv", demands), "VAL-3", "t"
    )
    assert done.entries == 2
    capacity = "role,team\nBusiness analyst,Change\n,Nobody\n"
    with pytest.raises(ImportRefusedError, match="line 3: missing role"):
        import_register(
            services.app, "capacity", write(tmp_path, "c.csv", capacity), "", "t"
        )
    capacity = "role,team\nBusiness analyst,Change\n"
    import_register(
        services.app, "capacity", write(tmp_path, "c.csv", capacity), "", "t"
    )
    caught_up(services)
    assert [
        d["person"] for d in register_rows(services, RegisterQuery("demands", here))
    ]
    assert len(register_rows(services, RegisterQuery("capacity", PORTFOLIO_ID))) == 1


def test_capacity_imports_from_the_command_line_without_a_project(
    settings: Settings, tmp_path: Path
) -> None:
    env = {
        "PMO_LEDGER_DATA_DIR": str(settings.data_dir),
        "PMO_LEDGER_DATABASE_URL": settings.database_url,
    }
    path = write(tmp_path, "capacity.csv", "role,team\nTest analyst,QA\n")
    result = CliRunner().invoke(main, ["import", "capacity", str(path)], env=env)
    assert result.exit_code == 0, result.output
    assert "imported 1 capacity (1 events)" in result.output
    refused = CliRunner().invoke(main, ["import", "budgets", str(path)], env=env)
    assert refused.exit_code != 0 and "--project" in refused.output

"""CSV import of monthly figures: budget actuals and forecasts, FTE per month of
demand and capacity; every row checked, all or nothing, by line and column.
Registers that are not imported say why."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from api.cli import main
from service.config import Settings
from service.domain.base import InvalidValueError
from service.domain.register import PORTFOLIO_ID
from service.importer import ImportRefusedError, import_register
from tests.usecases.test_value_import import caught_up, project, write
from usecases.reads import RegisterQuery, register_rows
from usecases.root import Services

BUDGETS = "title,category,currency,owner,approved_budget"


def test_budget_lines_bring_their_monthly_actuals_and_forecasts(
    services: Services, tmp_path: Path
) -> None:
    here = project(services, "MON-1")
    text = (
        f"{BUDGETS},actual 2026-01,Actual 2026-02,forecast 2026-03,forecast 2026-04\n"
        "Team,labour,EUR,FBP,100000.00,8000,8250.50,9000,\n"
        "Kit,equipment,GBP,FBP,5000,,,,2500\n"
    )
    done = import_register(
        services.app, "budgets", write(tmp_path, "b.csv", text), "MON-1", "t"
    )
    assert (done.entries, done.events) == (2, 6)
    caught_up(services)
    lines = {
        r["title"]: r for r in register_rows(services, RegisterQuery("budgets", here))
    }
    assert lines["Team"]["actuals"] == {"2026-01": "8000", "2026-02": "8250.50"}
    assert lines["Team"]["forecasts"] == {"2026-03": "9000"}
    assert lines["Team"]["actual_to_date"] == "16250.50"
    assert lines["Kit"]["forecasts"] == {"2026-04": "2500"}
    assert lines["Kit"]["actuals"] in (None, {})


def test_a_bad_month_refuses_the_whole_file_naming_line_and_column(
    services: Services, tmp_path: Path
) -> None:
    project(services, "MON-2")
    text = (
        f"{BUDGETS},actual 2026-01,forecast 2026-01,actual 2099-01,forecast 2026-13\n"
        "Good,labour,EUR,FBP,100,10,,,\n"
        "Cents,labour,EUR,FBP,100,10.001,,,\n"
        "Both,labour,EUR,FBP,100,10,12,,\n"
        "Future,labour,EUR,FBP,100,,,5,\n"
        "Month,labour,EUR,FBP,100,,,,7\n"
        "Words,labour,EUR,FBP,100,ten,,,\n"
    )
    head = services.app.head_position()
    with pytest.raises(ImportRefusedError) as caught:
        import_register(
            services.app, "budgets", write(tmp_path, "b.csv", text), "MON-2", "t"
        )
    found = [(e.line, e.message.split(":")[0]) for e in caught.value.errors]
    assert found == [
        (3, "actual 2026-01"),
        (4, "forecast 2026-01"),
        (5, "actual 2099-01"),
        (6, "forecast 2026-13"),
        (7, "actual 2026-01"),
    ]
    messages = [e.message for e in caught.value.errors]
    assert "at most 2 decimal places in EUR" in messages[0]
    assert "already has an actual" in messages[1]
    assert "must not be after this month" in messages[2]
    assert services.app.head_position() == head
    bare = f"{BUDGETS},2026-01\nTeam,labour,EUR,FBP,100,10\n"
    with pytest.raises(ImportRefusedError) as caught:
        import_register(
            services.app, "budgets", write(tmp_path, "m.csv", bare), "MON-2", "t"
        )
    assert [str(e) for e in caught.value.errors] == [
        "line 1: column '2026-01': budgets take months as "
        "'actual YYYY-MM' or 'forecast YYYY-MM'"
    ]
    assert services.app.head_position() == head


def test_demands_bring_their_fte_per_month(services: Services, tmp_path: Path) -> None:
    here = project(services, "MON-3")
    bad = (
        "role,skill,2026-01,2026-02,actual 2026-03\n"
        "Analyst,,1.5,0.5,\n"
        "Developer,Go,two,,\n"
        "Tester,,1000,,\n"
    )
    head = services.app.head_position()
    with pytest.raises(ImportRefusedError) as caught:
        import_register(
            services.app, "demands", write(tmp_path, "d.csv", bad), "MON-3", "t"
        )
    assert [(e.line, e.message.split(":")[0]) for e in caught.value.errors] == [
        (1, "column 'actual 2026-03'"),
        (3, "2026-01"),
        (4, "2026-01"),
    ]
    assert services.app.head_position() == head
    good = "role,skill,person,2026-01,2026-02,2026-03\nAnalyst,,Priya Shah,1.5,0.5,\n"
    done = import_register(
        services.app, "demands", write(tmp_path, "d.csv", good), "MON-3", "t"
    )
    assert (done.entries, done.events) == (1, 3)
    caught_up(services)
    [demand] = register_rows(services, RegisterQuery("demands", here))
    assert demand["months"] == {"2026-01": "1.5", "2026-02": "0.5"}
    assert demand["total_fte_months"] == "2.0"
    assert (demand["first_month"], demand["last_month"]) == ("2026-01", "2026-02")


def test_capacity_brings_its_fte_per_month(services: Services, tmp_path: Path) -> None:
    text = "role,team,2026-01,2026-02\nAnalyst,Change,3,3.5\n,Nobody,1,\n"
    with pytest.raises(ImportRefusedError, match="line 3: missing role"):
        import_register(
            services.app, "capacity", write(tmp_path, "c.csv", text), "", "t"
        )
    text = "role,team,2026-01,2026-02\nAnalyst,Change,3,3.5\n"
    done = import_register(
        services.app, "capacity", write(tmp_path, "c.csv", text), "", "t"
    )
    assert (done.entries, done.events) == (1, 3)
    caught_up(services)
    [capacity] = register_rows(services, RegisterQuery("capacity", PORTFOLIO_ID))
    assert capacity["months"] == {"2026-01": "3", "2026-02": "3.5"}


def test_baselines_and_unknown_registers_are_refused_with_the_reason(
    services: Services, tmp_path: Path
) -> None:
    project(services, "MON-4")
    path = write(tmp_path, "bl.csv", "name,tolerance_days,approval\nB1,5,pmo-head\n")
    head = services.app.head_position()
    with pytest.raises(InvalidValueError, match="a baseline is an approval") as caught:
        import_register(services.app, "baselines", path, "MON-4", "t")
    assert caught.value.field == "register"
    assert str(caught.value).startswith("register: baselines are not imported from CSV")
    with pytest.raises(InvalidValueError, match="no register is called widgets"):
        import_register(services.app, "widgets", path, "MON-4", "t")
    assert services.app.head_position() == head


def test_the_command_line_says_why_baselines_are_not_imported(
    settings: Settings, tmp_path: Path
) -> None:
    env = {
        "PMO_LEDGER_DATA_DIR": str(settings.data_dir),
        "PMO_LEDGER_DATABASE_URL": settings.database_url,
    }
    path = write(tmp_path, "bl.csv", "name\nB1\n")
    args = ["import", "baselines", str(path), "--project", "X"]
    refused = CliRunner().invoke(main, args, env=env)
    assert refused.exit_code == 1
    assert "baselines are not imported from CSV" in refused.output
    assert "approve one instead" in refused.output
    listed = CliRunner().invoke(main, ["import", "--help"], env=env)
    assert "demands" in listed.output and "baselines" not in listed.output

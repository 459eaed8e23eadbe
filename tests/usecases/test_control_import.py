"""CSV import of the control registers: every row checked, all or nothing, by line."""

from __future__ import annotations

from pathlib import Path

import pytest

from service.importer import ImportRefusedError, import_register
from tests.usecases.test_control_transfer import RISK
from tests.usecases.test_value_import import META, caught_up, project, write
from usecases.reads import RegisterQuery, register_rows
from usecases.root import Services


def test_control_registers_import_and_refuse_by_line(
    services: Services, tmp_path: Path
) -> None:
    here = project(services, "CTL-1")
    elsewhere = project(services, "CTL-2")
    risk = services.app.perform("identify_risk", elsewhere, RISK, META).id
    contracts = (
        "title,supplier,reference,scope,value,currency,starts_on,ends_on,owner,"
        "risk_ids\n"
        "Hosting,Acme,C-1,hosting,1200.50,EUR,2026-01-01,2026-12-31,Lee,\n"
        "Kit,Acme,C-2,kit,12.5,JPY,2026-01-01,2026-12-31,Lee,\n"
        "Desk,Acme,C-3,desks,10.00,EUR,2026-01-01,2025-12-31,Lee,\n"
        f"Late,Acme,C-4,x,10.00,EUR,2026-01-01,2026-12-31,Lee,{risk}\n"
    )
    head = services.app.head_position()
    with pytest.raises(ImportRefusedError) as caught:
        import_register(
            services.app, "contracts", write(tmp_path, "c.csv", contracts), "CTL-1", "t"
        )
    assert [str(e) for e in caught.value.errors] == [
        "line 3: value: must have at most 0 decimal places in JPY",
        "line 4: ends_on: must be after starts_on",
        "line 5: risk_ids[0]: must be a risk of the same project",
    ]
    assert services.app.head_position() == head
    stakeholders = (
        "name,kind,organisation,role,interest,influence,current_engagement,"
        "desired_engagement,attitude,owner\n"
        "Works council,group,Staff,consulted,4,5,resistant,supportive,critic,Ana\n"
        "Audit,person,Audit,assurance,2,4,unaware,neutral,neutral,Ana\n"
    )
    done = import_register(
        services.app,
        "stakeholders",
        write(tmp_path, "s.csv", stakeholders),
        "CTL-1",
        "t",
    )
    assert done.entries == 2
    lessons = (
        "title,observation,recommendation,category,priority,raised_by\n"
        "Vetting,Slow vetting,Vet early,commercial,high,Olivia\n"
        "Bad,x,y,nonsense,high,Olivia\n"
    )
    with pytest.raises(ImportRefusedError, match="line 3: category"):
        import_register(
            services.app, "lessons", write(tmp_path, "l.csv", lessons), "CTL-1", "t"
        )
    caught_up(services)
    rows = register_rows(services, RegisterQuery("stakeholders", here))
    assert {r["name"]: r["quadrant"] for r in rows} == {
        "Works council": "manage-closely",
        "Audit": "keep-satisfied",
    }
    assert register_rows(services, RegisterQuery("lessons", here)) == []

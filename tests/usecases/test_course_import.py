"""CSV import of the training courses: checked row by row, approved when dated."""

from __future__ import annotations

from pathlib import Path

import pytest

from service.domain.register import PORTFOLIO_ID
from service.importer import ImportRefusedError, import_register
from usecases.reads import RegisterQuery, register_rows
from usecases.root import Services

HEADER = "title,provider,level,qualification,for_roles,approved_on,review_by\n"


def test_courses_import_all_or_nothing(services: Services, tmp_path: Path) -> None:
    path = tmp_path / "courses.csv"
    path.write_text(
        HEADER
        + "Scrum basics,Acme,foundation,,Team manager,,\n"
        + "Risk practice,Acme,expert,,Project manager,,\n"
        + "Budgeting,Acme,advanced,CPA,Project officer,2026-01-05,2026-01-01\n"
    )
    head = services.app.head_position()
    with pytest.raises(ImportRefusedError) as caught:
        import_register(services.app, "courses", path, "", "t")
    errors = [str(e) for e in caught.value.errors]
    assert len(errors) == 2 and errors[0].startswith("line 3: level:")
    assert errors[1] == "line 4: review_by: must be after approved_on"
    assert services.app.head_position() == head
    path.write_text(
        HEADER
        + "Scrum basics,Acme,foundation,,Team manager; Project manager,,\n"
        + "Budgeting,Acme,advanced,CPA,Project officer,2026-01-05,2027-01-05\n"
    )
    done = import_register(services.app, "courses", path, "", "t")
    assert done.entries == 2
    services.runner.start()
    assert services.views.wait_for(services.app.head_position(), 30)
    rows = register_rows(services, RegisterQuery("courses", PORTFOLIO_ID))
    assert sorted((r["title"], r["status"], r["for_roles"]) for r in rows) == [
        ("Budgeting", "approved", ["Project officer"]),
        ("Scrum basics", "proposed", ["Team manager", "Project manager"]),
    ]

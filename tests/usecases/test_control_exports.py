"""Every control register exported as CSV and XLSX, now and as at a moment: the
exported rows are the register's rows, cell for cell."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from uuid import UUID
from xml.etree import ElementTree

from service.domain.base import Meta
from service.importer import import_register
from tests.usecases.test_control_as_of import CONTROL
from tests.usecases.test_control_transfer import GOOD, seeded
from tests.usecases.test_value_import import META, caught_up, write
from usecases.exports import ExportRegister, export_register, register_columns
from usecases.reads import RegisterQuery, register_rows
from usecases.root import Services

MORE = {
    "stakeholders": (
        "name,kind,organisation,role,interest,influence,current_engagement,"
        "desired_engagement,attitude,owner\n"
        "Audit,person,Audit,assurance,2,4,unaware,neutral,neutral,Ana\n"
    ),
    "lessons": (
        "title,observation,recommendation,category,priority,raised_by\n"
        "Vetting,Slow vetting,Vet early,commercial,high,Olivia\n"
    ),
    "contracts": (
        "title,supplier,reference,scope,value,currency,starts_on,ends_on,owner,"
        "risk_ids\n"
        "Hosting,Acme,C-1,hosting,1200.50,EUR,2026-01-01,2026-12-31,Lee,{risk}\n"
    ),
}
RETIRING = Meta("setup", "pmo-head", "left the project")
SHEET = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"


def text(value: Any) -> str:
    """A value as an exported cell shows it."""
    if value is None:
        return ""
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False, default=str)
    return str(value)


def exported(services: Services, kind: str, fmt: str, pid: UUID, when: Any) -> list:
    """The rows of the register's export, header first, each a list of cells."""
    done = export_register(services, ExportRegister(pid, kind, fmt, when), META)
    if fmt == "csv":
        return list(csv.reader(io.StringIO("".join(done.chunks))))  # type: ignore[arg-type]
    book = b"".join(done.chunks)  # type: ignore[arg-type]
    with zipfile.ZipFile(io.BytesIO(book)) as xlsx:
        part = xlsx.read("xl/worksheets/sheet1.xml")
    sheet = ElementTree.fromstring(part)  # noqa: S314 (the file this test exported)
    return [
        [cell.text or "" for cell in row.iter(f"{SHEET}t")]
        for row in sheet.iter(f"{SHEET}row")
    ]


def import_all(services: Services, tmp_path: Path, ids: dict[str, str]) -> None:
    """Two (or one) rows into each control register of the project CTL-1."""
    for kind, rows in (GOOD | MORE).items():
        path = write(tmp_path, f"{kind}.csv", rows.format(**ids))
        import_register(services.app, kind, path, "CTL-1", "t")


def test_each_control_register_exports_its_rows_now_and_as_at(
    services: Services, tmp_path: Path
) -> None:
    ids = seeded(services)
    pid = UUID(ids["project"])
    import_all(services, tmp_path, ids)
    caught_up(services)
    moment = datetime.now(UTC)
    import_all(services, tmp_path, ids)
    retired = services.app.perform(
        "retire_stakeholder", UUID(ids["stakeholder"]), {}, RETIRING
    )
    assert services.views.wait_for(retired.position, 30)
    sizes: dict[tuple[str, object], int] = {}
    for kind in CONTROL:
        columns = list(register_columns(kind))
        for when in (None, moment):
            rows = register_rows(services, RegisterQuery(kind, pid, when))
            expected = sorted([text(row[c]) for c in columns] for row in rows)
            for fmt in ("csv", "xlsx"):
                header, *cells = exported(services, kind, fmt, pid, when)
                assert header == columns, (kind, fmt)
                assert sorted(cells) == expected, (kind, fmt, when)
            sizes[kind, when] = len(expected)
    assert all(sizes[kind, moment] > 0 for kind in CONTROL)
    assert all(sizes[kind, None] > sizes[kind, moment] for kind in CONTROL)
    status = register_columns("stakeholders").index("status")
    then = exported(services, "stakeholders", "csv", pid, moment)
    now = exported(services, "stakeholders", "csv", pid, None)
    assert {row[0]: row[status] for row in then[1:]}[ids["stakeholder"]] == "active"
    assert {row[0]: row[status] for row in now[1:]}[ids["stakeholder"]] == "retired"

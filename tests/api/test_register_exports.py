"""Register exports over HTTP: CSV and XLSX, as at a moment, recorded as exports."""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from api import create_app, exports
from service.config import Settings
from tests.api.conftest import RISK, Api, issue_tokens
from usecases.root import build_services


@pytest.fixture
def live(settings: Settings) -> Iterator[Api]:
    services = build_services(settings)
    services.runner.start()
    yield Api(create_app(services=services), issue_tokens(services))
    services.close()


def test_csv_and_xlsx_exports_show_the_register_as_at(live: Api) -> None:
    pid = live.project()
    first = live.risk(pid)
    live.post(f"/projects/{pid}/risks", RISK | {"title": 'Say "<hi>", then'})
    assert live.services.views.wait_for(live.head(), 10)
    moment = datetime.now(UTC).isoformat()
    closed = live.post(f"/risks/{first}/close").json["position"]
    assert live.services.views.wait_for(closed, 10)

    now = live.get(f"/projects/{pid}/risks.csv")
    assert now.status_code == 200 and now.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(now.data.decode())))
    assert {r["title"]: r["status"] for r in rows} == {
        RISK["title"]: "closed",
        'Say "<hi>", then': "open",
    }
    then = live.get(f"/projects/{pid}/risks.csv", query_string={"as_of": moment})
    earlier = list(csv.DictReader(io.StringIO(then.data.decode())))
    assert {r["status"] for r in earlier} == {"open"}

    book = live.get(f"/projects/{pid}/risks.xlsx")
    assert book.status_code == 200
    with zipfile.ZipFile(io.BytesIO(book.data)) as xlsx:
        sheet = xlsx.read("xl/worksheets/sheet1.xml").decode()
    assert "Say &#34;&lt;hi&gt;&#34;, then" in sheet or "Say &quot;" in sheet


def test_exports_are_recorded_and_refusals_write_nothing(live: Api) -> None:
    pid = live.project()
    before = live.head()
    assert (
        live.get(f"/projects/{pid}/issues.csv", role="contributor").status_code == 200
    )
    assert live.head() == before + 1
    assert live.get(f"/projects/{pid}/issues.csv", role=None).status_code == 401
    bad = live.get(f"/projects/{pid}/risks.csv", query_string={"as_of": "yesterday"})
    assert bad.status_code == 422 and "as_of" in bad.json["errors"]
    assert live.get(f"/projects/{pid}/gadgets.csv").status_code == 404  # no register
    assert live.get(f"/projects/{pid}/risks.pdf").status_code == 404
    unknown = "00000000-0000-4000-8000-000000000000"
    assert live.get(f"/projects/{unknown}/risks.csv").status_code == 404
    assert live.head() == before + 1


def test_xlsx_is_written_row_by_row_and_its_file_closed_once_sent() -> None:
    rows = ({"n": n, "text": f"<{n}> & more"} for n in range(3000))
    file = exports.xlsx_file("big register", ("n", "text"), rows)
    data = b"".join(exports.file_chunks(file))
    assert file.closed
    with zipfile.ZipFile(io.BytesIO(data)) as xlsx:
        sheet = xlsx.read("xl/worksheets/sheet1.xml").decode()
        assert 'name="big register"' in xlsx.read("xl/workbook.xml").decode()
    assert sheet.count("<row ") == 3001
    assert sheet.startswith('<?xml version="1.0" encoding="UTF-8"?><worksheet')
    last = '<row r="3001"><c t="inlineStr"><is><t xml:space="preserve">2999</t>'
    assert last in sheet and "&lt;2999&gt; &amp; more</t>" in sheet
    assert sheet.endswith("</row></sheetData></worksheet>")

"""Export encodings: CSV, NDJSON and a minimal XLSX (one sheet of text cells).

Each works in bounded memory: CSV and NDJSON a row at a time, XLSX through a
temporary file that is streamed and then removed.
"""

from __future__ import annotations

import csv
import io
import json
import re
import tempfile
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from itertools import chain
from typing import IO, Any
from xml.sax.saxutils import escape as _escape

CHUNK = 64 * 1024
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_PARTS = {
    "[Content_Types].xml": (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" '
        'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>'
    ),
    "_rels/.rels": (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
        'relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats'
        '.org/officeDocument/2006/relationships/officeDocument" '
        'Target="xl/workbook.xml"/></Relationships>'
    ),
    "xl/_rels/workbook.xml.rels": (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
        'relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats'
        '.org/officeDocument/2006/relationships/worksheet" '
        'Target="worksheets/sheet1.xml"/></Relationships>'
    ),
}


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?\d+(\.\d+)?")


def spreadsheet_safe(text: str) -> str:
    """A CSV cell a spreadsheet shows as text, never runs as a formula.

    OWASP's advice for CSV injection: a cell starting with = + - @, a tab or
    a carriage return gets a leading apostrophe, which spreadsheets take as
    "this is text" and do not display. A plain number (a negative amount)
    cannot be a formula and is left as it is.
    """
    if text.startswith(FORMULA_STARTS) and not _NUMBER.fullmatch(text):
        return "'" + text
    return text


def _cells(columns: Sequence[str], row: dict[str, Any]) -> list[str]:
    return [spreadsheet_safe(_text(row.get(c))) for c in columns]


def _csv_writer(buffer: io.StringIO) -> Any:
    # Every cell quoted (OWASP): a spreadsheet reading the file with another
    # separator (";" in many locales) cannot split a cell into a new one.
    return csv.writer(buffer, quoting=csv.QUOTE_ALL)


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False, default=str)
    return str(value)


def escape(text: str) -> str:
    """Text for XML content and attributes (as markupsafe escapes it)."""
    return _escape(text, {'"': "&#34;", "'": "&#39;"})


def csv_lines(columns: Sequence[str], rows: Iterable[dict[str, Any]]) -> Iterator[str]:
    """CSV text, a row at a time (constant memory for streamed exports)."""
    buffer = io.StringIO()
    writer = _csv_writer(buffer)
    writer.writerow(columns)
    for row in rows:
        writer.writerow(_cells(columns, row))
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
    yield buffer.getvalue()


def csv_line(columns: Sequence[str], row: dict[str, Any]) -> str:
    """One row as a CSV line (the header is csv_lines's first line)."""
    buffer = io.StringIO()
    _csv_writer(buffer).writerow(_cells(columns, row))
    return buffer.getvalue()


def ndjson_line(row: dict[str, Any]) -> str:
    """One row as a line of NDJSON."""
    return json.dumps(row, default=str, sort_keys=True) + "\n"


def ndjson_lines(rows: Iterable[dict[str, Any]]) -> Iterator[str]:
    """One JSON object per line."""
    for row in rows:
        yield ndjson_line(row)


def xlsx_file(
    sheet: str, columns: Sequence[str], rows: Iterable[dict[str, Any]]
) -> IO[bytes]:
    """A one-sheet workbook with a header row; every cell is an inline string.

    Written a row at a time into an anonymous temporary file (removed when
    closed), so memory stays bounded whatever the register's size.
    """
    main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    workbook = (
        f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{main}" '
        f'xmlns:r="{rel}"><sheets><sheet name="{escape(sheet[:31])}" sheetId="1" '
        'r:id="rId1"/></sheets></workbook>'
    )
    lines = chain(
        [[str(c) for c in columns]],
        ([_text(row.get(c)) for c in columns] for row in rows),
    )
    out = tempfile.TemporaryFile()  # noqa: SIM115 (returned open, to be streamed)
    try:
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
            for name, text in _PARTS.items():
                archive.writestr(name, text)
            archive.writestr("xl/workbook.xml", workbook)
            with archive.open(
                "xl/worksheets/sheet1.xml", "w", force_zip64=True
            ) as part:
                part.write(
                    f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{main}">'
                    "<sheetData>".encode()
                )
                for r, line in enumerate(lines, start=1):
                    part.write(_row(r, line).encode())
                part.write(b"</sheetData></worksheet>")
        out.seek(0)
    except BaseException:
        out.close()
        raise
    return out


def _row(number: int, values: Sequence[str]) -> str:
    cells = "".join(
        f'<c t="inlineStr"><is><t xml:space="preserve">{escape(v)}</t></is></c>'
        for v in values
    )
    return f'<row r="{number}">{cells}</row>'


def file_chunks(file: IO[bytes]) -> Iterator[bytes]:
    """A file's bytes a chunk at a time; the file is closed once read."""
    with file:
        while chunk := file.read(CHUNK):
            yield chunk

"""Exports over HTTP and the web UI: a recorded export handed over as an attachment.

The encodings live in usecases.formats; the names below stay importable here
for the register exports resource.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from flask import Response, stream_with_context

from api.context import services
from service.domain.base import Meta
from usecases.exports import RecordExport, record_export
from usecases.formats import XLSX_TYPE, csv_lines, file_chunks, xlsx_file

__all__ = ["XLSX_TYPE", "csv_lines", "download", "file_chunks", "xlsx_file"]


def download(filename: str, mimetype: str, chunks: Iterator[Any]) -> Response:
    """An export's content (text or bytes), streamed as a never-cached attachment."""
    response = Response(stream_with_context(chunks), mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "no-store"
    return response


def recorded_download(
    meta: Meta,
    subject: str,
    output_format: str,
    filters: dict[str, Any],
    body: Iterator[str] | Iterator[bytes],
    filename: str,
    mimetype: str,
) -> Response:
    """Record the export as an event (DOMAIN R5), then hand the data over."""
    record_export(services(), RecordExport(subject, output_format, filters), meta)
    return download(filename, mimetype, body)

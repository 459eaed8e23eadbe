"""A report rendered to HTML (Jinja) and to PDF (WeasyPrint), byte for byte repeatable.

The PDF's metadata carries the issue's own moment, never the time of
rendering, so rendering the same report twice gives the same bytes.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import weasyprint
from jinja2 import Environment, FileSystemLoader, select_autoescape

from service.domain.project import RAG_DIMENSIONS
from usecases.report_contents import SECTION_TITLES

_TEMPLATES = Path(__file__).with_name("templates")
_ENV = Environment(
    loader=FileSystemLoader(_TEMPLATES),
    autoescape=select_autoescape(["html"]),
    keep_trailing_newline=True,
)


def render_html(page: dict[str, Any]) -> bytes:
    """The report as a standalone HTML page (UTF-8)."""
    template = _ENV.get_template("issued_report.html")
    return template.render(
        **page, dimensions=RAG_DIMENSIONS, section_titles=SECTION_TITLES
    ).encode("utf-8")


def render_pdf(html: bytes) -> bytes:
    """The HTML page printed to PDF: header on every page, pages numbered."""
    document = weasyprint.HTML(string=html.decode("utf-8"), base_url=str(_TEMPLATES))
    pdf: bytes = document.write_pdf()
    return pdf

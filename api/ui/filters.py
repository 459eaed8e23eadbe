"""Template filters: dates, RAG and score bands shown as words as well as colour."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from flask import Flask
from markupsafe import Markup, escape

from api.ui.charts import band
from api.ui.common import when

RAG_WORDS = {"red": "Red", "amber": "Amber", "green": "Green"}


def moment(value: str | datetime | None) -> Markup:
    """A timestamp to the second in UTC, marked up so a browser can add local time."""
    found = when(value)
    if found is None:
        return Markup("")
    utc = found.astimezone(UTC)
    shown = utc.strftime("%Y-%m-%d %H:%M:%S UTC")
    stamp = utc.isoformat(timespec="microseconds")
    return Markup(f'<time datetime="{stamp}">{shown}</time>')  # noqa: S704 (digits)


def rag(value: str | None) -> Markup:
    """A RAG rating as a coloured badge that also says the colour."""
    if not value:
        return Markup('<span class="rag rag-none">not rated</span>')
    word = RAG_WORDS.get(value, value)
    badge = f'<span class="rag rag-{escape(value)}">{escape(word)}</span>'
    return Markup(badge)  # noqa: S704 (escaped above)


def score(value: int | None) -> Markup:
    """A 1-25 score with its band named."""
    if value is None:
        return Markup("")
    name = band(int(value))
    badge = f'<span class="score band-{name}">{int(value)} <small>{name}</small></span>'
    return Markup(badge)  # noqa: S704 (an integer and a fixed band name)


def shown(value: Any) -> str:
    """Any field value as text (lists and objects as compact JSON)."""
    if value is None:
        return "—"
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False, default=str)
    return str(value)


def register_filters(app: Flask) -> None:
    """Make the filters available to every UI template."""
    app.jinja_env.filters.update(moment=moment, rag=rag, score=score, shown=shown)

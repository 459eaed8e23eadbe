"""What every UI view shares: the blueprint, the services, the caller, dates."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from uuid import UUID

from flask import Blueprint, abort, g, render_template, request

from api.context import services
from api.schemas.base import in_utc
from service.application import Principal
from service.domain.base import Meta
from service.domain.catalogue import portfolio_kinds, project_kinds
from usecases.projects import ProjectQuery, get_project

blueprint = Blueprint(
    "ui",
    __name__,
    template_folder="../templates",
    static_folder="../static/ui",
    static_url_path="/static",
)

DOWNLOADERS = frozenset({"pmo-head", "custodian", "auditor", "project-officer"})
PAGE_SIZES = (25, 50, 100, 200)


def principal() -> Principal:
    """The signed-in caller (set by the session check)."""
    value: Principal = g.principal
    return value


def ui_meta() -> Meta:
    """Metadata for events the UI records on the signed-in person's behalf."""
    caller = principal()
    return Meta(caller.name, caller.role, "via the web UI", g.get("request_id"))


def page(template: str, **context: Any) -> str:
    """Render a UI template with the caller in the context."""
    return render_template(
        f"ui/{template}",
        registers=project_kinds(),
        office_registers=portfolio_kinds(),
        **context,
    )


def project_or_404(
    project_id: UUID | str, as_of: datetime | None = None
) -> dict[str, Any]:
    """A project row from the read model (rows carry ids as text), or a 404 page."""
    return get_project(services(), ProjectQuery(UUID(str(project_id)), as_of))


def parse_moment(text: str | None) -> datetime | None:
    """An "as at" moment from a form: a date (end of that day, UTC) or ISO time."""
    if not text:
        return None
    try:
        if len(text) == 10:
            day = date.fromisoformat(text)
            return datetime.combine(day, time.max, tzinfo=UTC)
        moment = datetime.fromisoformat(text)
    except ValueError:
        abort(400, f"not a date or time: {text}")
    try:
        return in_utc(moment if moment.tzinfo else moment.replace(tzinfo=UTC))
    except ValueError as error:
        abort(400, str(error))


def whole_number(text: str | None) -> int | None:
    """A non-negative integer from a query string (ASCII digits, at most 18)."""
    if text and len(text) <= 18 and text.isascii() and text.isdigit():
        return int(text)
    return None


def page_size() -> int:
    """The page size the query string asks for (50 if none; a 400 page if not one)."""
    text = request.args.get("size")
    if not text:
        return 50
    size = whole_number(text)
    if size not in PAGE_SIZES:
        shown = ", ".join(map(str, PAGE_SIZES))
        abort(400, f"size: must be one of {shown} (rows per page), not {text!r}")
    return size


def parse_uuid(text: str | None) -> UUID | None:
    """A UUID from a query string, or a 400 page when it is not one."""
    if not text:
        return None
    try:
        return UUID(text)
    except ValueError:
        abort(400, f"not an id: {text}")


def when(value: str | datetime | None) -> datetime | None:
    """A timestamp from a read-model row (ISO text) as an aware datetime."""
    if value is None or isinstance(value, datetime):
        return value
    return datetime.fromisoformat(value)


def age_days(value: str | datetime | None, now: datetime | None = None) -> int:
    """Whole days since a timestamp."""
    moment = when(value)
    if moment is None:
        return 0
    return max(0, ((now or datetime.now(UTC)) - moment) // timedelta(days=1))

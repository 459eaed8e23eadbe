"""GET /api/v1/events/stream: the audit trail live, as Server-Sent Events."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

from flask import Response, current_app, request

from api.context import services
from api.errors import ApiError
from api.resources.audit import AuditFilters
from api.resources.common import Blueprint, problems
from usecases.audit import AuditQuery
from usecases.stream import StreamQuery, stream_events

blp = Blueprint("stream", __name__, url_prefix="/api/v1", description="Live stream")
MAX_POSITION = 2**63 - 1
STREAM = {
    "description": "Events as Server-Sent Events (id = position)",
    "content": {
        "text/event-stream": {
            "schema": {
                "type": "object",
                "description": "each event's data: the audit trail's row (JSON)",
            }
        }
    },
}


def _slots() -> threading.BoundedSemaphore:
    """Streams this process may serve at once (each holds a request thread)."""
    slots = current_app.extensions.get("pmo_streams")
    if slots is None:
        slots = threading.BoundedSemaphore(services().feed.stream_limit)
        current_app.extensions["pmo_streams"] = slots
    return slots


def _last_event_id() -> int | None:
    raw = request.headers.get("Last-Event-ID")
    if raw is None or raw == "":
        return None
    if not raw.isdigit() or int(raw) > MAX_POSITION:
        raise ApiError(
            422,
            "Last-Event-ID must be a position (a whole number)",
            errors={"Last-Event-ID": ["not a position"]},
        )
    return int(raw)


@blp.route("/events/stream", methods=["GET"])
@blp.arguments(AuditFilters, location="query")
@blp.doc(responses={"200": STREAM})
@problems(blp, 422, 503)
def event_stream(args: dict[str, Any]) -> Response:
    """Events after Last-Event-ID (or 0) with the audit trail's filters.

    Live (kept open, keep-alives) when the request accepts text/event-stream,
    as EventSource does; otherwise the events stored so far, then the end.
    """
    after = _last_event_id()
    args.pop("min_position", None)
    found = services()
    query = StreamQuery(
        AuditQuery(**args, after_position=after),
        found.feed.stream_keepalive,
        found.feed.stream_max_seconds,
        live="text/event-stream" in request.headers.get("Accept", ""),
    )
    if not query.live:  # a plain GET: what is stored so far, no thread held
        return _event_stream(stream_events(found, query))
    slots = _slots()
    if not slots.acquire(blocking=False):
        raise ApiError(
            503,
            "too many live streams on this server; retry",
            headers={"Retry-After": "5"},
        )
    response = _event_stream(stream_events(found, query))
    # Released when the server closes the response, read to the end or not.
    response.call_on_close(slots.release)
    return response


def _event_stream(frames: Iterator[str]) -> Response:
    response = Response(frames, mimetype="text/event-stream")
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Accel-Buffering"] = "no"
    return response

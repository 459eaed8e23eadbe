"""The live stream: the audit trail from a position on, as Server-Sent Events."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from dataclasses import dataclass, replace

from usecases.audit import AuditQuery, audit_page
from usecases.reads import plain
from usecases.root import Services

POLL_SECONDS = 0.5
PAGE = 200


@dataclass(frozen=True)
class StreamQuery:
    """The audit trail's filters and the last position the client has."""

    audit: AuditQuery
    keepalive: float
    max_seconds: float
    live: bool = True
    """False: the events stored so far, then the stream ends."""


def stream_events(services: Services, query: StreamQuery) -> Iterator[str]:
    """SSE frames: one per event (id = position), comments as keep-alives.

    The stream ends after `max_seconds` so a request thread is never held for
    ever; an EventSource reconnects with Last-Event-ID and misses nothing.
    """
    started = last_sent = time.monotonic()
    cursor = query.audit.after_position or 0
    yield f"retry: 1000\n: from position {cursor}\n\n"
    while time.monotonic() - started < query.max_seconds:
        page = audit_page(
            services, replace(query.audit, after_position=cursor, limit=PAGE)
        )
        for row in page.items:
            cursor = row["position"]
            data = json.dumps(plain(row), separators=(",", ":"))
            yield f"id: {cursor}\nevent: {row['action']}\ndata: {data}\n\n"
            last_sent = time.monotonic()
        if len(page.items) == PAGE:
            continue
        if not query.live:
            return
        if time.monotonic() - last_sent >= query.keepalive:
            yield ": keep-alive\n\n"
            last_sent = time.monotonic()
        time.sleep(POLL_SECONDS)

"""After a crash: who owned an in-flight Idempotency-Key, and what it committed.

A reservation records the process that owns it and the request id its events
carry in their metadata. When a retry finds the key still in flight, the owner
is asked whether it is alive: on this machine exactly (the process id and its
start time, or this process's own list of running requests), on another
machine by a lease. A dead owner either committed its command or did not, and
the store says which: its events carry the request id, after the head position
read when the key was reserved.
"""

from __future__ import annotations

import os
import socket
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from flask import Response, jsonify

from service.app import PmoApplication

# How long a reservation owned on another machine counts as running.
LEASE = timedelta(minutes=15)
COLLECTIONS = {
    "Project": "projects",
    "Risk": "risks",
    "Issue": "issues",
    "ChangeRequest": "changes",
    "Decision": "decisions",
    "Document": "documents",
    "Token": "tokens",
}


def _start_time(pid: int) -> str | None:
    """The process's start time in clock ticks since boot (None if it is gone)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return stat.rsplit(")", 1)[1].split()[19]


def _machine() -> str:
    try:
        boot = Path("/proc/sys/kernel/random/boot_id").read_text().strip()
    except OSError:
        boot = "unknown-boot"
    return f"{socket.gethostname()}|{boot}"


class Owners:
    """This process's identity and its running keyed requests."""

    def __init__(self) -> None:
        self.machine = _machine()
        self.me = f"{self.machine}|{os.getpid()}|{_start_time(os.getpid())}"
        self._running: set[str] = set()
        self._lock = threading.Lock()

    def started(self, request_id: str) -> None:
        """A keyed request of this process began."""
        with self._lock:
            self._running.add(request_id)

    def ended(self, request_id: str) -> None:
        """It ended, its key completed or not."""
        with self._lock:
            self._running.discard(request_id)

    def alive(self, owner: str | None, request_id: str, since: datetime) -> bool:
        """Whether the owner of a reservation may still commit its command."""
        if owner == self.me:
            with self._lock:
                return request_id in self._running
        parts = (owner or "").split("|")
        if len(parts) == 4 and "|".join(parts[:2]) == self.machine:
            pid, started = parts[2], parts[3]
            return pid.isdigit() and _start_time(int(pid)) == started
        moment = since if since.tzinfo else since.replace(tzinfo=UTC)
        return datetime.now(UTC) - moment < LEASE


@dataclass(frozen=True)
class Outcome:
    """What a committed command wrote: its subject entity and the last position.

    `extras` and `location` are what the endpoint adds to its answer, where the
    events tell them (an upload's version number, digest, size and content URL).
    """

    kind: str
    id: str
    version: int
    position: int
    extras: dict[str, Any] = field(default_factory=dict)
    location: str | None = None


def find_outcome(app: PmoApplication, request_id: str, after: int) -> Outcome | None:
    """The events recorded under a request id after a position, if any."""
    plain = app.mapper.cipher is None and app.mapper.compressor is None
    needle = request_id.encode()
    found: list[tuple[Any, int]] = []
    start, head = after + 1, app.head_position()
    while start <= head:
        notifications = app.recorder.select_notifications(start, limit=500, stop=head)
        for notification in notifications:
            if plain and needle not in notification.state:
                continue
            event = app.mapper.to_domain_event(notification)
            if getattr(getattr(event, "meta", None), "request_id", None) == request_id:
                found.append((event, notification.id))
        if not notifications:
            break
        start = notifications[-1].id + 1
    if not found:
        return None
    subject = found[0][0]
    return Outcome(
        kind=type(subject).__qualname__.split(".")[0],
        id=str(subject.originator_id),
        version=max(
            e.originator_version
            for e, _ in found
            if e.originator_id == subject.originator_id
        ),
        position=max(position for _, position in found),
        **_endpoint_extras(subject),
    )


def _endpoint_extras(subject: Any) -> dict[str, Any]:
    """What the endpoint that wrote `subject` adds to its answer."""
    if type(subject).__qualname__ == "Document.VersionSubmitted":
        return {
            "extras": {
                "number": subject.number,
                "sha256": subject.sha256,
                "size": subject.size,
            },
            "location": f"/api/v1/documents/{subject.originator_id}"
            f"/versions/{subject.number}/content",
        }
    return {}


def recovered_response(outcome: Outcome, status: int) -> Response:
    """The answer a committed command gives: id, version, position, Location."""
    response = jsonify(
        id=outcome.id,
        version=outcome.version,
        position=outcome.position,
        **outcome.extras,
    )
    response.status_code = status
    collection = COLLECTIONS.get(outcome.kind)
    if outcome.location:
        response.headers["Location"] = outcome.location
    elif collection:
        response.headers["Location"] = f"/api/v1/{collection}/{outcome.id}"
    response.headers["ETag"] = f'"{outcome.version}"'
    return response

"""A webhook receiver that verifies every request with the standardwebhooks package."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from standardwebhooks.webhooks import Webhook


@dataclass(frozen=True)
class Received:
    """One verified delivery: its webhook-id and payload."""

    webhook_id: str
    payload: dict[str, Any]
    accepted: bool

    @property
    def position(self) -> int:
        """The event's global position."""
        return int(self.payload["data"]["position"])


class Receiver:
    """Listens on a loopback port; `answer` decides each response's status."""

    def __init__(self, port: int = 0) -> None:
        self.secrets: dict[str, str] = {}
        """Secret by URL path (one path per subscription)."""
        self.received: dict[str, list[Received]] = {}
        self.refused_signatures = 0
        self.answer: Callable[[str, Received], int] = lambda _path, _got: 204
        self.lock = threading.Lock()
        self.changed = threading.Condition(self.lock)
        self.server: ThreadingHTTPServer | None = None
        self.port = port
        self.start()

    def url(self, path: str) -> str:
        """The target URL of a path on this receiver."""
        return f"http://127.0.0.1:{self.port}{path}"

    def start(self) -> None:
        """Listen (again, on the same port once it had one)."""
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                receiver.handle(self)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        """Stop listening: connections are refused until start()."""
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
            self.server = None

    def handle(self, request: BaseHTTPRequestHandler) -> None:
        """Verify the signature, record the delivery, answer."""
        body = request.rfile.read(int(request.headers["Content-Length"]))
        secret = self.secrets.get(request.path)
        try:
            assert secret is not None
            payload = Webhook(secret).verify(body, dict(request.headers.items()))
        except Exception:
            with self.lock:
                self.refused_signatures += 1
            request.send_response(401)
            request.end_headers()
            return
        got = Received(request.headers["webhook-id"], payload, accepted=False)
        status = self.answer(request.path, got)
        got = Received(got.webhook_id, json.loads(body), 200 <= status < 300)
        with self.changed:
            self.received.setdefault(request.path, []).append(got)
            self.changed.notify_all()
        request.send_response(status)
        request.send_header("Content-Length", "0")
        request.end_headers()

    def accepted(self, path: str) -> list[Received]:
        """The deliveries answered 2xx on a path, in arrival order."""
        with self.lock:
            return [r for r in self.received.get(path, []) if r.accepted]

    def wait_for(
        self, path: str, positions: set[int], timeout: float = 120
    ) -> list[Received]:
        """Wait until every position has been accepted on the path."""
        with self.changed:
            done = self.changed.wait_for(
                lambda: (
                    positions
                    <= {r.position for r in self.received.get(path, []) if r.accepted}
                ),
                timeout,
            )
        got = self.accepted(path)
        assert done, sorted(positions - {r.position for r in got})[:20]
        return got

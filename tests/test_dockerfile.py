"""The Dockerfile's health check follows the port, and HOME is not in the volume."""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import pytest

DOCKERFILE = (Path(__file__).parent.parent / "Dockerfile").read_text()


def healthcheck() -> list[str]:
    """The HEALTHCHECK's CMD, as the exec form Docker runs."""
    joined = DOCKERFILE.replace("\\\n", " ")
    match = re.search(r"^HEALTHCHECK .*? CMD (\[.*\])$", joined, re.MULTILINE)
    assert match, "no HEALTHCHECK with an exec-form CMD"
    return list(json.loads(match.group(1)))


class Healthy(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        self.send_response(200 if self.path == "/healthz" else 404)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        """Quiet."""


@pytest.fixture
def server() -> Iterator[int]:
    """A /healthz on a free loopback port; its port."""
    httpd = HTTPServer(("127.0.0.1", 0), Healthy)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield httpd.server_address[1]
    httpd.shutdown()
    httpd.server_close()


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def run_probe(port: int) -> int:
    command = [sys.executable if c == "python" else c for c in healthcheck()]
    env = os.environ | {"PMO_LEDGER_PORT": str(port)}
    return subprocess.run(command, env=env, capture_output=True).returncode


def test_the_health_check_asks_the_port_the_server_listens_on(server: int) -> None:
    assert run_probe(server) == 0
    assert run_probe(closed_port()) != 0


def test_home_is_outside_the_data_volume() -> None:
    volume = re.search(r'^VOLUME \["([^"]+)"\]', DOCKERFILE, re.MULTILINE)
    home = re.search(r"^ENV HOME=(\S+)", DOCKERFILE, re.MULTILINE)
    assert volume and home
    assert not Path(home.group(1)).is_relative_to(volume.group(1))
    assert f"--home-dir {home.group(1)}" in DOCKERFILE

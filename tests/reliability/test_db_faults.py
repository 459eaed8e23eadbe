"""Database faults: PostgreSQL restarted under load, SQLite locked, the disk full."""

from __future__ import annotations

import errno
import http.client
import json
import os
import sqlite3
import subprocess
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

import pytest

from tests.reliability.conftest import (
    FULL,
    Client,
    Server,
    new_document,
    new_project,
    raw_post,
    risk_body,
    start_server,
)

PG_CLUSTER = ["pg_ctlcluster", "--skip-systemctl-redirect"]
# Restarting PostgreSQL cuts every other test's connections: run alone.
pytestmark = pytest.mark.serial


def pg_version() -> str:
    """The one PostgreSQL cluster version installed here."""
    (version,) = os.listdir("/etc/postgresql")
    return version


def pg_ready() -> bool:
    """pg_isready on the test server."""
    probe = ["pg_isready", "-h", "127.0.0.1", "-p", "5432", "-t", "1"]
    return subprocess.run(probe, capture_output=True, check=False).returncode == 0


def wait_pg_ready(timeout: float = 60) -> None:
    """Wait until PostgreSQL accepts connections again."""
    deadline = time.monotonic() + timeout
    while not pg_ready():
        assert time.monotonic() < deadline, "PostgreSQL did not come back"
        time.sleep(0.2)


@contextmanager
def postgres_restored() -> Iterator[None]:
    """Whatever happens inside, PostgreSQL is up again afterwards."""
    try:
        yield
    finally:
        if not pg_ready():
            subprocess.run([*PG_CLUSTER, pg_version(), "main", "start"], check=False)
        wait_pg_ready()


def problem_or_ok(status: int, headers: dict[str, str], data: bytes) -> str:
    """'' for a clean answer (2xx, or 503 problem+json with Retry-After), else why."""
    if 200 <= status < 300:
        return ""
    if status != 503:
        return f"{status}: {data[:300]!r}"
    if headers.get("Content-Type") != "application/problem+json":
        return f"503 without problem+json: {headers}"
    if "Retry-After" not in headers or json.loads(data)["status"] != 503:
        return f"503 without Retry-After: {headers}"
    return ""


def test_postgres_restart_under_load_fails_cleanly_and_recovers(
    tmp_path: Path,
) -> None:
    with ExitStack() as stack, postgres_restored():
        server = start_server(stack, "postgres", tmp_path)
        client = server.client
        project = new_project(client, "PGDOWN")
        stop = threading.Event()
        seen: Counter[int] = Counter()
        unclean: list[str] = []
        acked: list[str] = []
        ambiguous: list[str] = []

        def load(n: int) -> None:
            i = 0
            while not stop.is_set():
                i += 1
                headers = {"Idempotency-Key": f"w{n}-{i}"} if n % 2 else {}
                try:
                    status, got, data = client.request(
                        "POST",
                        f"/api/v1/projects/{project}/risks",
                        json.dumps(risk_body(f"load {n}-{i}")).encode(),
                        {"Content-Type": "application/json", **headers},
                    )
                except (OSError, http.client.HTTPException) as error:
                    unclean.append(f"connection: {error!r}")
                    continue
                seen[status] += 1
                if status == 409 and b"concurrent request" in data:
                    # Known issue (docs/reliability.md): the store's driver retried
                    # a commit whose answer the restart cut off; the write may stand.
                    ambiguous.append(f"load {n}-{i}")
                elif why := problem_or_ok(status, got, data):
                    unclean.append(why)
                elif status == 201:
                    acked.append(json.loads(data)["id"])
                time.sleep(0.01)

        threads = [threading.Thread(target=load, args=(n,)) for n in range(8)]
        for thread in threads:
            thread.start()
        try:
            for _ in range(3 if FULL else 1):
                time.sleep(1.0)
                subprocess.run(
                    [*PG_CLUSTER, pg_version(), "main", "restart"],
                    check=True,
                    capture_output=True,
                )
                wait_pg_ready()
            time.sleep(2.0)
        finally:
            stop.set()
            for thread in threads:
                thread.join(timeout=120)
        assert not unclean, Counter(unclean).most_common(5)
        assert seen[201] > 0, seen
        recovered = recover_within(client, project, 30)
        server.wait_caught_up(timeout=60)  # the processors reconnected by themselves
        rows = all_rows(client, f"/projects/{project}/risks")
        assert {row["id"] for row in rows} >= set(acked)
        stored_anyway = {row["title"] for row in rows} & set(ambiguous)
        print(
            f"\npostgres restart: {dict(seen)}, recovered in {recovered:.1f}s, "
            f"{len(stored_anyway)} of {len(ambiguous)} 409s were in fact stored"
        )


def all_rows(client: Client, path: str) -> list[Any]:
    """Every row of a register, page by page."""
    rows: list[Any] = []
    after = None
    while True:
        query = f"?limit=200&after={after}" if after else "?limit=200"
        page = client.ok("GET", path + query)
        rows.extend(page["items"])
        if (after := page["next_cursor"]) is None:
            return rows


def recover_within(client: Client, project: str, seconds: float) -> float:
    """Seconds until a write succeeds again, without restarting the server."""
    began = time.monotonic()
    while True:
        status, _, data = client.json(
            "POST", f"/projects/{project}/risks", risk_body("after")
        )
        if status == 201:
            return time.monotonic() - began
        assert status == 503, data
        assert time.monotonic() - began < seconds, "no recovery"
        time.sleep(0.5)


def head(server: Server) -> int:
    """The event store's head position."""
    return int(json.loads(server.client.request("GET", "/readyz")[2])["position"])


def test_sqlite_locked_by_another_process_is_a_clean_503(live_sqlite: Server) -> None:
    server = live_sqlite
    project = new_project(server.client, "LOCKED")
    before = head(server)
    holder = sqlite3.connect(server.data_dir / "events.db", isolation_level=None)
    try:
        holder.execute("BEGIN EXCLUSIVE")
        status, got, data = server.client.request(
            "POST",
            f"/api/v1/projects/{project}/risks",
            json.dumps(risk_body("while locked")).encode(),
            {"Content-Type": "application/json"},
        )
        assert problem_or_ok(status, got, data) == "" and status == 503, data
        holder.execute("ROLLBACK")
    finally:
        holder.close()
    assert head(server) == before  # nothing partial
    assert (
        server.client.json("POST", f"/projects/{project}/risks", risk_body())[0] == 201
    )


@pytest.fixture
def live_sqlite(tmp_path: Path) -> Iterator[Server]:
    """A fresh SQLite server."""
    with ExitStack() as stack:
        yield start_server(stack, "sqlite", tmp_path)


@contextmanager
def small_disk(path: Path, size: str) -> Iterator[Path]:
    """A tmpfs of the given size mounted at path (root only), unmounted after."""
    path.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(path)],
        capture_output=True,
        check=False,
    )
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr!r}")
    try:
        yield path
    finally:
        subprocess.run(["umount", "-l", str(path)], check=False)


def files_under(path: Path) -> dict[str, int]:
    """Every regular file under path with its size."""
    return {
        str(p.relative_to(path)): p.stat().st_size
        for p in path.rglob("*")
        if p.is_file()
    }


def fill_to_the_last_byte(filler: Path) -> None:
    """Fill what is left of a disk; unbuffered, so closing has nothing to flush."""
    fd = os.open(filler, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        block = b"\0" * 65536
        while True:
            try:
                written = os.write(fd, block)
            except OSError as error:
                if error.errno != errno.ENOSPC:
                    raise
                if len(block) == 1:
                    return
                block = block[: len(block) // 2]
                continue
            if written == 0:
                return
    finally:
        os.close(fd)


def test_disk_full_is_a_clear_error_and_writes_nothing(tmp_path: Path) -> None:
    with ExitStack() as stack:
        disk = stack.enter_context(small_disk(tmp_path / "disk", "24m"))
        server = start_server(stack, "sqlite", tmp_path, data_dir=disk / "data")
        client = server.client
        project = new_project(client, "FULL")
        document = new_document(client, project)
        blobs_before = files_under(server.data_dir / "blobs")
        before = head(server)
        big = os.urandom(40 * 1024 * 1024)  # more than the whole disk
        answer = raw_post(
            server.port,
            f"/api/v1/documents/{document}/versions",
            big,
            {
                "Authorization": f"Bearer {client.token}",
                "Content-Type": "application/octet-stream",
                "Content-Length": str(len(big)),
                "X-Filename": "big.bin",
            },
        )
        assert answer is not None, "no answer to an upload that fills the disk"
        status, got, data = answer
        assert 400 <= status < 600 and status != 500, (status, data)
        assert got["Content-Type"] == "application/problem+json"
        assert head(server) == before
        assert files_under(server.data_dir / "blobs") == blobs_before  # no partial blob
        filler = disk / "filler"
        fill_to_the_last_byte(filler)
        statuses = Counter()
        for n in range(5):
            status, got, data = client.request(
                "POST",
                f"/api/v1/projects/{project}/risks",
                json.dumps(risk_body(f"full {n}")).encode(),
                {"Content-Type": "application/json"},
            )
            statuses[status] += 1
            assert status != 500 and (status < 300 or "problem" in got["Content-Type"])
        filler.unlink()
        assert client.json("POST", f"/projects/{project}/risks", risk_body())[0] == 201
        server.wait_caught_up()
        print(f"\ndisk full: upload {40} MiB refused, risk writes {dict(statuses)}")

"""A data directory that cannot be written: one line at startup, 503 and /readyz."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from api import create_app
from service.config import Settings
from tests.api.conftest import Api, issue_tokens
from tests.api.test_documents import upload
from usecases.root import build_services


@pytest.fixture
def mount(tmp_path: Path) -> Iterator[Path]:
    """A small tmpfs of our own, to be remounted read-only (root only)."""
    point = tmp_path / "mnt"
    point.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=16m", "tmpfs", str(point)],
        capture_output=True,
    )
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.decode().strip()}")
    try:
        yield point
    finally:
        subprocess.run(["umount", "-l", str(point)], check=True)


def remount(point: Path, mode: str) -> None:
    subprocess.run(["mount", "-o", f"remount,{mode}", str(point)], check=True)


def sqlite_settings(data_dir: Path) -> Settings:
    return Settings(data_dir=data_dir, database_url=f"sqlite:///{data_dir}/events.db")


def test_a_store_turned_read_only_fails_readyz_and_writes_with_the_cause(
    mount: Path, caplog: pytest.LogCaptureFixture
) -> None:
    services = build_services(sqlite_settings(mount / "data"))
    try:
        api = Api(create_app(services=services), issue_tokens(services))
        assert api.client.get("/readyz").status_code == 200
        document = api.document(api.project())
        head = services.app.head_position()
        # Files open for writing keep a tmpfs from being remounted read-only; a
        # read-only bind mount of it over itself refuses every open for writing.
        subprocess.run(["mount", "--bind", str(mount), str(mount)], check=True)
        try:
            remount(mount, "bind,ro")
            ready = api.client.get("/readyz")
            assert ready.status_code == 503
            assert "not writable: Read-only file system" in ready.json["detail"]
            with caplog.at_level(logging.INFO):
                refused = upload(api, document, b"%PDF-1.4 minutes")
            assert refused.status_code == 503, refused.json
            assert refused.content_type == "application/problem+json"
            warned = [r.getMessage() for r in caplog.records if "503" in r.getMessage()]
            assert warned and "Read-only file system" in warned[0], warned
            assert services.app.head_position() == head
        finally:
            subprocess.run(["umount", str(mount)], check=True)
        assert upload(api, document, b"%PDF-1.4 minutes").status_code == 201
        assert api.client.get("/readyz").status_code == 200
    finally:
        services.close()


def test_an_unwritable_data_dir_is_one_line_at_startup(mount: Path) -> None:
    remount(mount, "ro")
    env = os.environ | {
        "PMO_LEDGER_DATA_DIR": str(mount / "data"),
        "PMO_LEDGER_DATABASE_URL": f"sqlite:///{mount}/data/events.db",
    }
    done = subprocess.run(
        [sys.executable, "-m", "api.cli", "serve"],
        env=env,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 1
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert "data directory" in lines[0] and "Read-only file system" in lines[0]

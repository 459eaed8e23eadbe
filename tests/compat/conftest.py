"""The store written by release 0.1, copied for each test."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

FIXTURE = Path(__file__).parent.parent / "fixtures" / "store-0.1"


@pytest.fixture
def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A copy of the recorded data dir, the environment pointing at it."""
    data_dir = tmp_path / "data"
    shutil.copytree(FIXTURE, data_dir)
    monkeypatch.setenv("PMO_LEDGER_DATA_DIR", str(data_dir))
    monkeypatch.delenv("PMO_LEDGER_DATABASE_URL", raising=False)
    monkeypatch.delenv("PMO_LEDGER_SIGNING_KEY", raising=False)
    yield data_dir

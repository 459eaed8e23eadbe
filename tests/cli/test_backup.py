"""`pmo-ledger backup` and `restore`: a round trip verified against its checkpoint."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from api.cli import main
from service.config import Settings
from service.domain.base import Meta
from service.domain.stakeholder import Stakeholder
from tests.privacy.conftest import STAKEHOLDER
from tests.projections.conftest import workload
from usecases import backup as backups
from usecases.root import Services, build_services


@pytest.fixture
def services(settings: Settings) -> Iterator[Services]:
    """The store backed up, closed however the test ends."""
    built = build_services(settings)
    yield built
    built.close()


def env_for(settings: Settings) -> dict[str, str]:
    return {
        "PMO_LEDGER_DATA_DIR": str(settings.data_dir),
        "PMO_LEDGER_DATABASE_URL": settings.database_url,
    }


META = Meta("pat", "pmo-head", "backup test", "r1")


def sqlite_settings(data_dir: Path) -> Settings:
    return Settings(data_dir=data_dir, database_url=f"sqlite:///{data_dir}/events.db")


class Interrupting:
    """A progress port that stops the work, as Ctrl-C would, at the nth advance."""

    def __init__(self, after: int) -> None:
        self.left = after

    def begin(self, label: str, length: int) -> None:
        """Nothing to draw."""

    def advance(self, count: int) -> None:
        """Count down, then interrupt."""
        self.left -= 1
        if self.left < 0:
            raise KeyboardInterrupt

    def end(self) -> None:
        """Nothing to draw."""


@pytest.mark.parametrize("backend", ["sqlite"])
def test_round_trip_restores_a_store_that_verifies_against_the_checkpoint(
    settings: Settings, services: Services, tmp_path: Path
) -> None:
    workload(services.app, 120)
    project = services.app.register_project("KEPT", "k", "", "Sam", "Max", META).id
    person = STAKEHOLDER | {"name": "Kept Person", "email": "kept@example.org"}
    sealed = services.app.perform("identify_stakeholder", project, person, META).id
    head = services.app.head_position()
    runner = CliRunner()
    taken = runner.invoke(main, ["backup", str(tmp_path / "b")], env=env_for(settings))
    assert taken.exit_code == 0, taken.output
    manifest = json.loads((tmp_path / "b" / "backup.json").read_text())
    assert manifest["checkpoint_size"] is not None and manifest["position"] >= head
    assert not (tmp_path / "b" / "signing-key.pem").exists()
    assert manifest["keys"]["kind"] == "file" and manifest["keys"]["public"]

    target = sqlite_settings(tmp_path / "restored")
    back = runner.invoke(main, ["restore", str(tmp_path / "b")], env=env_for(target))
    assert back.exit_code == 0, back.output
    assert "verified against the checkpoint" in back.output
    restored = build_services(target)
    try:
        assert restored.app.head_position() == manifest["position"]
        # The keys came too: the sealed name still opens.
        assert restored.app.load(Stakeholder, sealed).name == "Kept Person"  # type: ignore[attr-defined]
    finally:
        restored.close()


@pytest.mark.parametrize("backend", ["sqlite"])
def test_a_tampered_backup_restores_nothing(
    settings: Settings, services: Services, tmp_path: Path
) -> None:
    workload(services.app, 60)
    backups.back_up(services, backups.BackUp(tmp_path / "b"), Interrupting(10**9))
    copy = tmp_path / "b" / "events.db"
    with sqlite3.connect(copy) as conn:
        conn.execute(
            "UPDATE stored_events SET state = CAST(replace(state, 'a', 'b') AS BLOB) "
            "WHERE rowid = 3"
        )
    conn.close()
    manifest_path = tmp_path / "b" / "backup.json"
    # First the digests catch it; recomputed by a forger, the checkpoint does.
    target = sqlite_settings(tmp_path / "restored")
    with pytest.raises(backups.BackupError, match="changed since the backup"):
        backups.restore(target, backups.Restore(tmp_path / "b"), Interrupting(10**9))
    manifest = json.loads(manifest_path.read_text())
    manifest["files"]["events.db"] = backups._sha256(copy)
    manifest_path.write_text(json.dumps(manifest))
    with pytest.raises(backups.BackupError, match="failed verification"):
        backups.restore(target, backups.Restore(tmp_path / "b"), Interrupting(10**9))
    assert not (target.data_dir / "events.db").exists()
    assert not (target.data_dir / "views.db").exists()


@pytest.mark.parametrize("backend", ["sqlite"])
def test_an_interrupted_backup_or_restore_leaves_nothing(
    settings: Settings, services: Services, tmp_path: Path
) -> None:
    workload(services.app, 60)
    with pytest.raises(KeyboardInterrupt):
        backups.back_up(services, backups.BackUp(tmp_path / "b"), Interrupting(1))
    assert list(tmp_path.glob("*b*")) == []
    backups.back_up(services, backups.BackUp(tmp_path / "b"), Interrupting(10**9))
    target = sqlite_settings(tmp_path / "restored")
    with pytest.raises(KeyboardInterrupt):
        backups.restore(target, backups.Restore(tmp_path / "b"), Interrupting(3))
    assert not (target.data_dir / "events.db").exists()
    refused = CliRunner().invoke(
        main, ["backup", str(tmp_path / "b")], env=env_for(settings)
    )
    assert refused.exit_code == 1 and "exists" in refused.output


def test_restore_refuses_a_data_dir_that_holds_a_store(
    services: Services, settings: Settings, tmp_path: Path
) -> None:
    workload(services.app, 30)
    backups.back_up(services, backups.BackUp(tmp_path / "b"), Interrupting(10**9))
    if settings.backend == "sqlite":
        with pytest.raises(backups.BackupError, match="already present"):
            backups.restore(
                settings, backups.Restore(tmp_path / "b"), Interrupting(10**9)
            )
        return
    # PostgreSQL: the operator restores the dump; restore then verifies the
    # database in place against the checkpoint and puts the blobs back.
    guide = (tmp_path / "b" / backups.PG_GUIDE).read_text()
    assert "pg_dump --format=custom" in guide and settings.postgres_schema in guide
    fresh_dir = Settings(
        data_dir=tmp_path / "fresh", database_url=settings.database_url
    )
    restored = backups.restore(
        fresh_dir, backups.Restore(tmp_path / "b"), Interrupting(10**9)
    )
    assert restored.report.ok and restored.checkpoint_size is not None

"""`pmo-ledger projections status|rebuild` on each backend."""

from __future__ import annotations

from click.testing import CliRunner

from api.cli import main
from service.config import Settings
from service.domain.base import Meta
from usecases.root import build_services


def test_rebuild_then_status(settings: Settings) -> None:
    env = {
        "PMO_LEDGER_DATA_DIR": str(settings.data_dir),
        "PMO_LEDGER_DATABASE_URL": settings.database_url,
    }
    services = build_services(settings)
    meta = Meta("olivia", "project-officer")
    project = services.app.register_project("CLI", "C", "", "S", "M", meta).id
    services.app.perform(
        "raise_issue",
        project,
        {
            "issue_type": "problem-concern",
            "title": "t",
            "description": "d",
            "priority": "low",
            "severity": "minor",
        },
        meta,
    )
    head = services.app.head_position()
    services.close()
    runner = CliRunner()
    rebuilt = runner.invoke(main, ["projections", "rebuild", "issues"], env=env)
    assert rebuilt.exit_code == 0, rebuilt.output
    assert "issues: generation 2 is live" in rebuilt.output
    status = runner.invoke(main, ["projections", "status"], env=env)
    assert status.exit_code == 0, status.output
    issues = next(
        line for line in status.output.splitlines() if line.startswith("issues")
    )
    assert issues.split()[1:6] == ["2", str(head), str(head), "0", "live"]
    unknown = runner.invoke(main, ["projections", "rebuild", "nope"], env=env)
    assert unknown.exit_code == 2

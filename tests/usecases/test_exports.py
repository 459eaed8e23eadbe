"""Exports are assembled once: the same pack over HTTP and from the command line."""

from __future__ import annotations

import json
from pathlib import Path
from uuid import UUID

from click.testing import CliRunner

from api import create_app
from api.cli import main
from service.config import Settings
from service.domain.base import Meta
from tests.usecases.conftest import CUSTODIAN
from usecases import exports
from usecases.audit import EventsQuery, entity_events
from usecases.root import Services

HEAD = Meta("setup", "pmo-head")


def env_for(settings: Settings) -> dict[str, str]:
    return {
        "PMO_LEDGER_DATA_DIR": str(settings.data_dir),
        "PMO_LEDGER_DATABASE_URL": settings.database_url,
    }


def recorded_exports(services: Services) -> list[dict[str, object]]:
    """The filters of every Export event, oldest first."""
    found = exports.export_audit(
        services, exports.ExportAudit("ndjson", catch_up=True), CUSTODIAN
    )
    rows = [json.loads(text) for _, text in found.lines]
    return [row["data"] for row in rows if row["entity_type"] == "Export"]


def test_the_evidence_pack_is_the_same_bytes_over_http_and_the_cli(
    services: Services,
    settings: Settings,
    project_id: UUID,
    document_id: UUID,
    tmp_path: Path,
) -> None:
    secret = services.app.issue_token("aud", "auditor", HEAD).secret
    services.ledger_worker.sign_now()
    client = create_app(services=services).test_client()
    over_http = client.get(
        f"/api/v1/projects/{project_id}/evidence",
        headers={"Authorization": f"Bearer {secret}"},
    )
    assert over_http.status_code == 200, over_http.get_json()

    output = tmp_path / "pack.zip"
    result = CliRunner().invoke(
        main, ["export", "evidence", "UC-1", "-o", str(output)], env=env_for(settings)
    )
    assert result.exit_code == 0, result.output
    assert output.read_bytes() == over_http.data

    recorded = recorded_exports(services)
    assert [r["subject"] for r in recorded] == ["evidence", "evidence"]
    size = over_http.headers["X-Ledger-Tree-Size"]
    assert [r["filters"] for r in recorded] == [
        {"project_id": str(project_id), "tree_size": size},
        {"project_id": str(project_id), "tree_size": size, "file": str(output)},
    ]


def test_an_audit_export_is_recorded_before_it_is_read(
    services: Services, project_id: UUID
) -> None:
    head = services.app.head_position()
    command = exports.ExportAudit("csv", project_id=project_id, catch_up=True)
    found = exports.export_audit(services, command, CUSTODIAN)
    assert services.app.head_position() == head + 1
    assert found.header.startswith('"position","recorded_at","actor"')
    assert [position for position, _ in found.lines] == [1, 2]
    assert found.media_type == "text/csv" and found.filename == "audit.csv"
    events = entity_events(services, EventsQuery(project_id))
    assert [e["action"] for e in events] == ["Project.Registered"]

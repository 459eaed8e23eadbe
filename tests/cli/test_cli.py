"""The command line: tokens, demo and serve, on each backend."""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from click.testing import CliRunner

from api.cli import main
from service.config import Settings
from service.domain.export import Export
from service.errors import AuthenticationError
from usecases.library import LibraryQuery, library
from usecases.membership import TOP_CLEARANCE, Reach
from usecases.root import build_services


def env_for(settings: Settings) -> dict[str, str]:
    return {
        "PMO_LEDGER_DATA_DIR": str(settings.data_dir),
        "PMO_LEDGER_DATABASE_URL": settings.database_url,
    }


def test_tokens_issue_list_revoke(settings: Settings) -> None:
    runner = CliRunner()
    env = env_for(settings)
    issued = runner.invoke(
        main, ["tokens", "issue", "alice", "--role", "auditor"], env=env
    )
    assert issued.exit_code == 0, issued.output
    secret = issued.stdout.strip().splitlines()[-1]
    token_id = re.search(r"token id: (\S+)", issued.stderr).group(1)  # type: ignore[union-attr]
    listed = runner.invoke(main, ["tokens", "list"], env=env)
    assert token_id in listed.stdout and "auditor" in listed.stdout
    assert secret not in listed.stdout
    services = build_services(settings)
    try:
        assert services.app.authenticate(secret).role == "auditor"
        revoked = runner.invoke(main, ["tokens", "revoke", token_id], env=env)
        assert revoked.exit_code == 0, revoked.output
        with pytest.raises(AuthenticationError):
            services.app.authenticate(secret)
    finally:
        services.close()
    again = runner.invoke(main, ["tokens", "revoke", token_id], env=env)
    assert again.exit_code != 0 and "revoked" in again.output


def test_tokens_issue_refuses_unknown_role(settings: Settings) -> None:
    result = CliRunner().invoke(
        main, ["tokens", "issue", "bob", "--role", "admin"], env=env_for(settings)
    )
    assert result.exit_code == 2 and "admin" in result.output


def test_demo_loads_a_sample_pmo_once(settings: Settings) -> None:
    runner = CliRunner()
    first = runner.invoke(main, ["demo"], env=env_for(settings))
    assert first.exit_code == 0, first.output
    assert "3 projects" in first.stdout
    value = re.search(
        r"(\d+) budget lines, benefits and resource demands", first.stdout
    )
    assert value is not None and int(value.group(1)) > 20
    events = int(re.search(r"\((\d+) events\)", first.stdout).group(1))  # type: ignore[union-attr]
    assert events > 300
    assert "6 library documents, 15 reports issued" in first.stdout
    second = runner.invoke(main, ["demo"], env=env_for(settings))
    assert "(0 events)" in second.stdout
    services = build_services(settings)
    try:
        services.runner.start()
        head = Reach("pmo-head", {}, TOP_CLEARANCE)
        query = LibraryQuery(head, min_position=services.app.head_position())
        found = library(services, query)
    finally:
        services.close()
    assert [len(found["documents"][k]) for k in found["kinds"]] == [1, 1, 0, 0, 4, 1]
    kinds = sorted(
        (r["code"], r["report_type"], len(r["issues"])) for r in found["reports"]
    )
    codes = sorted({code for code, _, _ in kinds})
    assert kinds == sorted(
        [(c, "highlight", 1) for c in codes for _ in range(4)]
        + [(c, "end-stage", 1) for c in codes]
    )
    assert len(codes) == 3


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for_health(
    port: int, proc: subprocess.Popen[bytes], timeout: float = 30
) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert proc.poll() is None, "server exited early"
        try:
            with urllib.request.urlopen(
                f"http://127.0.0.1:{port}/healthz", timeout=2
            ) as r:
                return json.loads(r.read())
        except OSError:
            time.sleep(0.2)
    raise AssertionError("server did not answer /healthz")


def test_serve_answers_healthz_and_writes_bootstrap_token(settings: Settings) -> None:
    port = free_port()
    env = {**os.environ, **env_for(settings), "PMO_LEDGER_PORT": str(port)}
    env.pop("PMO_LEDGER_BOOTSTRAP_TOKEN", None)
    cli = Path(sys.executable).with_name("pmo-ledger")
    proc = subprocess.Popen([str(cli), "serve"], env=env, stderr=subprocess.PIPE)
    try:
        assert wait_for_health(port, proc) == {"status": "ok"}
        token_file = settings.data_dir / "bootstrap-token"
        assert token_file.stat().st_mode & 0o777 == 0o600
        secret = token_file.read_text().strip()
        services = build_services(settings)
        try:
            assert services.app.authenticate(secret).role == "pmo-head"
        finally:
            services.close()
    finally:
        proc.terminate()
        _, err = proc.communicate(timeout=30)
    assert secret.encode() not in err  # logs are kept: the secret is not in them
    assert str(token_file).encode() in err
    assert proc.returncode == 0


def test_export_audit_writes_resumable_files_and_is_recorded(
    settings: Settings, tmp_path: Path
) -> None:
    runner = CliRunner()
    env = env_for(settings)
    assert runner.invoke(main, ["demo", "--no-reports"], env=env).exit_code == 0
    whole = tmp_path / "all.ndjson"
    result = runner.invoke(
        main, ["export", "audit", "-o", str(whole), "--project", "ERP"], env=env
    )
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in whole.read_text().splitlines()]
    positions = [row["position"] for row in rows]
    assert positions == sorted(positions) and len(rows) > 100
    assert rows[0]["action"] == "Project.Registered"
    resumed = tmp_path / "resumed.ndjson"
    half = positions[len(positions) // 2]
    head = [json.dumps(r, sort_keys=True) for r in rows if r["position"] <= half]
    resumed.write_text("\n".join(head) + "\n")
    again = runner.invoke(
        main,
        ["export", "audit", "-o", str(resumed), "--project", "ERP",
         "--after-position", str(half)],
        env=env,
    )  # fmt: skip
    assert again.exit_code == 0, again.output
    assert [json.loads(x)["position"] for x in resumed.read_text().splitlines()] == (
        positions
    )
    as_csv = tmp_path / "all.csv"
    runner.invoke(
        main, ["export", "audit", "-o", str(as_csv), "--format", "csv"], env=env
    )
    lines = as_csv.read_text().splitlines()
    assert lines[0].startswith('"position","recorded_at","actor"')
    services = build_services(settings)
    try:
        exports = list(services.app.iter_events_of(Export.Recorded))
    finally:
        services.close()
    assert [e.output_format for e, _ in exports] == ["ndjson", "ndjson", "csv"]
    assert exports[0][0].meta.actor == "cli"
    unknown = runner.invoke(
        main, ["export", "audit", "-o", str(whole), "--project", "NOPE"], env=env
    )
    assert unknown.exit_code == 1 and "NOPE" in unknown.output


def test_the_same_commands_run_under_flask(settings: Settings) -> None:
    from api import create_app

    services = build_services(settings)
    try:
        runner = create_app(services=services).test_cli_runner()
        issued = runner.invoke(
            args=["tokens", "issue", "flo", "--role", "custodian"],
            env=env_for(settings),
        )
        assert issued.exit_code == 0, issued.output
        assert services.app.list_tokens()[-1].name == "flo"
    finally:
        services.close()

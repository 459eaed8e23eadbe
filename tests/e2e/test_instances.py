"""Each `serve` instance keeps its metrics, control socket and CPUs to itself."""

from __future__ import annotations

import os
import re
import signal
import stat
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families

from api.instance import available_cpus
from api.server import server_options
from service.config import ConfigError, Settings
from tests.e2e.test_server import Client, serving

LISTED = "projects.list_projects"


def run_dir(client: Client) -> Path:
    """The instance's own directory, as its startup line names it."""
    found = re.search(r"metrics files under (\S+)", client.log.read_text())
    assert found, client.log.read_text()
    return Path(found.group(1))


def listed(client: Client) -> float:
    """How many project lists the instance reports having answered."""
    status, _, body = client.request("GET", "/metrics")
    assert status == 200
    return sum(
        sample.value
        for family in text_string_to_metric_families(body.decode())
        for sample in family.samples
        if sample.name == "pmo_ledger_http_requests_total"
        and sample.labels["endpoint"] == LISTED
    )


def list_projects(client: Client, times: int) -> None:
    """Ask for the project list `times` times, eight at a time."""
    with ThreadPoolExecutor(8) as pool:
        answers = pool.map(
            lambda _: client.request("GET", "/api/v1/projects")[0], range(times)
        )
        assert set(answers) == {200}


def counting_workers(metrics: Path) -> set[int]:
    """The pids of the workers that have counted a request."""
    return {int(p.stem.rpartition("_")[2]) for p in metrics.glob("counter_*.db")}


def test_metrics_count_every_worker_and_survive_their_restart(tmp_path: Path) -> None:
    """Every /metrics answer, from whichever worker, counts every request, also
    those answered by workers since killed; two instances share nothing."""
    for name in ("a", "b"):
        (tmp_path / name).mkdir()
    with (
        serving("postgres", tmp_path / "a") as first,
        serving("sqlite", tmp_path / "b") as second,
    ):
        first_dir, second_dir = run_dir(first), run_dir(second)
        assert first_dir != second_dir
        for directory in (first_dir, second_dir):
            assert stat.S_ISSOCK((directory / "gunicorn.ctl").stat().st_mode)
        list_projects(first, 40)
        assert {listed(first) for _ in range(6)} == {40}
        assert listed(second) == 0
        # A worker that answered some is killed; what it counted still counts.
        os.kill(min(counting_workers(first_dir / "metrics")), signal.SIGKILL)
        list_projects(first, 10)
        assert {listed(first) for _ in range(6)} == {50}
    assert not first_dir.exists() and not second_dir.exists()


def test_workers_follow_the_cpus_given(tmp_path: Path) -> None:
    """The affinity mask and a cgroup quota bound the count, not the host's cores."""
    one = sorted(os.sched_getaffinity(0))[0]
    pinned = subprocess.run(
        [
            sys.executable,
            "-c",
            f"import os; os.sched_setaffinity(0, {{{one}}}); "
            "from api.instance import available_cpus; print(available_cpus())",
        ],
        check=True,
        capture_output=True,
        text=True,
    )
    assert pinned.stdout.strip() == "1"
    mine = len(os.sched_getaffinity(0))
    v2 = tmp_path / "v2"
    v2.mkdir()
    for quota, expected in (("50000 100000", 1), ("150000 100000", min(mine, 2))):
        (v2 / "cpu.max").write_text(quota + "\n")
        assert available_cpus(v2) == expected
    (v2 / "cpu.max").write_text("max 100000\n")
    assert available_cpus(v2) == mine
    v1 = tmp_path / "v1" / "cpu"
    v1.mkdir(parents=True)
    (v1 / "cpu.cfs_quota_us").write_text("100000\n")
    (v1 / "cpu.cfs_period_us").write_text("100000\n")
    assert available_cpus(tmp_path / "v1") == 1
    assert available_cpus(tmp_path / "none") == mine


def test_the_worker_count_is_configurable_and_checked(tmp_path: Path) -> None:
    """PMO_LEDGER_WORKERS overrides the CPUs; a count out of range is refused."""
    base = {"PMO_LEDGER_DATA_DIR": str(tmp_path)}
    postgres = {**base, "PMO_LEDGER_DATABASE_URL": "postgresql://u@h/db"}
    automatic = server_options(Settings.from_env(postgres), tmp_path)
    assert automatic["workers"] == max(2, available_cpus())
    assert automatic["control_socket"] == str(tmp_path / "gunicorn.ctl")
    assert server_options(Settings.from_env(base))["workers"] == 1
    assert server_options(Settings.from_env(base))["control_socket_disable"]
    given = Settings.from_env({**postgres, "PMO_LEDGER_WORKERS": "3"})
    assert server_options(given)["workers"] == 3
    for wrong in ("-1", "65", "many"):
        with pytest.raises(ConfigError, match="PMO_LEDGER_WORKERS"):
            Settings.from_env({**base, "PMO_LEDGER_WORKERS": wrong})

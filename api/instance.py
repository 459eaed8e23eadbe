"""What one `serve` instance keeps to itself: its CPUs, metrics and control socket.

Several instances may run on one host (or in containers sharing /tmp), so the
Prometheus multiprocess files and gunicorn's control socket live in a fresh
directory of the instance's own, removed when it stops (decision 102). The
worker count follows the CPUs the process may use — its affinity mask and its
cgroup's CPU quota — not the host's core count, which a container also sees.
"""

from __future__ import annotations

import math
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

CGROUP = Path("/sys/fs/cgroup")
METRICS_ENV = "PROMETHEUS_MULTIPROC_DIR"


def available_cpus(cgroup: Path = CGROUP) -> int:
    """CPUs this process may use: its affinity, capped by a cgroup CPU quota."""
    cpus = len(os.sched_getaffinity(0))
    quota = cgroup_quota(cgroup)
    return max(1, min(cpus, math.ceil(quota))) if quota is not None else cpus


def cgroup_quota(cgroup: Path) -> float | None:
    """The CPU quota in CPUs (cgroup v2 `cpu.max`, or v1's cfs files), if any."""
    try:
        quota, _, period = (cgroup / "cpu.max").read_text().partition(" ")
    except OSError:
        try:
            quota = (cgroup / "cpu" / "cpu.cfs_quota_us").read_text()
            period = (cgroup / "cpu" / "cpu.cfs_period_us").read_text()
        except OSError:
            return None
    quota, period = quota.strip(), period.strip()
    if quota in ("max", "-1") or not quota.isdigit() or not period.isdigit():
        return None
    return int(quota) / int(period) if int(period) else None


@contextmanager
def instance_dir() -> Iterator[Path]:
    """A fresh directory for this instance, its metrics directory made and named
    in the environment (before any worker imports prometheus_client)."""
    parent = os.environ.get(METRICS_ENV) or None
    if parent is not None:
        Path(parent).mkdir(parents=True, exist_ok=True)
    path = Path(tempfile.mkdtemp(prefix="pmo-ledger-", dir=parent))
    (path / "metrics").mkdir()
    os.environ[METRICS_ENV] = str(path / "metrics")
    owner = os.getpid()
    try:
        yield path
    finally:
        # A forked worker leaving by sys.exit unwinds through here too.
        if os.getpid() == owner:
            if parent is None:
                os.environ.pop(METRICS_ENV, None)
            else:
                os.environ[METRICS_ENV] = parent
            shutil.rmtree(path, ignore_errors=True)

"""Every benchmark with CI-sized defaults (`make bench`); each prints its ratios.

    .venv/bin/python bench/run_all.py [--full]

--full runs the sizes docs/performance.md quotes (1M events: about an hour).
Each benchmark writes its JSON to bench/results/.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).parent

CI = [
    ["write_inprocess.py", "--writes", "500"],
    ["write_http.py", "--writes", "200"],
    ["projections_rebuild.py", "--events", "1000"],
    ["projections_rebuild.py", "--events", "20000"],
    ["ledger_bench.py", "--events", "20000"],
    [
        "peer_continuum.py",
        "--risks",
        "50",
        "--updates",
        "6",
        "--rounds",
        "2",
        "--requests",
        "10",
        "--writes",
        "24",
    ],
    ["document_read.py", "--versions", "10,100,1000", "--budget", "4"],
    ["capacity.py", "--ops", "200"],
    ["ui_register_page.py", "--entries", "2000", "--rounds", "20"],
    ["actor_sealing.py", "--count", "5000"],
]
FULL = [
    ["write_inprocess.py", "--writes", "3000"],
    ["write_http.py", "--writes", "1000"],
    ["projections_rebuild.py", "--events", "1000"],
    ["projections_rebuild.py", "--events", "100000"],
    ["projections_rebuild.py", "--events", "1000000"],
    ["ledger_bench.py", "--events", "1000000"],
    ["ledger_bench.py", "--events", "1000000", "--backend", "postgres"],
    ["peer_continuum.py", "--risks", "1000", "--updates", "100"],
    ["document_read.py", "--versions", "10,100,1000,10000"],
    ["capacity.py", "--ops", "400"],
    ["ui_register_page.py", "--entries", "10000", "--backend", "both"],
    ["actor_sealing.py", "--count", "50000"],
]


def main() -> None:
    """Run each benchmark in its own process; report failures at the end."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--full", action="store_true")
    args = parser.parse_args()
    began, failed = time.perf_counter(), []
    for command in FULL if args.full else CI:
        print(f"== {' '.join(command)}", flush=True)
        started = time.perf_counter()
        done = subprocess.run([sys.executable, str(HERE / command[0]), *command[1:]])
        if done.returncode:
            failed.append(" ".join(command))
        print(f"   ({time.perf_counter() - started:.0f} s)", flush=True)
    print(f"all benchmarks: {time.perf_counter() - began:.0f} s")
    if failed:
        sys.exit("failed: " + "; ".join(failed))


if __name__ == "__main__":
    main()

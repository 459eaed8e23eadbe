"""Ledger append and verify at scale, with peak memory, against a raw baseline.

    .venv/bin/python bench/ledger_bench.py [--events 1000000] [--backend postgres]

Each phase runs in its own process, which reports its wall time, CPU time and
peak resident memory (`ru_maxrss`): generate (`bench/generate.py`: real
aggregates encoded by the application's mapper, inserted in big batches),
baseline (every stored event read raw in notification order with the same
DB-API cursor the verifier uses, and SHA-256'd), append (the ledger processor
catching up, then one signed head) and verify (the full `Verifier`). Ratios
compare each phase with the baseline of the same run. The store is removed
afterwards unless --keep is given.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from common import pg_schema, report
from generate import generate

from integrity.eventlog import read_events
from integrity.verifier import Verifier
from service.config import Settings
from usecases.root import Services, build_services, ledger_worker

READ_BATCH = 10_000
PHASES = ("generate", "append", "baseline", "verify_serial", "verify")


def baseline(services: Services) -> int:
    """Read every stored event raw, in order, and SHA-256 it; return how many."""
    count, sha256 = 0, hashlib.sha256
    for rows in read_events(services.app.recorder, 0, None, READ_BATCH):
        for _, originator, _, topic, state in rows:
            sha256(originator + topic.encode() + state).digest()
        count += len(rows)
    return count


def append(services: Services) -> int:
    """Catch the ledger up and sign one head; return the tree size."""
    worker = ledger_worker(services)
    worker.catch_up()
    head = worker.signer.sign_now()
    return 0 if head is None else head.tree_size


def verify(services: Services, readers: int | None = None) -> int:
    """Run the full verification; return the events it covered."""
    key = ledger_worker(services).signer.key.public_key()
    app = services.app
    report = Verifier(
        services.views_engine, app.recorder, app.blobs, [key], readers=readers
    ).run()
    if not report.ok:
        raise SystemExit(f"verification failed: {report.summary()}")
    return report.events


def children_cpu() -> float:
    """CPU seconds of this process's ended children (verify's reader processes)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_phase(phase: str, data_dir: Path, url: str, events: int) -> None:
    """One phase in this process; print its JSON figures as the last line.

    CPU counts this process and its children (verify's reader processes, joined
    when it ends); peak RSS is this process's, and the largest reader's apart.
    """
    services = build_services(Settings(data_dir=data_dir, database_url=url))
    began, cpu, readers_cpu = time.perf_counter(), time.process_time(), children_cpu()
    if phase == "generate":
        count = generate(services.app, events)
    elif phase == "verify_serial":
        count = verify(services, readers=0)
    else:
        count = {"baseline": baseline, "append": append, "verify": verify}[phase](
            services
        )
    seconds = time.perf_counter() - began
    readers_cpu = children_cpu() - readers_cpu
    cpu = time.process_time() - cpu + readers_cpu
    services.close()
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    reader_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    figures = {
        "count": count,
        "seconds": seconds,
        "cpu": cpu,
        "readers_cpu": readers_cpu,
        "peak_rss_mb": peak_mb,
        "reader_peak_rss_mb": reader_mb,
    }
    print(json.dumps(figures))


def child(phase: str, data_dir: Path, url: str, events: int) -> dict[str, Any]:
    """Run a phase in a fresh interpreter (so its peak memory is its own)."""
    command = [sys.executable, __file__, "--phase", phase, "--events", str(events)]
    command += ["--data-dir", str(data_dir), "--database-url", url]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode:
        raise SystemExit(f"{phase} failed:\n{done.stdout}{done.stderr}")
    figures: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    print(
        f"{phase:<9} {figures['count']:>9} events {figures['seconds']:8.2f} s "
        f"{figures['count'] / figures['seconds']:>9,.0f}/s "
        f"(CPU {figures['cpu']:7.2f} s) "
        f"peak RSS {figures['peak_rss_mb']:6.1f} MB"
        + (
            f" (readers: CPU {figures['readers_cpu']:.2f} s, "
            f"peak RSS {figures['reader_peak_rss_mb']:.1f} MB)"
            if figures["readers_cpu"]
            else ""
        ),
        flush=True,
    )
    return figures


@contextmanager
def store_url(backend: str, data_dir: Path, given: str | None) -> Iterator[str]:
    """The event store URL: given, a SQLite file, or a fresh PostgreSQL schema."""
    if given:
        yield given
    elif backend == "sqlite":
        yield f"sqlite:///{data_dir}/events.db"
    else:
        with pg_schema() as schema:
            yield f"postgresql://postgres@127.0.0.1:5432/test?schema={schema}"


def main() -> None:
    """Run every phase in its own process; print and write the figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--backend", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--keep", action="store_true", help="keep the data dir")
    parser.add_argument(
        "--reuse",
        type=Path,
        help="a data dir kept before (with --database-url on PostgreSQL): "
        "skip generate and append, measure baseline and verify again",
    )
    parser.add_argument("--phase", choices=PHASES, help=argparse.SUPPRESS)
    parser.add_argument("--data-dir", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.phase:
        run_phase(args.phase, args.data_dir, args.database_url, args.events)
        return
    began = time.perf_counter()
    data_dir = args.reuse or Path(tempfile.mkdtemp(prefix="ledger-bench-"))
    phases = PHASES[2:] if args.reuse else PHASES
    with store_url(args.backend, data_dir, args.database_url) as url:
        backend = Settings(data_dir=data_dir, database_url=url).backend
        print(f"{args.events} events on {backend} ({data_dir})", flush=True)
        figures = {p: child(p, data_dir, url, args.events) for p in phases}
    base = figures["baseline"]["seconds"]
    result: dict[str, object] = {
        "events": figures["verify"]["count"],
        "backend": backend,
    }
    for phase in phases:
        result[f"{phase}_seconds"] = round(figures[phase]["seconds"], 2)
        result[f"{phase}_cpu_seconds"] = round(figures[phase]["cpu"], 2)
        result[f"{phase}_events_per_s"] = round(
            figures[phase]["count"] / figures[phase]["seconds"]
        )
        result[f"{phase}_peak_rss_mb"] = round(figures[phase]["peak_rss_mb"], 1)
    if "append" in figures:
        result["append_vs_baseline"] = round(figures["append"]["seconds"] / base, 2)
        result["append_cpu_vs_baseline"] = round(
            figures["append"]["cpu"] / figures["baseline"]["cpu"], 2
        )
    result["verify_vs_baseline"] = round(figures["verify"]["seconds"] / base, 2)
    result["verify_vs_serial"] = round(
        figures["verify"]["seconds"] / figures["verify_serial"]["seconds"], 2
    )
    result["verify_readers_cpu_seconds"] = round(figures["verify"]["readers_cpu"], 2)
    result["verify_reader_peak_rss_mb"] = round(
        figures["verify"]["reader_peak_rss_mb"], 1
    )
    base_cpu = figures["baseline"]["cpu"]
    result["verify_cpu_vs_baseline"] = round(figures["verify"]["cpu"] / base_cpu, 2)
    result["verify_serial_cpu_vs_baseline"] = round(
        figures["verify_serial"]["cpu"] / base_cpu, 2
    )
    result["wall_seconds"] = round(time.perf_counter() - began, 1)
    report(f"ledger_{backend}_{args.events}", result)
    if not args.keep and not args.reuse:
        shutil.rmtree(data_dir)


if __name__ == "__main__":
    main()

"""Command writes in process (sequential and 16 threads) vs raw one-row transactions.

    .venv/bin/python bench/write_inprocess.py [--backend sqlite|postgres|both]
        [--writes 1000] [--threads 16]

Baseline, measured in the same run on the same disk: one INSERT of a row shaped
like a stored event (the state bytes of a real assess_risk event) per transaction,
with the event store's durability settings (SQLite WAL, synchronous as
eventsourcing leaves it; PostgreSQL synchronous_commit on).

The ratio depends on the disk: fsync is paid once on each side, the Python on
one. So the same comparison also runs on SQLite in /dev/shm (fsync free): the
microseconds per write there are the CPU a faster disk cannot remove, and
`sqlite_half_raw_above_fsync_ms` is the fsync latency from which assess_risk
keeps at least half the raw rate (0 means: on any disk).
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import threading
import time
from pathlib import Path
from uuid import UUID

from common import (
    META,
    RISK,
    RawPostgres,
    RawSQLite,
    interleaved,
    ratings,
    report,
    settings_for,
)

from service.app import PmoApplication
from service.config import Settings
from usecases.root import Services, build_services


def identify(app: PmoApplication, project: UUID) -> UUID:
    """Record one risk; return its id."""
    return app.perform("identify_risk", project, RISK, META).id


def threaded_rate(
    app: PmoApplication, risks: list[UUID], threads: int, per: int
) -> float:
    """Commands per second with `threads` threads each assessing its own risks."""
    errors: list[BaseException] = []

    def work(mine: list[UUID]) -> None:
        try:
            for i in range(per):
                app.perform(
                    "assess_risk",
                    mine[i % len(mine)],
                    ratings(2, 2, 1 + i % 3, 1),
                    META,
                )
        except BaseException as error:
            errors.append(error)

    shares = [risks[n::threads] for n in range(threads)]
    workers = [threading.Thread(target=work, args=(s,)) for s in shares]
    started = time.perf_counter()
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    elapsed = time.perf_counter() - started
    if errors:
        raise errors[0]
    return threads * per / elapsed


def prepared(settings: Settings) -> tuple[Services, UUID, list[UUID], bytes]:
    """A store with a project and risks; the state bytes of a real assess event."""
    services = build_services(settings)
    app = services.app
    project = app.register_project("BENCH", "Bench", "", "S", "M", META).id
    risks = [identify(app, project) for _ in range(64)]
    app.perform("assess_risk", risks[0], ratings(2, 2, 1, 1), META)
    state = app.recorder.select_events(risks[0], desc=True, limit=1)[0].state
    return services, project, risks, state


def compared(
    app: PmoApplication,
    raw: RawSQLite | RawPostgres,
    project: UUID,
    risks: list[UUID],
    state: bytes,
    writes: int,
) -> dict[str, float]:
    """Writes per second of the raw insert, assess_risk and identify_risk."""
    counter = iter(range(10**9))
    return interleaved(
        {
            "raw": lambda: raw.insert(state),
            "assess": lambda: app.perform(
                "assess_risk",
                risks[next(counter) % len(risks)],
                ratings(2, 3, 1, 2),
                META,
            ),
            "identify": lambda: identify(app, project),
        },
        writes,
    )


def run(backend: str, writes: int, threads: int) -> dict[str, object]:
    """Every figure for one backend."""
    with settings_for(backend) as settings:
        services, project, risks, state = prepared(settings)
        app = services.app
        if backend == "sqlite":
            raw: RawSQLite | RawPostgres = RawSQLite(settings.data_dir / "raw.db")
        else:
            raw = RawPostgres(settings.postgres_schema)
        rates = compared(app, raw, project, risks, state, writes)
        raw_rate, assess_rate, identify_rate = rates.values()
        per_thread = max(writes // threads, 10)
        concurrent = threaded_rate(app, risks, threads, per_thread)
        services.close()
    return {
        f"{backend}_durability": f"synchronous={raw.synchronous}",
        f"{backend}_raw_rows_per_s": round(raw_rate),
        f"{backend}_assess_per_s": round(assess_rate),
        f"{backend}_identify_per_s": round(identify_rate),
        f"{backend}_{threads}_threads_per_s": round(concurrent),
        f"{backend}_assess_vs_raw": round(assess_rate / raw_rate, 2),
        f"{backend}_identify_vs_raw": round(identify_rate / raw_rate, 2),
        f"{backend}_{threads}_threads_vs_raw": round(concurrent / raw_rate, 2),
    }


def cpu_cost(writes: int) -> dict[str, object]:
    """Microseconds per write on SQLite with fsync free (the files in /dev/shm)."""
    if not Path("/dev/shm").is_dir():
        return {}
    data_dir = Path(tempfile.mkdtemp(prefix="pmo-bench-", dir="/dev/shm"))
    try:
        settings = Settings(data_dir, f"sqlite:///{data_dir}/events.db")
        services, project, risks, state = prepared(settings)
        raw = RawSQLite(data_dir / "raw.db")
        rates = compared(services.app, raw, project, risks, state, writes)
        services.close()
    finally:
        shutil.rmtree(data_dir)
    raw_us, assess_us, identify_us = (1e6 / rate for rate in rates.values())
    return {
        "sqlite_cpu_raw_us": round(raw_us),
        "sqlite_cpu_assess_us": round(assess_us),
        "sqlite_cpu_identify_us": round(identify_us),
        # raw + f >= (assess + f) / 2  <=>  f >= assess - 2 raw
        "sqlite_half_raw_above_fsync_ms": round(
            max(assess_us - 2 * raw_us, 0) / 1000, 3
        ),
    }


def main() -> None:
    """Run and report."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--backend", default="both")
    parser.add_argument("--writes", type=int, default=1000)
    parser.add_argument("--threads", type=int, default=16)
    args = parser.parse_args()
    started = time.perf_counter()
    backends = ["sqlite", "postgres"] if args.backend == "both" else [args.backend]
    result: dict[str, object] = {"writes": args.writes, "threads": args.threads}
    for backend in backends:
        result.update(run(backend, args.writes, args.threads))
    if "sqlite" in backends:
        result.update(cpu_cost(max(args.writes, 1000)))
    result["wall_s"] = round(time.perf_counter() - started, 1)
    report("write_inprocess", result)


if __name__ == "__main__":
    main()

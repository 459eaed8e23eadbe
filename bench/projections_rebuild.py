"""Rebuild of every read model and the as-of query, each against a same-run baseline.

    .venv/bin/python bench/projections_rebuild.py [--events 100000]
        [--backend sqlite|postgres] [--workers 2] [--per-model]
        [--as-of-versions 100000]

1. Generates `--events` events with bench/generate.py (the realistic mix, through
   the real aggregates and mapper) and reports the generator's rate.
2. Baseline: read the whole notification log raw and bulk-insert one row per
   event (what any rebuild must at least do).
3. "Rebuild all": every read model rebuilt as a new generation and made live
   (what `pmo-ledger projections rebuild` does), with the models shared out
   between `--workers` processes, each reading and decoding the log once for
   its models. It runs in a child process, so its peak RSS is measured alone
   (`RUSAGE_CHILDREN`); each worker also reports its own peak.
4. `--per-model`: each model rebuilt alone, one after the other, in process.
5. As-of query: a risk register of `--as-of-versions` row versions in one
   project (default: as many as events, at most 100,000); the as-at page
   (100 rows, the middle instant) against the current page, through `Views`.
"""

from __future__ import annotations

import argparse
import multiprocessing
import resource
import shutil
import time
from collections.abc import Callable
from datetime import UTC, datetime
from functools import partial
from typing import Any
from uuid import UUID, uuid4

from common import median_ms, report, settings_for
from generate import generate
from sqlalchemy import BigInteger, Column, MetaData, Table, Text, insert

from projections.models import by_name, models
from projections.rebuild import Outcome, Store, rebuild, rebuild_parallel
from service.config import Settings
from usecases.root import Services, build_services


def baseline(services: Services) -> tuple[int, float]:
    """Read the log raw and bulk-insert one row per event; return (rows, seconds)."""
    app, engine = services.app, services.views_engine
    table = Table(
        f"bench_{uuid4().hex[:8]}",
        MetaData(),
        Column("position", BigInteger, primary_key=True),
        Column("topic", Text),
        Column("state", Text),
    )
    table.create(engine)
    started, start, rows = time.perf_counter(), 1, 0
    while page := app.recorder.select_notifications(start=start, limit=5000):
        with engine.begin() as conn:
            conn.execute(
                insert(table),
                [
                    {"position": n.id, "topic": n.topic, "state": n.state.decode()}
                    for n in page
                ],
            )
        rows += len(page)
        start = page[-1].id + 1
    elapsed = time.perf_counter() - started
    table.drop(engine)
    return rows, elapsed


# A worker's services stay open while it runs (the application closes its store when
# it is garbage collected).
OPENED: list[Services] = []


def open_store(settings: Settings) -> Store:
    """A worker's own engine, recorder and mapper (tables already exist)."""
    services = build_services(settings, create_tables=False)
    OPENED.append(services)
    return services.views_engine, services.app.recorder, services.app.mapper


def rebuild_all(settings: Settings, workers: int, head: int, pipe: Any) -> None:
    """Child process: rebuild every model in parallel; send back time and outcomes."""
    shown = [0]

    def progress(count: int) -> None:
        shown[0] += count
        if shown[0] * 10 // (head * workers) != (shown[0] - count) * 10 // (
            head * workers
        ):
            print(f"    rebuilt {shown[0] / workers:,.0f} / {head:,}", flush=True)

    started = time.perf_counter()
    outcomes = rebuild_parallel(
        partial(open_store, settings), models(), workers=workers, progress=progress
    )
    pipe.send((time.perf_counter() - started, outcomes))


def in_child(target: Callable[..., None], *args: Any) -> tuple[Any, float]:
    """Run target(*args, pipe) in a child; return what it sent and its peak RSS."""
    context = multiprocessing.get_context("fork")
    receive, send = context.Pipe(duplex=False)
    child = context.Process(target=target, args=(*args, send))
    child.start()
    send.close()  # so a child that dies unheard ends the wait (EOFError)
    try:
        sent = receive.recv()
    finally:
        child.join()
    if child.exitcode:
        raise RuntimeError(f"child failed with exit code {child.exitcode}")
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return sent, peak


def as_of_query(backend: str, versions: int) -> dict[str, float]:
    """A one-project risk register of `versions` row versions: as-at vs current."""
    with settings_for(backend) as settings:
        services = build_services(settings)
        try:
            generate(services.app, versions, mix=(("risk", 1),), project_every=versions)
            app = services.app
            for name in ("projects", "risks"):
                cls = by_name()[name]
                rebuild(cls, services.views_engine, app.recorder, app.mapper)
            project = UUID(services.views.list_projects()[0]["id"])
            return _time_queries(services, project)
        finally:
            services.close()
            shutil.rmtree(settings.data_dir, ignore_errors=True)


def _time_queries(services: Services, project: Any) -> dict[str, float]:
    views = services.views
    first = views.list_register(
        "risks", project, as_of=None, filters={}, after=None, limit=1
    ).items[0]
    start = datetime.fromisoformat(first["created_at"]).astimezone(UTC)
    moment = start + (datetime.now(UTC) - start) / 2

    def page(as_of: datetime | None) -> object:
        return views.list_register(
            "risks", project, as_of=as_of, filters={}, after=None, limit=100
        )

    current = median_ms(lambda: page(None), repeat=20)
    as_at = median_ms(lambda: page(moment), repeat=20)
    return {
        "current_query_ms": current,
        "as_of_query_ms": as_at,
        "as_of_vs_current": as_at / current,
    }


def main() -> None:
    """Run the benchmark, print the figures, write bench/results/<name>.json."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--backend", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--per-model", action="store_true")
    parser.add_argument(
        "--as-of-versions", type=int, help="default: --events, at most 100,000"
    )
    args = parser.parse_args()
    results: dict[str, Any] = {"backend": args.backend, "workers": args.workers}
    began = time.perf_counter()
    with settings_for(args.backend) as settings:
        services = build_services(settings)
        started = time.perf_counter()
        generate(services.app, args.events)
        generated = time.perf_counter() - started
        head = services.app.head_position()
        results.update(
            events=head, generate_s=generated, generate_per_s=head / generated
        )
        print(f"  generated {head:,} events in {generated:.1f} s", flush=True)
        rows, raw_seconds = baseline(services)
        results.update(baseline_s=raw_seconds, baseline_events_per_s=rows / raw_seconds)
        (seconds, outcomes), peak = in_child(rebuild_all, settings, args.workers, head)
        results.update(
            rebuild_all_s=seconds,
            rebuild_all_events_per_s=head / seconds,
            rebuild_all_vs_baseline=raw_seconds / seconds,
            rebuild_all_peak_rss_mb=peak,
            rebuild_all_workers=_workers(outcomes),
        )
        if args.per_model:
            app = services.app
            for cls in models():
                started, cpu = time.perf_counter(), time.process_time()
                rebuild(cls, services.views_engine, app.recorder, app.mapper)
                elapsed = time.perf_counter() - started
                results[f"rebuild_{cls.name}_s"] = elapsed
                results[f"rebuild_{cls.name}_cpu_s"] = time.process_time() - cpu
                results[f"rebuild_{cls.name}_vs_baseline"] = raw_seconds / elapsed
        services.close()
        # A 1M-event store is about 2 GB: leave nothing behind.
        shutil.rmtree(settings.data_dir, ignore_errors=True)
    versions = args.as_of_versions or min(args.events, 100_000)
    results["as_of_versions"] = versions
    results.update(as_of_query(args.backend, versions))
    results["bench_wall_s"] = time.perf_counter() - began
    report(f"projections_rebuild_{args.backend}_{args.events}", results)


def _workers(outcomes: list[Outcome]) -> dict[str, dict[str, float]]:
    return {
        "+".join(o.names): {"peak_rss_mb": round(o.peak_rss_mb), "cpu_s": o.cpu_s}
        for o in outcomes
    }


if __name__ == "__main__":
    main()

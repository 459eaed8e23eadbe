"""Rebuild throughput and as-of query latency, each against a same-run baseline.

    .venv/bin/python bench/projections_rebuild.py [--events 100000] [--backend sqlite]

Baselines: reading the notification log raw and bulk-inserting one row per
event (what any rebuild must at least do); and the current-register query.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from uuid import UUID, uuid4

from sqlalchemy import BigInteger, Column, MetaData, Table, Text, insert

from api.bootstrap import build_services
from projections.models import MODELS
from projections.rebuild import rebuild
from service.config import Settings
from service.domain.base import Meta
from service.domain.risk import Risk

RESULTS = Path(__file__).parent / "results"


def seed(services: object, events: int) -> UUID:
    """Append `events` risk events straight to the store (bypassing command checks)."""
    ledger = services.ledger  # type: ignore[attr-defined]
    meta = Meta("bench", "project-officer")
    project = ledger.register_project("BENCH", "Bench", "", "S", "M", meta).id
    while (written := ledger.head_position()) < events:
        risk = Risk.identify(
            project, "r", "c", "e", "f", "cost", "threat", "o", "imminent", 3, 3, meta
        )
        for i in range(min(18, events - written - 1)):
            risk.assess(1 + i % 5, 2, 1 + i % 4, 1, meta)
        ledger.save(risk)
    return project


def baseline(services: object) -> tuple[int, float]:
    """Read the log raw and bulk-insert one row per event; return (rows, seconds)."""
    ledger, engine = services.ledger, services.views_engine  # type: ignore[attr-defined]
    table = Table(
        f"bench_{uuid4().hex[:8]}",
        MetaData(),
        Column("position", BigInteger, primary_key=True),
        Column("topic", Text),
        Column("state", Text),
    )
    table.create(engine)
    started, start, rows = time.perf_counter(), 1, 0
    while True:
        page = ledger.recorder.select_notifications(start=start, limit=1000)
        if not page:
            break
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


def timed(call: object, repeat: int = 20) -> float:
    """Median seconds of a call."""
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        call()  # type: ignore[operator]
        samples.append(time.perf_counter() - started)
    return sorted(samples)[len(samples) // 2]


def main() -> None:
    """Run the benchmark and print ratios; write JSON to bench/results/."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    data_dir = Path(tempfile.mkdtemp(prefix="pmo-bench-"))
    url = args.database_url or f"sqlite:///{data_dir}/events.db"
    services = build_services(Settings(data_dir=data_dir, database_url=url))
    project = seed(services, args.events)
    head = services.ledger.head_position()
    rows, raw_seconds = baseline(services)
    ledger, engine = services.ledger, services.views_engine
    results: dict[str, object] = {"events": head, "backend": services.settings.backend}
    results["baseline_events_per_s"] = rows / raw_seconds
    for cls in MODELS:
        if cls.name not in ("risks", "audit"):
            continue
        started = time.perf_counter()
        rebuild(cls, engine, ledger.recorder, ledger.mapper)
        elapsed = time.perf_counter() - started
        results[f"rebuild_{cls.name}_events_per_s"] = head / elapsed
        results[f"rebuild_{cls.name}_vs_baseline"] = raw_seconds / elapsed
    first = services.views.list_register(
        "risks", project, as_of=None, filters={}, after=None, limit=1
    ).items[0]
    start = datetime.fromisoformat(first["created_at"]).astimezone(UTC)
    moment = start + (datetime.now(UTC) - start) / 2

    def page(as_of: datetime | None) -> object:
        return services.views.list_register(
            "risks", project, as_of=as_of, filters={}, after=None, limit=100
        )

    current = timed(lambda: page(None))
    as_of = timed(lambda: page(moment))
    results.update(
        current_query_ms=current * 1000,
        as_of_query_ms=as_of * 1000,
        as_of_vs_current=as_of / current,
    )
    services.close()
    for key, value in results.items():
        print(
            f"{key:32} {value:.3f}" if isinstance(value, float) else f"{key:32} {value}"
        )
    RESULTS.mkdir(exist_ok=True)
    name = f"projections_rebuild_{results['backend']}_{head}.json"
    (RESULTS / name).write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    main()

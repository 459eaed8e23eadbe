"""Ledger throughput: leaves appended and events verified per second.

Baseline, measured in the same run over the same rows: read every stored event
raw, in order, and SHA-256 it. Usage:

    .venv/bin/python bench/ledger_bench.py [--events 1000000] [--database-url URL]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import platform
import tempfile
import time
import uuid
from pathlib import Path

from eventsourcing.persistence import StoredEvent

from api.bootstrap import build_services
from projections.ledger_signer import ledger_worker
from projections.ledger_verify import Verifier
from service.config import Settings

RESULTS = Path(__file__).parent / "results" / "ledger.json"
INSERT_BATCH = 5000
READ_BATCH = 5000


def fill(recorder: object, count: int) -> None:
    """Store synthetic events (about 300 bytes of state each) straight away."""
    written = 0
    while written < count:
        batch = []
        for n in range(written, min(count, written + INSERT_BATCH)):
            state = json.dumps(
                {
                    "timestamp": {"_type_": "datetime_iso", "_data_": "2026-01-01"},
                    "title": f"event {n}",
                    "detail": "x" * 200,
                }
            ).encode()
            batch.append(StoredEvent(uuid.uuid4(), 1, "bench:Event", state))
        recorder.insert_events(batch)  # type: ignore[attr-defined]
        written += len(batch)


def baseline(recorder: object) -> int:
    """Read every event raw and hash it; return how many."""
    start, count = 1, 0
    while True:
        page = recorder.select_notifications(  # type: ignore[attr-defined]
            start=start, limit=READ_BATCH
        )
        if not page:
            return count
        for n in page:
            hashlib.sha256(
                n.id.to_bytes(8, "big")
                + n.originator_id.bytes
                + n.topic.encode()
                + n.state
            ).digest()
        count += len(page)
        start = page[-1].id + 1


def timed(label: str, action: object) -> tuple[float, object]:
    began = time.perf_counter()
    value = action()  # type: ignore[operator]
    seconds = time.perf_counter() - began
    print(f"{label:<10} {seconds:8.2f} s")
    return seconds, value


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    data_dir = Path(tempfile.mkdtemp(prefix="ledger-bench-"))
    url = args.database_url or f"sqlite:///{data_dir}/events.db"
    services = build_services(Settings(data_dir=data_dir, database_url=url))
    app = services.ledger
    print(f"filling {args.events} events on {services.settings.backend}")
    fill(app.recorder, args.events)
    base_s, _ = timed("baseline", lambda: baseline(app.recorder))
    worker = ledger_worker(services)
    append_s, _ = timed("append", worker.catch_up)
    worker.signer.sign_now()
    key = worker.signer.key.public_key()
    verifier = Verifier(services.views_engine, app.recorder, app.blobs, [key])
    verify_s, report = timed("verify", verifier.run)
    assert report.ok, report.summary()  # type: ignore[attr-defined]
    n = args.events
    result = {
        "events": n,
        "backend": services.settings.backend,
        "python": platform.python_version(),
        "baseline_rows_per_s": round(n / base_s),
        "append_leaves_per_s": round(n / append_s),
        "verify_events_per_s": round(n / verify_s),
        "append_vs_baseline": round(append_s / base_s, 2),
        "verify_vs_baseline": round(verify_s / base_s, 2),
    }
    print(json.dumps(result, indent=1))
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=1) + "\n")
    services.close()


if __name__ == "__main__":
    main()

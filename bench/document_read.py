"""Authoritative-document reads as the history grows (10 -> 10k versions).

One document per size, each version's content stored as a blob and submitted
through the aggregate and `commit` (the real event encoding, snapshots every 50
events), every fifth version sent for review and approved. Once the read models
have caught up, each read is timed in interleaved rounds over the sizes, and
each size's median is divided by the 10-version document's median of the same
run. Target: 10k versions <= 1.2x 10 versions. Usage:

    .venv/bin/python bench/document_read.py [--versions 10,100,1000,10000]
        [--backend sqlite|postgres|both] [--reads 200]
"""

from __future__ import annotations

import argparse
import gc
import io
import shutil
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from uuid import UUID

from common import report, settings_for

from service.app import SNAPSHOT_INTERVAL
from service.blobs import BlobRef
from service.domain.base import Meta
from service.domain.document import Document
from usecases.root import Services, build_services

CUSTODIAN = Meta("bench", "custodian", "benchmark", "bench-doc")
APPROVE_EVERY = 5
COMMIT_EVERY = 500  # versions per transaction while filling
CONTENTS = 100  # distinct bodies the versions cycle over
TARGET = 1.2


@dataclass
class Subject:
    """One document of the run: its id, size, a past instant and a past number."""

    id: UUID
    versions: int
    middle: datetime
    middle_number: int


def fill(services: Services, project_id: UUID, versions: int) -> Subject:
    """Register a document and give it `versions` versions with stored content.

    The events come from the aggregate and go through the application's mapper
    into the recorder a batch at a time, with a snapshot every
    SNAPSHOT_INTERVAL events as the application takes them; content repeats
    over CONTENTS distinct bodies, each stored (and fsynced) once.
    """
    app = services.app
    document_id = app.register_document(
        project_id,
        f"Plan {versions}",
        "plan",
        "internal",
        "working-paper",
        "Cara",
        CUSTODIAN,
    ).id
    document = app.load(Document, document_id)
    snapshot_class = document.Snapshot
    refs: dict[int, BlobRef] = {}
    middle, middle_number = datetime.now(UTC), max(1, versions // 2)

    def recorded() -> None:
        if document.version % SNAPSHOT_INTERVAL == 0:
            app.snapshots.put([snapshot_class.take(document)])  # type: ignore[union-attr]

    for n in range(1, versions + 1):
        if n % CONTENTS not in refs:
            body = f"plan, revision {n % CONTENTS}\n".encode() * 20
            refs[n % CONTENTS] = app.blobs.put(io.BytesIO(body))
        ref = refs[n % CONTENTS]
        document.submit_version(
            ref.sha256, ref.size, "text/plain", f"plan-{n}.txt", "", CUSTODIAN
        )
        recorded()
        if n % APPROVE_EVERY == 0 or n == versions:
            document.send_for_review(n, CUSTODIAN)
            recorded()
            document.approve_version(n, CUSTODIAN)
            recorded()
        if n == middle_number:
            middle = datetime.now(UTC)
        if n % COMMIT_EVERY == 0 or n == versions:
            events = document.collect_events()
            app.recorder.insert_events([app.mapper.to_stored_event(e) for e in events])
    services.wake()
    return Subject(document_id, versions, middle, middle_number)


def read_all(services: Services, sha256: str) -> int:
    """Read a blob's bytes to the end; return how many."""
    size = 0
    with services.app.blobs.open(sha256) as reader:
        while chunk := reader.read_chunk():
            size += len(chunk)
    return size


def reads(services: Services, subject: Subject) -> dict[str, Callable[[], object]]:
    """The reads a custodian's questions cost, for one document."""
    app, views, doc = services.app, services.views, subject.id

    def content_now() -> int:
        version = app.authoritative_at(doc)
        assert version is not None
        return read_all(services, version.sha256)

    def content_by_number() -> int:
        document = app.load(Document, doc, read_only=True)
        return read_all(services, document.versions[subject.middle_number - 1].sha256)

    return {
        # GET /documents/{id}/authoritative (the aggregate, strongly consistent)
        "authoritative_now": lambda: app.authoritative_at(doc),
        # the read model: the document row and its authoritative version
        "views_authoritative_now": lambda: views.authoritative(doc),
        # GET /documents/{id}/authoritative?as_of=D (read model, see custody.py)
        "views_authoritative_as_at": lambda: views.authoritative(doc, subject.middle),
        "views_version_by_number": lambda: views.get_version(
            doc, subject.middle_number
        ),
        # GET /documents/{id}/content and /versions/{n}/content, bytes included
        "content_now": content_now,
        "content_by_number": content_by_number,
        # for comparison: replaying the aggregate as at D (the fallback path)
        "aggregate_authoritative_as_at": lambda: app.authoritative_at(
            doc, subject.middle
        ),
        # the UI page's full document: every version, so it grows by design
        "views_full_document": lambda: views.get_document(doc),
    }


def check(services: Services, subjects: list[Subject]) -> None:
    """The read model and the aggregate agree on what each read returns."""
    for s in subjects:
        now = services.views.authoritative(s.id)
        assert now is not None and now["authoritative"] is not None
        assert now["authoritative"]["number"] == s.versions
        aggregate = services.app.authoritative_at(s.id, s.middle)
        then = services.views.authoritative(s.id, s.middle)
        assert then is not None and aggregate is not None
        assert then["authoritative"]["number"] == aggregate.number
        assert then["authoritative"]["sha256"] == aggregate.sha256


def time_reads(
    services: Services, subjects: list[Subject], count: int, budget: float
) -> tuple[dict[str, dict[int, float]], dict[str, dict[int, float]]]:
    """Median and fastest ms of each read per size, sizes interleaved.

    Each round starts at the next size, so no size always runs first. The
    fastest read is a check on the median when other work shares the CPUs.
    """
    table = {s.versions: reads(services, s) for s in subjects}
    names = list(next(iter(table.values())))
    medians: dict[str, dict[int, float]] = {}
    fastest: dict[str, dict[int, float]] = {}
    for name in names:
        samples: dict[int, list[float]] = {s.versions: [] for s in subjects}
        for size in samples:
            table[size][name]()  # warm: caches, prepared statements
        # The filled documents stay in memory; frozen, the collector's passes
        # over them no longer land on whichever read happens to trigger one.
        gc.collect()
        gc.freeze()
        sizes = list(samples)
        began = time.perf_counter()
        for n in range(count):
            for size in sizes[n % len(sizes) :] + sizes[: n % len(sizes)]:
                started = time.perf_counter()
                table[size][name]()
                samples[size].append(time.perf_counter() - started)
            if n >= 5 and time.perf_counter() - began > budget:
                break
        medians[name] = {
            size: statistics.median(taken) * 1000 for size, taken in samples.items()
        }
        fastest[name] = {size: min(taken) * 1000 for size, taken in samples.items()}
    return medians, fastest


def run(backend: str, sizes: list[int], count: int, budget: float) -> dict[str, object]:
    """Fill, catch up, check, time; the figures of one backend."""
    with settings_for(backend) as settings:
        services = build_services(settings, start_processors=True)
        try:
            started = time.perf_counter()
            project_id = services.app.register_project(
                "DOCS", "Documents", "", "Sam", "Max", CUSTODIAN
            ).id
            subjects = [fill(services, project_id, size) for size in sizes]
            filled = time.perf_counter() - started
            if not services.views.wait_for(services.app.head_position(), 3600):
                raise SystemExit("the read models did not catch up")
            caught_up = time.perf_counter() - started - filled
            check(services, subjects)
            medians, fastest = time_reads(services, subjects, count, budget)
            events = services.app.head_position()
        finally:
            services.close()
            shutil.rmtree(settings.data_dir)  # a 10k-version store is ~0.7 GB
    base, top = sizes[0], sizes[-1]
    result: dict[str, object] = {
        "fill_s": round(filled, 1),
        "catch_up_s": round(caught_up, 1),
        "events": events,
    }
    for name, by_size in medians.items():
        for size, ms in by_size.items():
            result[f"{name}_{size}_ms"] = round(ms, 3)
        result[f"{name}_ratio_{top}_vs_{base}"] = round(by_size[top] / by_size[base], 2)
        best = fastest[name]
        result[f"{name}_fastest_ratio_{top}_vs_{base}"] = round(
            best[top] / best[base], 2
        )
    return result


def main() -> None:
    """Run the benchmark on each backend asked for and write its JSON."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--versions", default="10,100,1000,10000")
    parser.add_argument("--backend", choices=("sqlite", "postgres", "both"))
    parser.add_argument("--reads", type=int, default=1000)
    parser.add_argument("--budget", type=float, default=20.0, help="s per read kind")
    args = parser.parse_args()
    sizes = sorted(int(n) for n in args.versions.split(","))
    backends = (
        ["sqlite", "postgres"] if args.backend in (None, "both") else [args.backend]
    )
    began = time.perf_counter()
    result: dict[str, object] = {"versions": sizes, "target_ratio": TARGET}
    for backend in backends:
        print(f"-- {backend}", flush=True)
        figures = run(backend, sizes, args.reads, args.budget)
        result.update({f"{backend}_{k}": v for k, v in figures.items()})
    result["wall_s"] = round(time.perf_counter() - began, 1)
    report("document_read", result)


if __name__ == "__main__":
    main()

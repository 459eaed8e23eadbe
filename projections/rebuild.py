"""Rebuild read models as new generations beside the live ones, then switch.

One model, or several in one pass over the log (read and decoded once for all),
or every model split over worker processes (`rebuild_parallel`), each process
with its own tracking rows, so an interrupted rebuild resumes where it stopped.
"""

from __future__ import annotations

import gc
import multiprocessing
import queue
import resource
import signal
import sys
import threading
from collections.abc import Callable, Sequence
from contextlib import ExitStack
from dataclasses import dataclass
from typing import Any

from eventsourcing.persistence import ApplicationRecorder, Mapper
from sqlalchemy import Engine, func, select

from projections import catalog
from projections.engine import writing
from projections.models import by_name, models
from projections.processing import Processor
from projections.read_model import ReadModel
from projections.runner import exclusive

# Larger than a live processor's: fewer transactions and more rows per
# executemany, and more row versions closed before they are first written.
REBUILD_BATCH = 20_000
# Events x models one process holds a batch of (its rows, their bound
# parameters): seven models in one process at 20,000 events peaked at 281 MB
# at 1M events, at 10,000 at 232 MB; up to four models keep 17,500 or more.
BATCH_BUDGET = 70_000


def batch_for(models: int) -> int:
    """The rebuild batch for a process rebuilding `models` read models at once."""
    return max(1000, min(REBUILD_BATCH, BATCH_BUDGET // max(1, models)))


# A worker's young-generation collection threshold (Python's default is 700).
GC_THRESHOLD = 50_000
# Relative CPU per event of each model's rebuild (any other model: 1), used to
# share the models out between worker processes; how they were found is in
# docs/performance.md.
WEIGHTS = {"audit": 8, "documents": 7, "risks": 5, "projects": 3}

Store = tuple[Engine, ApplicationRecorder, Mapper[Any]]


def building_generation(engine: Engine, name: str) -> tuple[int, bool]:
    """The generation to build and whether an interrupted build is resumed."""
    catalog.create(engine)
    with engine.connect() as conn:
        live = catalog.active_generation(conn, name)
        rows = [r for r in catalog.read_all(conn) if r.name == name]
        newest = conn.execute(
            select(func.max(catalog.tracking.c.generation)).where(
                catalog.tracking.c.name == name
            )
        ).scalar()
    for row in rows:
        if row.state == "building" and row.generation != live:
            return row.generation, True
    return max(newest or 0, live or 0) + 1, False


def prepare(
    cls: type[ReadModel],
    engine: Engine,
    recorder: ApplicationRecorder,
    mapper: Mapper[Any],
    batch_size: int = REBUILD_BATCH,
) -> tuple[Processor, bool]:
    """A processor for the generation to build, its tables created; and resumed?"""
    generation, resumed = building_generation(engine, cls.name)
    processor = Processor(cls(generation), engine, recorder, mapper, batch_size)
    # Indexes only serve queries: built once when the generation goes live.
    processor.ensure_tables(state="building", indexes=False)
    return processor, resumed


def rebuild(
    cls: type[ReadModel],
    engine: Engine,
    recorder: ApplicationRecorder,
    mapper: Mapper[Any],
    *,
    progress: Callable[[int], None] | None = None,
    batch_size: int = REBUILD_BATCH,
    stop: threading.Event | None = None,
) -> int | None:
    """Build (or resume building) a new generation, make it live, drop the old one.

    Returns the new live generation, or None if another rebuild of the same
    model holds the lock and `stop` was set while waiting.
    """
    built = rebuild_together(
        [cls],
        (engine, recorder, mapper),
        progress=progress,
        batch_size=batch_size,
        stop=stop,
    )
    return None if built is None else built[0]


def rebuild_together(
    classes: Sequence[type[ReadModel]],
    store: Store,
    *,
    progress: Callable[[int], None] | None = None,
    batch_size: int | None = None,
    stop: threading.Event | None = None,
) -> list[int] | None:
    """Rebuild several models in one pass over the log; their new generations.

    Each model keeps its own tracking row (all move in the same transactions),
    so an interrupted pass resumes, and each goes live once caught up.
    """
    engine, recorder, mapper = store
    stop = stop or threading.Event()
    batch_size = batch_size or batch_for(len(classes))
    with ExitStack() as locks:
        for cls in classes:
            lock = exclusive(engine, f"{cls.name}:rebuild", stop)
            if not locks.enter_context(lock):
                return None
        prepared = [
            prepare(cls, engine, recorder, mapper, batch_size)[0] for cls in classes
        ]
        models = [p.model for p in prepared]
        Processor(models, engine, recorder, mapper, batch_size).catch_up(progress)
        for processor in prepared:
            switch(processor)
        return [m.generation for m in models]


def switch(processor: Processor) -> None:
    """Index a caught-up generation, make it live, drop the generation it replaces."""
    cls = type(processor.model)
    generation = processor.model.generation
    # Readers move to the new tables only once they hold everything the old did.
    processor.catch_up()
    processor.index()
    processor.catch_up()
    with writing(processor.engine) as conn:
        old = catalog.switch(conn, cls.name, generation)
    if old is None or old == generation:
        return
    with writing(processor.engine) as conn:
        cls(old).metadata.drop_all(conn)
        catalog.forget(conn, cls.name, old)


def plan(classes: Sequence[type[ReadModel]], workers: int) -> list[list[str]]:
    """Share the models out between workers, heaviest first to the lightest."""
    groups: list[list[str]] = [[] for _ in range(max(1, min(workers, len(classes))))]
    loads = [0] * len(groups)
    for cls in sorted(classes, key=lambda c: -WEIGHTS.get(c.name, 1)):
        lightest = loads.index(min(loads))
        groups[lightest].append(cls.name)
        loads[lightest] += WEIGHTS.get(cls.name, 1)
    return groups


class RebuildError(RuntimeError):
    """A worker of a parallel rebuild failed; its generations stay `building`."""


@dataclass(frozen=True)
class Outcome:
    """What one worker of a parallel rebuild did."""

    names: tuple[str, ...]
    generations: tuple[int, ...]
    peak_rss_mb: float
    cpu_s: float


def rebuild_parallel(
    open_store: Callable[[], Store],
    classes: Sequence[type[ReadModel]] | None = None,
    *,
    workers: int = 2,
    progress: Callable[[int], None] | None = None,
    batch_size: int | None = None,
) -> list[Outcome]:
    """Rebuild models in worker processes, each a group of models in one pass.

    `open_store` builds a worker's engine, recorder and mapper (called in the
    worker, which must keep whatever owns them open). Progress counts events
    covered by each worker (so the total is workers x the log). Interrupted
    (Ctrl-C, a failing event), the generations stay `building` and the next
    call resumes them; the workers' errors are raised together. Interrupting
    this process asks the workers to stop after the batch they are writing:
    they ignore SIGINT themselves, because a KeyboardInterrupt raised at an
    arbitrary point (inside the report queue's lock, say) can deadlock them.
    """
    classes = models() if classes is None else classes
    context = multiprocessing.get_context("fork")
    reports: Any = context.Queue()
    stop = context.Event()
    processes = [
        context.Process(
            target=_work,
            args=(open_store, names, batch_size, reports, stop),
            name=f"rebuild-{'+'.join(names)}",
        )
        for names in plan(classes, workers)
    ]
    started: list[Any] = []
    outcomes: list[Outcome] = []
    errors: list[str] = []
    try:
        # Held back while forking: a worker ignores SIGINT before it can see one.
        mask = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
        try:
            for process in processes:
                process.start()
                started.append(process)
        finally:
            signal.pthread_sigmask(signal.SIG_SETMASK, mask)
        while any(p.is_alive() for p in processes) or not reports.empty():
            try:
                kind, value = reports.get(timeout=0.2)
            except queue.Empty:
                continue
            if kind == "progress" and progress:
                progress(value)
            elif kind == "done":
                outcomes.append(value)
            elif kind == "error":
                errors.append(value)
    finally:
        stop.set()
        for process in started:
            process.join()
    failed = [p.name for p in processes if p.exitcode]
    if errors or failed:
        raise RebuildError("; ".join(errors) or f"{', '.join(failed)} failed")
    return outcomes


class WorkerStoppedError(Exception):
    """A worker saw the stop request between two batches."""


def _work(
    open_store: Callable[[], Store],
    names: list[str],
    batch_size: int | None,
    reports: Any,
    stop: Any,
) -> None:
    # A terminal's Ctrl-C reaches the whole process group; the parent turns it
    # into `stop`, seen here between batches.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
    # A rebuild makes millions of short-lived dicts and tuples that reference
    # counting frees; the cycle collector's passes over them and the heap
    # inherited through fork cost about a sixth of the worker's CPU. Leave the
    # inherited heap out of collection and collect the young generation rarely.
    gc.freeze()
    gc.set_threshold(GC_THRESHOLD, 10, 10)
    try:
        store = open_store()
        classes = [by_name()[name] for name in names]

        def report(covered: int) -> None:
            reports.put(("progress", covered))
            if stop.is_set():
                raise WorkerStoppedError

        built = rebuild_together(
            classes, store, progress=report, batch_size=batch_size, stop=stop
        )
        used = resource.getrusage(resource.RUSAGE_SELF)
        outcome = Outcome(
            tuple(names),
            tuple(built or ()),
            peak_rss_mb=used.ru_maxrss / 1024,
            cpu_s=used.ru_utime + used.ru_stime,
        )
        reports.put(("done", outcome))
    except WorkerStoppedError:
        reports.put(("error", f"{'+'.join(names)}: interrupted"))
        sys.exit(1)
    except BaseException as error:
        reports.put(("error", f"{'+'.join(names)}: {error!r}"))
        raise

"""Rebuild read models beside the live ones, then switch: resumable, with progress.

A rebuild builds a new generation of a read model from the whole event log while
the live one keeps answering, and switches to it when it has caught up. An
interrupted rebuild (Ctrl-C, a crash) leaves its generation and position behind,
and the next rebuild resumes from there.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from functools import partial
from typing import Protocol

from projections.models import by_name, models
from projections.processing import ProcessingError
from projections.read_model import ReadModel
from projections.rebuild import (
    REBUILD_BATCH,
    RebuildError,
    Store,
    plan,
    prepare,
    rebuild_parallel,
    rebuild_together,
    switch,
)
from projections.runner import exclusive
from service.config import Settings
from service.errors import ApplicationError
from usecases.root import Services, build_services


class Progress(Protocol):
    """Where a rebuild reports how far it has come."""

    def begin(self, label: str, length: int) -> None:
        """A stretch of work of `length` events starts."""

    def advance(self, count: int) -> None:
        """`count` more events are done."""

    def end(self) -> None:
        """The stretch of work has ended (done or not)."""


class RebuildStoppedError(ApplicationError):
    """A rebuild stopped before it switched; running it again resumes it."""


@dataclass(frozen=True)
class RebuildReadModels:
    """Rebuild one read model (`name`) or all of them, shared between workers."""

    name: str | None = None
    batch_size: int | None = None
    workers: int = 2


@dataclass(frozen=True)
class Rebuilt:
    """A read model's generation that is now live (None: another rebuild runs)."""

    name: str
    generation: int | None


def chosen(name: str | None) -> list[type[ReadModel]]:
    """The read model named, or all of them (KeyError naming the choices)."""
    if name is None:
        return list(models())
    if name not in by_name():
        raise KeyError(f"must be one of {', '.join(by_name())}")
    return [by_name()[name]]


# A rebuild worker's services stay open while it runs (closing them on garbage
# collection would close the recorder's connections under it).
OPENED: list[Services] = []


def open_store(settings: Settings) -> Store:
    """A rebuild worker's engine, recorder and mapper (kept open in the worker)."""
    built = build_services(settings, create_tables=False)
    OPENED.append(built)
    return built.views_engine, built.app.recorder, built.app.mapper


def rebuild_read_models(
    services: Services, command: RebuildReadModels, progress: Progress
) -> list[Rebuilt]:
    """Rebuild and switch what the command names; RebuildStoppedError to resume."""
    if command.name is None:
        return rebuild_all(services, command, progress)
    return [
        rebuild_one(services, cls, command.batch_size, progress)
        for cls in chosen(command.name)
    ]


def rebuild_all(
    services: Services, command: RebuildReadModels, progress: Progress
) -> list[Rebuilt]:
    """Every model: one pass in this process, or shared between worker processes."""
    workers, batch_size = command.workers, command.batch_size
    groups = plan(models(), workers) if workers > 1 else [[m.name for m in models()]]
    length = len(groups) * services.app.head_position()
    progress.begin(f"all models: {len(groups)} worker(s)", length)
    try:
        if workers == 1:
            app = services.app
            store = (services.views_engine, app.recorder, app.mapper)
            built = rebuild_together(
                models(), store, progress=progress.advance, batch_size=batch_size
            )
            done = [(groups[0], built)]
        else:
            outcomes = rebuild_parallel(
                partial(open_store, services.settings),
                models(),
                workers=workers,
                progress=progress.advance,
                batch_size=batch_size,
            )
            done = [(list(o.names), list(o.generations)) for o in outcomes]
    except KeyboardInterrupt:
        raise RebuildStoppedError("interrupted; run rebuild again to resume") from None
    except (RebuildError, ProcessingError) as error:
        message = f"{error}; run rebuild again to resume"
        raise RebuildStoppedError(message) from None
    finally:
        progress.end()
    rebuilt: list[Rebuilt] = []
    for names, generations in done:
        if not generations:
            raise RebuildStoppedError(f"{', '.join(names)}: another rebuild is running")
        rebuilt += (Rebuilt(n, g) for n, g in zip(names, generations, strict=True))
    return rebuilt


def rebuild_one(
    services: Services,
    cls: type[ReadModel],
    batch_size: int | None,
    progress: Progress,
) -> Rebuilt:
    """One read model; an interruption leaves it resumable where it stopped."""
    app, engine = services.app, services.views_engine
    with exclusive(engine, f"{cls.name}:rebuild", threading.Event()) as granted:
        if not granted:
            return Rebuilt(cls.name, None)
        processor, resumed = prepare(
            cls, engine, app.recorder, app.mapper, batch_size or REBUILD_BATCH
        )
        generation = processor.model.generation
        start = processor.tracking().position
        verb = "resuming" if resumed else "building"
        label = f"{cls.name}: {verb} generation {generation}"
        progress.begin(label, max(0, app.head_position() - start))
        try:
            processor.catch_up(progress.advance)
            switch(processor)
        except KeyboardInterrupt:
            raise RebuildStoppedError(
                f"{cls.name}: interrupted at position "
                f"{processor.tracking().position}; run rebuild again to resume"
            ) from None
        except ProcessingError as error:
            raise RebuildStoppedError(str(error)) from None
        finally:
            progress.end()
    return Rebuilt(cls.name, generation)

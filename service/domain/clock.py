"""When a register entry's events are recorded: now, unless a block is backdated.

Events take the application clock's time when their command runs. The
sample PMO (`pmo-ledger demo`) records months of planning history in one
run, so it backdates blocks of commands with `recorded_at`; nothing else
does. The moment lives in a context variable: other threads, and requests
running meanwhile, keep the real clock.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime

from eventsourcing.domain import datetime_now_with_tzinfo

_MOMENT: ContextVar[datetime | None] = ContextVar("recorded_at", default=None)


def timestamp() -> datetime:
    """The time an event being created is recorded at."""
    return _MOMENT.get() or datetime_now_with_tzinfo()


@contextmanager
def recorded_at(moment: datetime) -> Iterator[None]:
    """Record the register events created inside the block at `moment`."""
    if moment.tzinfo is None:
        raise ValueError("recorded_at needs a moment with a time zone")
    token = _MOMENT.set(moment)
    try:
        yield
    finally:
        _MOMENT.reset(token)

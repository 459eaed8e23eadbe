"""Nothing unledgered passes: events beyond the covering checkpoint must be young.

The ledger signs within seconds of a write, so an event that no signed
checkpoint covers once the grace has passed was never ledgered: an insertion
behind the ledger's back, or a signer that has stopped. Either way verify
fails and names it. An event's age is read from its own recorded timestamp,
which whoever wrote it chose; a forged event stamped "now" passes for one
grace period, and the next verification (or a witness) catches it. A stamp
later than now (beyond a small allowance for clocks that differ between
hosts) is refused at once: otherwise a forger could stamp a far-future time
and pass every verification until then.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from eventsourcing.persistence import ApplicationRecorder

from integrity.eventlog import read_events
from integrity.stored import MismatchError

DEFAULT_GRACE_SECONDS = 60.0
DEFAULT_SKEW_SECONDS = 5.0
"""How far ahead of the verifier's clock a writer's clock may be."""


@dataclass(frozen=True)
class Grace:
    """How long an event may wait for a checkpoint, and what must cover it."""

    seconds: float = DEFAULT_GRACE_SECONDS
    now: Callable[[], float] = field(default=time.time)
    covering: int | None = None  # a tree size; None: the newest signed head's
    what: str = "a signed checkpoint"
    skew: float = DEFAULT_SKEW_SECONDS

    def check(self, recorder: ApplicationRecorder, after: int, end: int) -> None:
        """Fail on the first event after a position recorded before the grace,
        or stamped later than now."""
        now = self.now()
        deadline, latest = now - self.seconds, now + self.skew
        for page in read_events(recorder, after, end, 1000):
            for position, _, _, _, state in page:
                recorded = recorded_at(state)
                if recorded is not None and recorded.timestamp() > latest:
                    raise MismatchError(
                        f"this event is not covered by {self.what}, and it is "
                        f"stamped {recorded.isoformat()}, later than now: a "
                        "forged time",
                        position,
                    )
                if recorded is None or recorded.timestamp() < deadline:
                    when = (
                        "at an unreadable time"
                        if recorded is None
                        else (f"at {recorded.isoformat()}")
                    )
                    raise MismatchError(
                        f"this event is not covered by {self.what}, and it was "
                        f"recorded {when}, more than {self.seconds:g} s ago",
                        position,
                    )


def recorded_at(state: bytes) -> datetime | None:
    """The timestamp an event's stored state records (None if unreadable)."""
    try:
        stamp = json.loads(state)["timestamp"]
        text = stamp["_data_"] if isinstance(stamp, dict) else stamp
        moment = datetime.fromisoformat(text)
    except (ValueError, KeyError, TypeError):
        return None
    return moment if moment.tzinfo is not None else None

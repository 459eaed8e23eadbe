"""One daemon thread that follows the store until told to stop.

The integrity ledger's worker and the AMQP publisher have the same life: start a
thread, wake it after a local write, stop it after the current batch. They differ
only in what the thread does (`_loop`).
"""

from __future__ import annotations

import threading
from typing import Self


class BackgroundThread:
    """Start, wake and stop one named daemon thread running `_loop`."""

    thread_name = "background"

    def __init__(self) -> None:
        self.stop_event = threading.Event()
        self.wake_event = threading.Event()
        self.thread: threading.Thread | None = None
        self.error: str | None = None

    def start(self) -> Self:
        """Start the daemon thread; returns self."""
        self.thread = threading.Thread(
            target=self._loop, name=self.thread_name, daemon=True
        )
        self.thread.start()
        return self

    def wake(self) -> None:
        """New events were committed: look now rather than at the next poll."""
        self.wake_event.set()

    def stop(self, timeout: float = 10.0) -> None:
        """Stop after the current batch and wait for the thread."""
        self.stop_event.set()
        self.wake_event.set()
        if self.thread is not None:
            self.thread.join(timeout)

    def _loop(self) -> None:
        raise NotImplementedError

"""Runs the Flask app under gunicorn, and the processors in one process beside it.

The gunicorn master forks the HTTP workers and one processor process, which
keeps every read model and the integrity ledger caught up. Running them apart
from the workers keeps their work off the request threads' GIL; running one set
per server (not one per worker) keeps them from racing for the same batches.
Workers wake the processor process through a pipe after each commit.
"""

from __future__ import annotations

import contextlib
import errno
import logging
import os
import select
import signal
import sys
import threading
import time
from pathlib import Path
from typing import Any

from gunicorn.app.base import BaseApplication
from gunicorn.arbiter import Arbiter

from api.instance import available_cpus
from service.config import Settings

log = logging.getLogger("pmo_ledger.server")

RESPAWN_DELAY_SECONDS = 1.0
STOP_TIMEOUT_SECONDS = 15.0
# A batch costs the processors mostly a fixed amount (its transactions and
# round trips), so under a stream of writes they catch up at most five times a
# second; a read that waits for a position still wakes them at once.
WAKE_COALESCE_SECONDS = 0.2
# Requests come first: a processor starved for a moment catches up later in one
# larger batch, which costs far less per event than a batch per commit.
PROCESSOR_NICENESS = 10


class WakePipe:
    """A pipe from the workers to the processor process; a write never blocks."""

    COMMITTED = b"c"
    WAITING = b"w"

    def __init__(self) -> None:
        self.read_fd, self.write_fd = os.pipe()
        os.set_blocking(self.write_fd, False)

    def send(self, reason: bytes) -> None:
        """Tell the processors that events were committed, or that a read waits."""
        # A full pipe means wakes are already pending.
        with contextlib.suppress(BlockingIOError):
            os.write(self.write_fd, reason)

    def committed(self) -> None:
        """Events were just committed."""
        self.send(self.COMMITTED)

    def waiting(self) -> None:
        """A read waits for the read models to reach a position."""
        self.send(self.WAITING)

    def receive(self, timeout: float) -> bytes:
        """Every wake pending within `timeout` (empty if none came)."""
        ready, _, _ = select.select([self.read_fd], [], [], max(timeout, 0.0))
        return os.read(self.read_fd, 65536) if ready else b""


class ProcessorProcess:
    """The master's handle on the processor process: started, kept alive, stopped."""

    def __init__(self, settings: Settings, wake: WakePipe) -> None:
        self.settings = settings
        self.wake = wake
        self.pid: int | None = None
        self.spawned_at = 0.0
        self.replacing = False

    def keep_alive(self, arbiter: Arbiter) -> None:
        """Fork the process if it is not running (at most once a second)."""
        if self.pid is not None and _running(self.pid):
            return
        if self.pid is not None:
            if not self.replacing:
                arbiter.log.warning("processor process %s exited; restarting", self.pid)
            self.pid, self.replacing = None, False
        if time.monotonic() - self.spawned_at < RESPAWN_DELAY_SECONDS:
            return
        self.spawned_at = time.monotonic()
        pid = os.fork()
        if pid == 0:
            _child(arbiter, self.settings, self.wake)
        self.pid = pid
        arbiter.log.info("Booting processor process with pid: %s", pid)

    def replace(self, arbiter: Arbiter) -> None:
        """Ask the process to finish its batches and exit; keep_alive starts anew."""
        if self.pid is not None:
            arbiter.log.info("Replacing processor process %s", self.pid)
            self.replacing = True
            _signal(self.pid, signal.SIGTERM)

    def stop(self, timeout: float = STOP_TIMEOUT_SECONDS) -> None:
        """Ask the process to finish its batches and exit; kill it after `timeout`."""
        if self.pid is None:
            return
        pid, self.pid = self.pid, None
        _signal(pid, signal.SIGTERM)
        deadline = time.monotonic() + timeout
        while _running(pid):
            if time.monotonic() >= deadline:
                _signal(pid, signal.SIGKILL)
                deadline = float("inf")
            time.sleep(0.05)


def _running(pid: int) -> bool:
    # The arbiter's own reaping (waitpid(-1)) may have collected it already.
    try:
        done, _status = os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        return False
    return done == 0


def _signal(pid: int, sig: int) -> None:
    try:
        os.kill(pid, sig)
    except OSError as error:
        if error.errno != errno.ESRCH:
            raise


def _child(arbiter: Arbiter, settings: Settings, wake: WakePipe) -> None:
    """The processor process: runs until the master stops it or goes away."""
    code = 0
    try:
        for sig in (*arbiter.SIGNALS, signal.SIGCHLD):
            signal.signal(sig, signal.SIG_DFL)
        stop = threading.Event()
        for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGQUIT):
            signal.signal(sig, lambda _signum, _frame: stop.set())
        for listener in arbiter.LISTENERS:
            listener.close()
        os.nice(PROCESSOR_NICENESS)
        run_processors(settings, wake, stop, arbiter.pid)
    except BaseException:
        log.exception("processor process failed")
        code = 1
    finally:
        os._exit(code)


def run_processors(
    settings: Settings, wake: WakePipe, stop: threading.Event, parent: int
) -> None:
    """Keep the read models and the ledger caught up until stopped or orphaned."""
    from usecases.root import build_services

    services = build_services(settings, create_tables=False)
    try:
        services.start_processors()
        threading.Thread(
            target=_forward_wakes, args=(wake, services, stop), daemon=True
        ).start()
        while not stop.wait(1.0):
            if os.getppid() != parent:
                break  # the master was killed: do not outlive it
    finally:
        services.close()


def _forward_wakes(wake: WakePipe, services: Any, stop: threading.Event) -> None:
    # Commits within WAKE_COALESCE_SECONDS of a wake share the next one, so under
    # load each processor runs one batch per interval instead of one per commit
    # (each batch is a transaction per read model). A waiting read wakes at once.
    pending, allowed_at = False, 0.0
    while not stop.is_set():
        wait = allowed_at - time.monotonic() if pending else 1.0
        got = wake.receive(wait)
        pending = pending or bool(got)
        now = time.monotonic()
        if pending and (WakePipe.WAITING in got or now >= allowed_at):
            services.wake()
            pending, allowed_at = False, now + WAKE_COALESCE_SECONDS


class ServerArbiter(Arbiter):
    """gunicorn's arbiter, also keeping the processor process alive."""

    processors: ProcessorProcess | None = None

    def manage_workers(self) -> None:
        """Keep the HTTP workers, then the processor process, running."""
        super().manage_workers()
        if self.processors is not None:
            self.processors.keep_alive(self)

    def handle_hup(self) -> None:
        """Reload: new workers, and a new processor process beside them."""
        super().handle_hup()
        if self.processors is not None:
            self.processors.replace(self)

    def stop(self, graceful: bool = True) -> None:
        """Stop the processor process beside the workers."""
        processors, self.processors = self.processors, None
        if processors is not None and processors.pid is not None:
            _signal(processors.pid, signal.SIGTERM)
        super().stop(graceful)
        if processors is not None:
            processors.stop()


class GunicornServer(BaseApplication):
    """An embedded gunicorn that loads our app in each worker (no preload)."""

    def __init__(self, settings: Settings, options: dict[str, Any]) -> None:
        self.settings = settings
        self.options = options
        self.wake = WakePipe() if settings.run_processors else None
        super().__init__()

    def load_config(self) -> None:
        """Apply our options on top of api/gunicorn_conf.py."""
        self.cfg.set("config", None)
        from api import gunicorn_conf

        for key in dir(gunicorn_conf):
            if key in self.cfg.settings and not key.startswith("_"):
                self.cfg.set(key, getattr(gunicorn_conf, key))
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Any:
        """Build the app inside the worker process (its processors run apart)."""
        from api.app import build_app
        from usecases.root import build_services

        services = build_services(self.settings, create_tables=False)
        if self.wake is not None:
            services.wake_elsewhere = self.wake.committed
            services.views.wake = self.wake.waiting
        return build_app(services=services)

    def run(self) -> None:
        """Run the master until it is stopped."""
        arbiter = ServerArbiter(self)
        if self.wake is not None:
            arbiter.processors = ProcessorProcess(self.settings, self.wake)
        try:
            arbiter.run()
        except RuntimeError as error:
            sys.exit(f"\nError: {error}\n")


def server_options(settings: Settings, run_dir: Path | None = None) -> dict[str, Any]:
    """Workers and threads for the configured backend and the CPUs given; the
    control socket in the instance's own directory (none without one)."""
    if settings.backend == "sqlite":
        workers, threads = 1, 8
    else:
        workers, threads = max(2, available_cpus()), 4
    control: dict[str, Any] = (
        {"control_socket": str(run_dir / "gunicorn.ctl")}
        if run_dir is not None
        else {"control_socket_disable": True}
    )
    return {
        "bind": f"{settings.host}:{settings.port}",
        "workers": settings.workers or workers,
        "threads": threads,
        **control,
    }

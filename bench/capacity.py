"""The capacity model's figures (docs/scaling.md): CPU per write and per read.

    .venv/bin/python bench/capacity.py [--ops 400] [--clients 4]

One `pmo-ledger serve` on PostgreSQL and the bare Flask endpoint
(bench/bare_app.py) under the same gunicorn settings, side by side in one run,
in alternating rounds. For each round it counts the CPU seconds spent by the
server's processes (master, HTTP workers and the processor process, whose
read-model and ledger work a write causes is counted against the writes) and
by the PostgreSQL backends serving them (found by application_name, which
libpq takes from PGAPPNAME), then divides by the requests served. It also
counts the rows and bytes each write adds in PostgreSQL, and times the event
store's serialising step on its own: the insert transaction under the
table's EXCLUSIVE lock that every write of every instance takes in turn.
"""

from __future__ import annotations

import argparse
import json
import os
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
from common import PG_DSN, RawPostgres, report, settings_for
from write_http import (
    ASSESS,
    BIN,
    Client,
    bare_command,
    caught_up,
    concurrent_rate,
    free_port,
    seed,
    server,
    service_env,
)

from api.server import PROCESSOR_NICENESS, server_options

TICK = os.sysconf("SC_CLK_TCK")


def process_cpu(pid: int, niced: bool | None = None) -> float:
    """CPU seconds (user + system) a process has used; 0 if it is gone.

    With `niced`, only a process that is (True) or is not (False) running
    at PROCESSOR_NICENESS counts: that tells the processor process apart
    from the HTTP workers.
    """
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    if niced is not None and (int(fields[16]) == PROCESSOR_NICENESS) != niced:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / TICK


def tree(root: int) -> set[int]:
    """The process and every descendant."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            parents[int(entry.name)] = int(stat[1])
    found, grew = {root}, True
    while grew:
        grew = False
        for pid, parent in parents.items():
            if parent in found and pid not in found:
                found.add(pid)
                grew = True
    return found


class CpuMeter:
    """CPU of a server's process tree and of its PostgreSQL backends.

    Backends come and go with the connection pools, so a thread samples them
    every SAMPLE seconds and keeps each one's last reading; one that ends
    between samples loses at most that interval's CPU (an undercount).
    """

    SAMPLE = 0.2

    def __init__(self, root: int, application: str) -> None:
        self.root, self.application = root, application
        self.seen: dict[int, tuple[float, float]] = {}  # pid -> (first, last)
        self.lock = threading.Lock()
        self.stop = threading.Event()
        self.conn = psycopg.connect(PG_DSN, autocommit=True)
        threading.Thread(target=self._sample, daemon=True).start()

    def _backends(self) -> list[int]:
        query = "SELECT pid FROM pg_stat_activity WHERE application_name = %s"
        return [int(row[0]) for row in self.conn.execute(query, (self.application,))]

    def _sample(self) -> None:
        while not self.stop.wait(self.SAMPLE):
            self.read()

    def read(self) -> None:
        """Take one reading of every backend."""
        for pid in self._backends():
            used = process_cpu(pid)
            with self.lock:
                first, _ = self.seen.get(pid, (used, used))
                self.seen[pid] = (first, used)

    def server(self, niced: bool | None = None) -> float:
        """The server's processes' CPU seconds so far (see process_cpu)."""
        return sum(process_cpu(pid, niced) for pid in tree(self.root))

    def database(self) -> float:
        """The backends' CPU seconds so far (since the meter started)."""
        self.read()
        with self.lock:
            return sum(last for _, last in self.seen.values())

    @contextmanager
    def counting(self, into: dict[str, float]) -> Iterator[None]:
        """Add the block's server and database CPU seconds to `into`."""
        before = self.readings()
        yield
        for name, value in self.readings().items():
            into[name] = into.get(name, 0.0) + value - before[name]

    def readings(self) -> dict[str, float]:
        """CPU seconds so far: every server process, the processor, the backends."""
        return {
            "server": self.server(),
            "processor": self.server(niced=True),
            "database": self.database(),
        }

    def close(self) -> None:
        """Stop sampling."""
        self.stop.set()
        self.conn.close()


def table_stats(schema: str) -> tuple[int, int]:
    """Rows written (inserted + updated) and bytes held by the schema's tables."""
    with psycopg.connect(PG_DSN, autocommit=True) as conn:
        conn.execute("SELECT pg_stat_clear_snapshot()")
        row = conn.execute(
            "SELECT coalesce(sum(n_tup_ins + n_tup_upd), 0), "
            "coalesce(sum(pg_total_relation_size(relid)), 0) "
            "FROM pg_stat_user_tables WHERE schemaname = %s",
            (schema,),
        ).fetchone()
    assert row is not None
    return int(row[0]), int(row[1])


def lock_ceiling(schema: str, count: int, rounds: int = 3) -> dict[str, object]:
    """Transactions per second of the event store's serialising step.

    Each is what eventsourcing's PostgreSQL recorder does for a write: take
    the table's EXCLUSIVE lock, insert, commit (synchronous commit: the lock
    is held until the commit's WAL flush). Every writer of every instance
    queues on this one lock, so its rate is the ceiling however many
    instances there are. The same insert without the lock, from as many
    connections, is the baseline (its commits share WAL flushes). Rounds
    alternate, as the disk's flush latency drifts.
    """
    raw = RawPostgres(schema)  # the table
    shapes = {
        "locked_1": (True, 1),
        "locked_8": (True, 8),
        "unlocked_8": (False, 8),
    }
    spent = dict.fromkeys(shapes, 0.0)
    for _ in range(rounds):
        for name, (locked, connections) in shapes.items():
            rate = concurrent_rate(
                inserter(schema, locked), connections, count // connections
            )
            spent[name] += count / rate
    figures: dict[str, object] = {
        f"event_store_step_per_s_{name}": round(rounds * count / seconds)
        for name, seconds in spent.items()
    }
    figures["synchronous_commit"] = raw.synchronous
    return figures


def inserter(schema: str, locked: bool) -> Callable[[], Callable[[], object]]:
    """A factory of connections inserting one row per transaction."""

    def make() -> Callable[[], object]:
        conn = psycopg.connect(PG_DSN)

        def insert() -> None:
            if locked:
                conn.execute(f"LOCK TABLE {schema}.raw IN EXCLUSIVE MODE")
            conn.execute(
                f"INSERT INTO {schema}.raw VALUES (%s, 1, 't', %s)",
                (uuid.uuid4(), ASSESS),
            )
            conn.commit()

        return insert

    return make


def load_average() -> float:
    """The 1-minute load average now."""
    return float(Path("/proc/loadavg").read_text().split()[0])


def run(ops: int, clients: int, rounds: int) -> dict[str, object]:
    """Every figure, PostgreSQL only (the several-instances deployment)."""
    started, load_before = time.perf_counter(), load_average()
    with settings_for("postgres") as settings:
        options = server_options(settings)
        port, bare_port = free_port(), free_port()
        env = {
            **service_env(settings, port),
            "PMO_LEDGER_BLOB_BACKEND": "database",
            "PGAPPNAME": f"cap-app-{port}",
        }
        bare_schema = RawPostgres(settings.postgres_schema).schema
        bare = bare_command(options, bare_port)
        bare_env = {
            "BARE_DATABASE": f"pg:{bare_schema}",
            "PGAPPNAME": f"cap-bare-{port}",
        }
        with (
            server([str(BIN / "pmo-ledger"), "serve"], env, port) as app_process,
            server(bare, bare_env, bare_port) as bare_process,
        ):
            risks = seed(port, clients * 4)
            probe = Client(port)
            caught_up(probe)
            project = Client(port).get("/api/v1/projects", token=True)
            project_id = project["items"][0]["id"]  # type: ignore[index]
            app_meter = CpuMeter(app_process.pid, env["PGAPPNAME"])
            bare_meter = CpuMeter(bare_process.pid, bare_env["PGAPPNAME"])
            cpu: dict[str, dict[str, float]] = {
                k: {} for k in ("write", "bare_write", "read", "bare_read")
            }
            rates = {"write": 0.0, "bare_write": 0.0}
            per = max(ops // clients // rounds, 5)
            done = per * clients * rounds
            rows_before = table_stats(settings.postgres_schema)
            for _ in range(rounds):
                with app_meter.counting(cpu["write"]):
                    rates["write"] += concurrent_rate(
                        assessor(port, risks, clients), clients, per
                    )
                    caught_up(probe)  # the processors' share of the writes
                with bare_meter.counting(cpu["bare_write"]):
                    rates["bare_write"] += concurrent_rate(
                        bare_writer(bare_port), clients, per
                    )
                with app_meter.counting(cpu["read"]):
                    concurrent_rate(reader(port, project_id), clients, per)
                with bare_meter.counting(cpu["bare_read"]):
                    concurrent_rate(bare_reader(bare_port), clients, per)
            time.sleep(1.5)  # the statistics collector's flush interval
            rows_after = table_stats(settings.postgres_schema)
            app_meter.close()
            bare_meter.close()
        ceiling = lock_ceiling(settings.postgres_schema, 200)
    ms = {
        f"{kind}_{side}_cpu_ms": round(used * 1000 / done, 2)
        for kind, spent in cpu.items()
        for side, used in spent.items()
    }
    write = cpu["write"]["server"] + cpu["write"]["database"]
    bare_write = cpu["bare_write"]["server"] + cpu["bare_write"]["database"]
    read = cpu["read"]["server"] + cpu["read"]["database"]
    bare_read = cpu["bare_read"]["server"] + cpu["bare_read"]["database"]
    # Both servers' tables live in one schema: the bare one adds one row per write.
    rows = rows_after[0] - rows_before[0] - done
    return {
        "server": f"{options['workers']}x{options['threads']} gthread",
        "requests_each": done,
        **ms,
        "write_cpu_ms": round(write * 1000 / done, 2),
        "write_vs_bare_cpu": round(write / bare_write, 2),
        "read_cpu_ms": round(read * 1000 / done, 2),
        "read_vs_bare_cpu": round(read / bare_read, 2),
        "writes_per_s": round(rates["write"] / rounds),
        "bare_writes_per_s": round(rates["bare_write"] / rounds),
        "rows_written_per_write": round(rows / done, 1),
        "bytes_per_write": round((rows_after[1] - rows_before[1]) / done),
        **ceiling,
        "load_average_before": load_before,
        "load_average_after": load_average(),
        "wall_seconds": round(time.perf_counter() - started, 1),
    }


def assessor(
    port: int, risks: list[str], clients: int
) -> Callable[[], Callable[[], object]]:
    """A factory of clients assessing their own share of the risks."""
    shares = iter(range(clients))

    def make() -> Callable[[], object]:
        client, mine = Client(port), risks[next(shares) % clients :: clients]
        turn = iter(range(10**9))
        return lambda: client.post(
            f"/api/v1/risks/{mine[next(turn) % len(mine)]}/assessments", ASSESS
        )

    return make


def bare_writer(port: int) -> Callable[[], Callable[[], object]]:
    """A factory of clients of the bare insert."""

    def make() -> Callable[[], object]:
        client = Client(port)
        return lambda: client.post("/raw", ASSESS * 4, token=False)

    return make


def reader(port: int, project: str) -> Callable[[], Callable[[], object]]:
    """A factory of clients reading the first register page of 50."""

    def make() -> Callable[[], object]:
        client = Client(port)
        return lambda: client.get(f"/api/v1/projects/{project}/risks?limit=50", True)

    return make


def bare_reader(port: int) -> Callable[[], Callable[[], object]]:
    """A factory of clients reading the bare table's newest 50 rows."""

    def make() -> Callable[[], object]:
        client = Client(port)
        return lambda: client.get("/raw")

    return make


def main() -> None:
    """Run and report."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--ops", type=int, default=400)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    result = {"ops": args.ops, "clients": args.clients}
    result.update(run(args.ops, args.clients, args.rounds))
    report("capacity", result)
    print(json.dumps(result))


if __name__ == "__main__":
    main()

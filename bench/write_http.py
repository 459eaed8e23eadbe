"""Command writes over HTTP through `pmo-ledger serve` vs a bare Flask insert endpoint.

    .venv/bin/python bench/write_http.py [--backend sqlite|postgres|both]
        [--writes 400] [--clients 16]

Both servers run under gunicorn with api/gunicorn_conf.py and the workers and
threads `pmo-ledger serve` picks for the backend (api.server.server_options).
The service runs its read-model and ledger processors in their own process
beside the workers, as in production. Clients hold keep-alive connections
(http.client).
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import Any

from common import RawPostgres, RawSQLite, interleaved, report, settings_for

from api.server import server_options
from service.config import Settings

BIN = Path(sys.executable).parent
TOKEN = "pmo_bench_" + "x" * 40
ASSESS = json.dumps(
    {
        "inherent_probability": 3,
        "inherent_impact": 3,
        "residual_probability": 2,
        "residual_impact": 2,
        "reason": "bench",
    }
).encode()
RISK = {
    "title": "r",
    "cause": "c",
    "event": "e",
    "effect": "f",
    "category": "cost",
    "kind": "threat",
    "owner": "o",
    "proximity": "imminent",
    "probability": 3,
    "impact": 3,
}


def free_port() -> int:
    """An unused local TCP port."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def server(
    command: list[str], env: dict[str, str], port: int
) -> Iterator[subprocess.Popen[bytes]]:
    """Run a server process until the block ends; wait until it answers."""
    process = subprocess.Popen(
        command,
        env={**os.environ, **env},
        cwd=Path(__file__).parent,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.2)
        time.sleep(1)
        yield process
    finally:
        process.terminate()
        process.wait(timeout=30)


class Client:
    """A keep-alive HTTP client; `post` raises on anything but 2xx."""

    def __init__(self, port: int) -> None:
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)

    def get(self, path: str, token: bool = False) -> dict[str, object]:
        """GET a JSON answer (no token by default: for the probes)."""
        headers = {"Authorization": f"Bearer {TOKEN}"} if token else {}
        self.conn.request("GET", path, headers=headers)
        response = self.conn.getresponse()
        data = response.read()
        if response.status >= 300:
            raise RuntimeError(f"{path}: {response.status} {data[:200]!r}")
        return dict(json.loads(data))

    def post(self, path: str, body: bytes, token: bool = True) -> dict[str, object]:
        """POST a JSON body; return the decoded answer."""
        headers = {"Content-Type": "application/json"}
        if token:
            headers["Authorization"] = f"Bearer {TOKEN}"
        self.conn.request("POST", path, body, headers)
        response = self.conn.getresponse()
        data = response.read()
        if response.status >= 300:
            raise RuntimeError(f"{path}: {response.status} {data[:200]!r}")
        return dict(json.loads(data))


def caught_up(client: Client, timeout: float = 60.0) -> None:
    """Wait (untimed) until every read model has processed every event.

    The service's processors run beside the workers; work a round of writes
    left them must not land in the baseline's next round.
    """
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        ready = client.get("/readyz")
        models: list[dict[str, int]] = ready["read_models"]  # type: ignore[assignment]
        if not any(row["lag"] for row in models):
            return
        time.sleep(0.05)
    raise RuntimeError("the read models did not catch up")


def concurrent_rate(
    make: Callable[[], Callable[[], object]], clients: int, per: int
) -> float:
    """Requests per second with `clients` threads, each its own connection."""
    actions = [make() for _ in range(clients)]
    errors: list[BaseException] = []

    def work(action: Callable[[], object]) -> None:
        try:
            for _ in range(per):
                action()
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=work, args=(a,)) for a in actions]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    if errors:
        raise errors[0]
    return clients * per / elapsed


def gunicorn(settings: Settings, app: str, port: int) -> list[str]:
    """A bench app under gunicorn with the settings `pmo-ledger serve` would use."""
    options = server_options(settings)
    return [
        str(BIN / "gunicorn"),
        "-c",
        str(Path(__file__).parents[1] / "api" / "gunicorn_conf.py"),
        f"--workers={options['workers']}",
        f"--threads={options['threads']}",
        f"--bind=127.0.0.1:{port}",
        app,
    ]


def bare_server(settings: Settings, port: int) -> AbstractContextManager[None]:
    """The bare insert endpoint (bench/bare_app.py) on the store's backend."""
    if settings.backend == "sqlite":  # the table made here: no CREATE races in workers
        bare_db = str(RawSQLite(settings.data_dir / "raw.db").path)
    else:
        bare_db = f"pg:{RawPostgres(settings.postgres_schema).schema}"
    return server(
        gunicorn(settings, "bare_app:app", port), {"BARE_DATABASE": bare_db}, port
    )


def run(backend: str, writes: int, clients: int) -> dict[str, object]:
    """Every HTTP figure for one backend."""
    started = time.perf_counter()
    with settings_for(backend) as settings:
        options = server_options(settings)
        port, bare_port = free_port(), free_port()
        env = service_env(settings, port)
        with (
            server([str(BIN / "pmo-ledger"), "serve"], env, port),
            bare_server(settings, bare_port),
        ):
            risks = seed(port, clients * 4)
            state = ASSESS * 4
            app, raw, probe = Client(port), Client(bare_port), Client(port)
            caught_up(probe)
            counter = iter(range(10**9))
            rates = interleaved(
                {
                    "raw": lambda: raw.post("/raw", state, token=False),
                    "assess": lambda: app.post(
                        f"/api/v1/risks/{risks[next(counter) % len(risks)]}"
                        "/assessments",
                        ASSESS,
                    ),
                },
                writes,
                settle=lambda: caught_up(probe),
            )
            per = max(writes // clients, 10)
            shares = iter(range(clients))

            def assess_client() -> Callable[[], object]:
                client, mine = Client(port), risks[next(shares) :: clients]
                turn = iter(range(10**9))
                return lambda: client.post(
                    f"/api/v1/risks/{mine[next(turn) % len(mine)]}/assessments", ASSESS
                )

            def raw_client() -> Callable[[], object]:
                client = Client(bare_port)
                return lambda: client.post("/raw", state, token=False)

            app_concurrent = concurrent_rate(assess_client, clients, per)
            caught_up(probe)
            raw_concurrent = concurrent_rate(raw_client, clients, per)
    return {
        f"{backend}_server": f"{options['workers']}x{options['threads']} gthread",
        f"{backend}_bare_http_per_s": round(rates["raw"]),
        f"{backend}_assess_http_per_s": round(rates["assess"]),
        f"{backend}_assess_http_vs_bare": round(rates["assess"] / rates["raw"], 2),
        f"{backend}_bare_{clients}_clients_per_s": round(raw_concurrent),
        f"{backend}_assess_{clients}_clients_per_s": round(app_concurrent),
        f"{backend}_{clients}_clients_vs_bare_{clients}": round(
            app_concurrent / raw_concurrent, 2
        ),
        f"{backend}_{clients}_clients_vs_bare_single": round(
            app_concurrent / rates["raw"], 2
        ),
        f"{backend}_wall_seconds": round(time.perf_counter() - started, 1),
    }


def service_env(settings: Settings, port: int) -> dict[str, str]:
    """The environment `pmo-ledger serve` runs the bench with."""
    return {
        "PMO_LEDGER_DATA_DIR": str(settings.data_dir),
        "PMO_LEDGER_DATABASE_URL": settings.database_url,
        "PMO_LEDGER_PORT": str(port),
        "PMO_LEDGER_BOOTSTRAP_TOKEN": TOKEN,
    }


def bare_command(options: dict[str, Any], port: int) -> list[str]:
    """The bare app under gunicorn with the service's configuration and counts."""
    return [
        str(BIN / "gunicorn"),
        "-c",
        str(Path(__file__).parents[1] / "api" / "gunicorn_conf.py"),
        f"--workers={options['workers']}",
        f"--threads={options['threads']}",
        f"--bind=127.0.0.1:{port}",
        "bare_app:app",
    ]


def seed(port: int, count: int) -> list[str]:
    """A project and `count` risks, made over HTTP; return the risk ids."""
    client = Client(port)
    project = client.post(
        "/api/v1/projects",
        json.dumps(
            {"code": "BENCH", "name": "Bench", "sponsor": "S", "manager": "M"}
        ).encode(),
    )["id"]
    body = json.dumps(RISK).encode()
    return [
        str(client.post(f"/api/v1/projects/{project}/risks", body)["id"])
        for _ in range(count)
    ]


def main() -> None:
    """Run and report."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--backend", default="both")
    parser.add_argument("--writes", type=int, default=400)
    parser.add_argument("--clients", type=int, default=16)
    args = parser.parse_args()
    backends = ["sqlite", "postgres"] if args.backend == "both" else [args.backend]
    result: dict[str, object] = {"writes": args.writes, "clients": args.clients}
    for backend in backends:
        result.update(run(backend, args.writes, args.clients))
    report("write_http", result)


if __name__ == "__main__":
    main()

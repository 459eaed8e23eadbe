"""Ours, the Continuum peer and the bare endpoint over HTTP, side by side in one run.

    .venv/bin/python bench/peer_continuum.py [--backend sqlite|postgres|both]
        [--risks 1000] [--updates 100] [--rounds 5] [--requests 40]
        [--clients 8] [--writes 100]

Each store gets `risks` risks identified and `updates` assessments of each, one
transaction per command (ours through PmoApplication commands, the peer through
Continuum), before its server starts; the as-of instant is half-way through the
updates. Then `pmo-ledger serve`, bench/peer_app.py and bench/bare_app.py run
under gunicorn with the same configuration, workers and threads, and every
figure is measured in rounds that alternate the sides, so a ratio compares like
with like on a shared machine; the figures are medians of the rounds, with the
load average sampled at each round.

Reads: a register page of 50 now and as of the instant (median latency of
`requests` sequential GETs), page 1,000 of 1 against page 1 of 1 (keyset paging
stays flat), requests/s of the page with `clients` clients, and the whole
register as of the instant in pages of 200. Writes: an assessment per request,
one client and `clients` clients, against the peer and the bare insert.
Storage: bytes per risk version of each table, after the read models caught up.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import partial
from itertools import count
from pathlib import Path
from typing import Any

import psycopg
import sqlalchemy_continuum
from common import META, PG_DSN, RISK, ratings, report, settings_for
from peer_app import RiskRow as PeerRisk
from peer_app import add_token, new_risk, peer_engine
from sqlalchemy.orm import Session
from storage import table_bytes
from write_http import (
    ASSESS,
    BIN,
    TOKEN,
    Client,
    bare_server,
    caught_up,
    concurrent_rate,
    free_port,
    gunicorn,
    server,
)

from service.config import Settings
from usecases.root import build_services


@dataclass
class Side:
    """One server under test: where it listens and what it holds."""

    name: str
    port: int
    project: str
    risks: list[str]
    as_of: str
    figures: dict[str, list[float]] = field(default_factory=dict)

    def page(self, limit: int, as_of: bool = False, after: str | None = None) -> str:
        """The path of a page of the project's risks."""
        path = f"/api/v1/projects/{self.project}/risks?limit={limit}"
        if as_of:
            path += f"&as_of={self.as_of}"
        return path + (f"&after={after}" if after else "")

    def note(self, name: str, value: float) -> None:
        """Keep one round's figure."""
        self.figures.setdefault(name, []).append(value)


def instant() -> str:
    """Now, as an ISO 8601 query value."""
    return datetime.now(UTC).isoformat().replace("+00:00", "Z")


def seed_ours(settings: Settings, risks: int, updates: int) -> Side:
    """The workload through PmoApplication commands, before the server starts."""
    services = build_services(settings)
    app = services.app
    project = app.register_project("PEER", "Peer", "", "S", "M", META).id
    ids = [app.perform("identify_risk", project, RISK, META).id for _ in range(risks)]
    as_of = instant()
    for n in range(updates):
        for risk_id in ids:
            app.perform("assess_risk", risk_id, ratings(3, 3, 1 + n % 5, 2), META)
        if n == updates // 2:
            as_of = instant()
    services.close()
    return Side("ours", free_port(), str(project), [str(i) for i in ids], as_of)


def seed_peer(url: str, schema: str | None, risks: int, updates: int) -> Side:
    """The same workload through Continuum, one commit per version."""
    engine = peer_engine(url, schema)
    add_token(engine, TOKEN)
    project = "00000000-0000-4000-8000-000000000001"
    with Session(engine) as session:
        ids = []
        for _ in range(risks):
            row = new_risk(project, dict(RISK))
            session.add(row)
            session.commit()
            ids.append(row.id)
        as_of = instant()
        for n in range(updates):
            for risk_id in ids:
                row = session.get_one(PeerRisk, risk_id)
                row.residual_probability, row.residual_impact = 1 + n % 5, 2
                session.commit()
            if n == updates // 2:
                as_of = instant()
    engine.dispose()
    return Side("peer", free_port(), project, [str(i) for i in ids], as_of)


def timed(action: Callable[[], object]) -> float:
    """Milliseconds of one call."""
    started = time.perf_counter()
    action()
    return (time.perf_counter() - started) * 1000


def whole_register(client: Client, side: Side) -> int:
    """Every risk as of the instant, in pages of 200; how many."""
    seen, cursor = 0, None
    while True:
        page = client.get(side.page(200, as_of=True, after=cursor), token=True)
        seen += len(page["items"])  # type: ignore[arg-type]
        cursor = page["next_cursor"]  # type: ignore[assignment]
        if cursor is None:
            return seen


def last_cursor(client: Client, side: Side) -> str:
    """The cursor after the second-to-last risk (page `risks` of 1 follows it)."""
    cursor = None
    for _ in range(len(side.risks) - 1):
        cursor = client.get(side.page(1, after=cursor), token=True)["next_cursor"]
    assert isinstance(cursor, str)
    return cursor


def read_round(side: Side, requests: int, clients: int, deep: str) -> None:
    """One round of every read figure for one side."""
    client = Client(side.port)
    get = client.get
    for name, path in (
        ("page_current_ms", side.page(50)),
        ("page_as_of_ms", side.page(50, as_of=True)),
        ("page_1_of_1_ms", side.page(1)),
        ("page_last_of_1_ms", side.page(1, after=deep)),
    ):
        get(path, token=True)
        samples = [timed(partial(get, path, True)) for _ in range(requests)]
        side.note(name, statistics.median(samples))
    side.note("whole_as_of_ms", timed(lambda: whole_register(client, side)))

    def reader() -> Callable[[], object]:
        mine = Client(side.port)
        return lambda: mine.get(side.page(50), token=True)

    side.note("page_per_s", concurrent_rate(reader, clients, requests))


def assessments(side: Side, turn: Iterator[int]) -> Callable[[], object]:
    """A client assessing the side's risks in turn (clients share the turn)."""
    client, mine = Client(side.port), side.risks
    return lambda: client.post(
        f"/api/v1/risks/{mine[next(turn) % len(mine)]}/assessments", ASSESS
    )


def write_round(sides: list[Side], bare: int, writes: int, clients: int) -> None:
    """One round of writes at 1 and `clients` clients: ours, the peer, bare.

    Our read models catch up (untimed) after each figure, so work one figure
    left them does not land in the next; a fresh probe each time, since an
    idle keep-alive connection is closed by the server after 5 s.
    """
    ours = sides[0]
    for side in sides:
        assessor = partial(assessments, side, count())
        side.note("write_1_per_s", concurrent_rate(assessor, 1, writes))
        caught_up(Client(ours.port))
        side.note(
            f"write_{clients}_per_s",
            concurrent_rate(assessor, clients, writes // clients),
        )
        caught_up(Client(ours.port))
    raw = sides[-1]

    def inserter() -> Callable[[], object]:
        client = Client(bare)
        return lambda: client.post("/raw", ASSESS * 4, token=False)

    raw.note("bare_write_1_per_s", concurrent_rate(inserter, 1, writes))
    raw.note(
        f"bare_write_{clients}_per_s",
        concurrent_rate(inserter, clients, writes // clients),
    )


@contextmanager
def peer_store(settings: Settings) -> Iterator[tuple[str, str | None]]:
    """The peer's database beside ours: a file, or a schema of its own."""
    if settings.backend == "sqlite":
        yield f"sqlite:///{settings.data_dir / 'continuum.db'}", None
        return
    schema = f"{settings.postgres_schema}_peer"
    with psycopg.connect(PG_DSN, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
    try:
        yield PG_DSN.replace("postgresql://", "postgresql+psycopg://"), schema
    finally:
        with psycopg.connect(PG_DSN, autocommit=True) as conn:
            conn.execute(f"DROP SCHEMA {schema} CASCADE")


def run(backend: str, args: argparse.Namespace) -> dict[str, object]:
    """Every figure for one backend."""
    result: dict[str, object] = {}
    with settings_for(backend) as settings, peer_store(settings) as (url, schema):
        ours = seed_ours(settings, args.risks, args.updates)
        peer = seed_peer(url, schema, args.risks, args.updates)
        bare = free_port()
        env = {
            "PMO_LEDGER_DATA_DIR": str(settings.data_dir),
            "PMO_LEDGER_DATABASE_URL": settings.database_url,
            "PMO_LEDGER_PORT": str(ours.port),
            "PMO_LEDGER_BOOTSTRAP_TOKEN": TOKEN,
        }
        peer_env = {"PEER_DATABASE": url, "PEER_SCHEMA": schema or ""}
        loads: list[float] = []
        with ExitStack() as running:
            running.enter_context(
                server([str(BIN / "pmo-ledger"), "serve"], env, ours.port)
            )
            running.enter_context(
                server(
                    gunicorn(settings, "peer_app:app", peer.port), peer_env, peer.port
                )
            )
            running.enter_context(bare_server(settings, bare))
            caught_up(Client(ours.port), timeout=1800)
            result.update(storage(settings, url, schema, args))
            deep = {s.name: last_cursor(Client(s.port), s) for s in (ours, peer)}
            for n in range(args.rounds):
                loads.append(os.getloadavg()[0])
                for side in (ours, peer) if n % 2 == 0 else (peer, ours):
                    read_round(side, args.requests, args.clients, deep[side.name])
            for _ in range(args.rounds):
                loads.append(os.getloadavg()[0])
                write_round([ours, peer], bare, args.writes, args.clients)
    result["load_average_median"] = round(statistics.median(loads), 2)
    result["load_average_max"] = round(max(loads), 2)
    return {f"{backend}_{k}": v for k, v in (result | ratios(ours, peer, args)).items()}


def ratios(ours: Side, peer: Side, args: argparse.Namespace) -> dict[str, Any]:
    """Each side's medians, and ours against the peer and the bare endpoint."""
    mine = {k: statistics.median(v) for k, v in ours.figures.items()}
    theirs = {k: statistics.median(v) for k, v in peer.figures.items()}
    shown = {f"ours_{k}": round(v, 2) for k, v in mine.items()}
    shown |= {f"peer_{k}": round(v, 2) for k, v in theirs.items()}
    for name in ("page_current_ms", "page_as_of_ms", "whole_as_of_ms", "page_per_s"):
        shown[f"{name}_vs_peer"] = round(mine[name] / theirs[name], 2)
    shown["page_last_vs_page_1"] = round(
        mine["page_last_of_1_ms"] / mine["page_1_of_1_ms"], 2
    )
    for n in (1, args.clients):
        shown[f"write_{n}_vs_bare"] = round(
            mine[f"write_{n}_per_s"] / theirs[f"bare_write_{n}_per_s"], 2
        )
        shown[f"write_{n}_vs_peer"] = round(
            mine[f"write_{n}_per_s"] / theirs[f"write_{n}_per_s"], 2
        )
    return shown


def storage(
    settings: Settings, url: str, schema: str | None, args: argparse.Namespace
) -> dict[str, object]:
    """Bytes per risk version of every table, ours and the peer's."""
    versions = args.risks * (args.updates + 1)
    if settings.backend == "sqlite":
        ours = table_bytes(settings.sqlite_path) | table_bytes(
            settings.sqlite_path.with_name("views.db")
        )
        theirs = table_bytes(Path(url.removeprefix("sqlite:///")))
    else:
        ours = table_bytes(settings.postgres_schema)
        theirs = table_bytes(schema or "public")
    shown: dict[str, object] = {
        f"ours_bytes_per_version_{t}": round(b / versions)
        for t, b in sorted(ours.items(), key=lambda x: -x[1])
        if b / versions >= 1
    }
    shown |= {
        f"peer_bytes_per_version_{t}": round(b / versions) for t, b in theirs.items()
    }
    shown["ours_bytes_per_version"] = round(sum(ours.values()) / versions)
    shown["peer_bytes_per_version"] = round(sum(theirs.values()) / versions)
    shown["storage_vs_peer"] = round(sum(ours.values()) / sum(theirs.values()), 2)
    return shown


def main() -> None:
    """Run on each backend and report."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--backend", default="both")
    parser.add_argument("--risks", type=int, default=1000)
    parser.add_argument("--updates", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--requests", type=int, default=40)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--writes", type=int, default=100)
    args = parser.parse_args()
    backends = ["sqlite", "postgres"] if args.backend == "both" else [args.backend]
    result: dict[str, object] = {
        **{k: v for k, v in vars(args).items() if k != "backend"},
        "sqlalchemy_continuum": sqlalchemy_continuum.__version__,
    }
    for backend in backends:
        result.update(run(backend, args))
    report("peer_continuum", result)


if __name__ == "__main__":
    main()

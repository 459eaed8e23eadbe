"""The UI's register page with 10,000 entries, against the same page with 10.

Two projects in one store: one with BASE (50, one full page) risks, one with
10,000 (or --entries), recorded
through the CSV import path (`service.importer.import_rows`, the real
aggregates and commit) a thousand rows per commit. Once the read models have
caught up, a signed-in UI client (the Flask test client over the real app, the
session checks included; no socket) asks for each page in interleaved rounds:
the first page (50 rows, the default), the first page of a free-text search,
and the second page by cursor (the small register's first page stands in for
its baseline). Each case's median over the large register is
divided by the same case's median over the small one from the same run. The
issue's target: the first page of 10,000 served in under 200 ms. Usage:

    .venv/bin/python bench/ui_register_page.py [--entries 10000]
        [--backend sqlite|postgres|both] [--rounds 60]
"""

from __future__ import annotations

import argparse
import gc
import re
import statistics
import time
from collections.abc import Callable
from typing import Any
from uuid import UUID

from common import RISK, report, settings_for

from api import create_app
from service.domain.base import Meta
from service.importer import import_rows
from usecases.membership import grant_existing_tokens
from usecases.root import Services, build_services

HEAD = Meta("bench", "pmo-head", "benchmark", "bench-ui")
BASE = 50  # one full page: both sides render the same number of rows
BATCH = 1000  # rows per commit while filling
TARGET_MS = 200.0
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
NEXT = re.compile(r'href="[^"]*[?&;]after=([^"&]+)')


def fill(services: Services, code: str, entries: int) -> UUID:
    """A project with `entries` open risks, recorded through the import path."""
    project = services.app.register_project(code, code, "", "Sam", "Max", HEAD).id
    categories = ("cost", "schedule", "quality", "scope")
    for start in range(0, entries, BATCH):
        rows = [
            (
                n + 2,
                {
                    **{k: str(v) for k, v in RISK.items()},
                    "title": f"Risk {n} of {code}" + (" crane" if n % 97 == 0 else ""),
                    "category": categories[n % len(categories)],
                    "probability": str(1 + n % 5),
                    "impact": str(1 + (n // 5) % 5),
                },
            )
            for n in range(start, min(start + BATCH, entries))
        ]
        import_rows(services.app, "risks", rows, "bench.csv", code, "bench")
    return project


def signed_in(services: Services) -> Any:
    """A UI client signed in as the PMO head through the login form."""
    secret = services.app.issue_token("bench-head", "pmo-head", HEAD).secret
    grant_existing_tokens(services, HEAD)
    client = create_app(services=services).test_client()
    found = CSRF.search(client.get("/ui/login").text)
    assert found is not None
    answer = client.post("/ui/login", data={"token": secret, "csrf_token": found[1]})
    assert answer.status_code == 302, answer.status_code
    return client


def cases(client: Any, project: UUID) -> dict[str, Callable[[], int]]:
    """Each page asked for, as a call returning the bytes served."""
    path = f"/ui/projects/{project}/risks"
    first = client.get(path)
    cursor = NEXT.search(first.text)

    def get(query: dict[str, str]) -> Callable[[], int]:
        def call() -> int:
            answer = client.get(path, query_string=query)
            assert answer.status_code == 200, answer.status_code
            return len(answer.data)

        return call

    found = {"first_page": get({}), "search": get({"q": "crane"})}
    # A page by cursor; a register of one page has none, so its first stands in.
    found["second_page"] = get({"after": cursor[1]}) if cursor else found["first_page"]
    return found


def time_pages(
    table: dict[int, dict[str, Callable[[], int]]], rounds: int
) -> tuple[dict[str, dict[int, float]], dict[str, int]]:
    """Median ms of each case per size, sizes alternating; bytes of the largest."""
    sizes = sorted(table)
    names = [n for n in table[sizes[-1]] if all(n in table[s] for s in sizes)]
    medians: dict[str, dict[int, float]] = {}
    served: dict[str, int] = {}
    for name in names:
        samples: dict[int, list[float]] = {size: [] for size in sizes}
        for size in sizes:
            served[name] = table[size][name]()  # warm: caches, statements
        gc.collect()
        for n in range(rounds):
            for size in sizes[n % 2 :] + sizes[: n % 2]:
                started = time.perf_counter()
                table[size][name]()
                samples[size].append(time.perf_counter() - started)
        medians[name] = {s: statistics.median(t) * 1000 for s, t in samples.items()}
    return medians, served


def run(backend: str, entries: int, rounds: int) -> dict[str, object]:
    """Fill, catch up, time; the figures of one backend."""
    with settings_for(backend) as settings:
        services = build_services(settings, start_processors=True)
        try:
            started = time.perf_counter()
            small = fill(services, "SMALL", BASE)
            large = fill(services, "LARGE", entries)
            filled = time.perf_counter() - started
            if not services.views.wait_for(services.app.head_position(), 3600):
                raise SystemExit("the read models did not catch up")
            caught_up = time.perf_counter() - started - filled
            client = signed_in(services)
            table = {BASE: cases(client, small), entries: cases(client, large)}
            medians, served = time_pages(table, rounds)
        finally:
            services.close()
    result: dict[str, object] = {
        "entries": entries,
        "fill_s": round(filled, 1),
        "catch_up_s": round(caught_up, 1),
    }
    for name, by_size in medians.items():
        for size, ms in by_size.items():
            result[f"{name}_{size}_ms"] = round(ms, 2)
        result[f"{name}_ratio_{entries}_vs_{BASE}"] = round(
            by_size[entries] / by_size[BASE], 2
        )
        result[f"{name}_{entries}_bytes"] = served[name]
    first = medians["first_page"][entries]
    result["first_page_target_ms"] = TARGET_MS
    result["first_page_meets_target"] = first < TARGET_MS
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--entries", type=int, default=10_000)
    parser.add_argument("--backend", default="sqlite")
    parser.add_argument("--rounds", type=int, default=60)
    args = parser.parse_args()
    backends = ["sqlite", "postgres"] if args.backend == "both" else [args.backend]
    for backend in backends:
        print(f"{backend}: {args.entries} entries against {BASE}")
        found = run(backend, args.entries, args.rounds)
        report(f"ui_register_page_{backend}", {"backend": backend, **found})


if __name__ == "__main__":
    main()

"""The disposition worklist across projects against opening each document's dates.

Before issue 21 a records manager found what was due by reading every
document's retention (`GET /documents/{id}/retention`, here the use case
behind it). The worklist answers the same question for every project in one
call, filing each record by the file plan and checking holds over matters.
Both are timed in interleaved rounds over the same store; the figures are the
worklist's median (now and as at a moment) divided by the per-document loop's.
Usage:

    .venv/bin/python bench/records_worklist.py [--documents 1000]
        [--backend sqlite|postgres] [--rounds 5]
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from datetime import UTC, datetime

from common import report, settings_for

from service.domain.base import Meta
from usecases import content, disposition, fileplan, matters
from usecases.root import Services, build_services

CUSTODIAN = Meta("bench", "custodian", "benchmark", "bench-records")
PROJECTS = 10


def fill(services: Services, documents: int) -> list[object]:
    """Projects, a three-class plan, documents over them, one hold over a matter."""
    app = services.app
    for command in (
        fileplan.AddClass("GOV", "Governance", "project-record", "internal", "PMO"),
        fileplan.AddClass(
            "GOV.WP", "Working", "working-paper", "internal", "PMO", "GOV", ("wp",)
        ),
        fileplan.AddClass("DEL", "Deliverables", "deliverable", "internal", "PMO"),
    ):
        fileplan.add_class(services, command, CUSTODIAN)
    projects = [
        app.register_project(f"B{n}", f"B{n}", "", "S", "M", CUSTODIAN).id
        for n in range(PROJECTS)
    ]
    ids = [
        app.register_document(
            projects[n % PROJECTS],
            f"Doc {n}",
            "wp",
            "internal",
            "working-paper",
            "Cara",
            CUSTODIAN,
        ).id
        for n in range(documents)
    ]
    matters.place_hold(
        services,
        matters.PlaceMatterHold("M-1", "Claim", "Counsel", project_id=projects[0]),
        CUSTODIAN,
    )
    return ids


def median_seconds(action: Callable[[], object], rounds: int) -> float:
    """The median wall time of `rounds` runs."""
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    """Fill a store, time both ways, report the ratios."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--documents", type=int, default=1000)
    parser.add_argument("--backend", default="sqlite")
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    with settings_for(args.backend) as settings:
        services = build_services(settings)
        try:
            ids = fill(services, args.documents)
            moment = datetime.now(UTC)
            year = disposition.WorklistQuery(within_days=366)
            then = disposition.WorklistQuery(within_days=366, as_of=moment)

            def each_document() -> None:
                for document_id in ids:
                    content.disposal_date(services, content.VersionQuery(document_id))

            due = len(disposition.worklist(services, year))
            loop = median_seconds(each_document, args.rounds)
            now = median_seconds(
                lambda: disposition.worklist(services, year), args.rounds
            )
            past = median_seconds(
                lambda: disposition.worklist(services, then), args.rounds
            )
        finally:
            services.close()
    report(
        "records_worklist",
        {
            "backend": args.backend,
            "documents": args.documents,
            "due_within_a_year": due,
            "per_document_loop_s": loop,
            "worklist_now_s": now,
            "worklist_as_at_s": past,
            "worklist_now_ratio": now / loop,
            "worklist_as_at_ratio": past / loop,
        },
    )


if __name__ == "__main__":
    main()

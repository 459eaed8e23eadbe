"""A fast bulk generator of a realistic event log, through the real event encoding.

    .venv/bin/python bench/generate.py --events 1000000 [--database-url URL]
        [--data-dir DIR] [--seed 7] [--batch 5000]

Every event is recorded by a real domain aggregate (its command validates, its
`@event` method records) and stored with `app.mapper.to_stored_event`, then
written with `app.recorder.insert_events` a few thousand at a time. Command
handlers are bypassed (no per-command load, fast-forward or commit), so the log
is made at the encoding's speed, not the write path's.

The mix interleaves many entities at once, as a live PMO would: projects (with
their code reservations, stages and highlight reports), risks (identified,
assessed, responses planned, closed and reopened), issues, change requests
through their workflow, decisions (some superseded) and documents with versions
through review and approval, copies, holds and retention. Document versions
reference a small pool of blobs that are really stored, so readers and
verifiers find their content. Memory stays bounded: only the entities still in
progress are held, and a batch of stored events at a time.
"""

from __future__ import annotations

import argparse
import io
import random
import resource
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from datetime import date, timedelta
from pathlib import Path
from uuid import UUID

from eventsourcing.domain import Aggregate
from eventsourcing.persistence import StoredEvent

from projections.engine import create_views_engine
from service.app import PmoApplication
from service.config import Settings
from service.domain.base import Meta
from service.domain.change import ChangeRequest
from service.domain.decision import Decision
from service.domain.document import Document
from service.domain.issue import Issue
from service.domain.project import RAG_COLOURS, RAG_DIMENSIONS, Project, ProjectCode
from service.domain.risk import CATEGORIES, PROXIMITIES, RESPONSES, Risk
from usecases.root import build_blob_store

# A story records one entity's life (one or two aggregates), a command per step.
Story = Iterator[tuple[Aggregate, ...]]

OFFICER = Meta("olivia.officer", "project-officer", "routine update", "gen")
HEAD = Meta("pat.head", "pmo-head", "portfolio review", "gen")
CUSTODIAN = Meta("carl.custodian", "custodian", "custody", "gen")
OWNERS = ("Dana Rees", "Sam Ortiz", "Ana Kim", "Lee Chen", "Priya Shah")
# (weight, story) per entity kind; about one project per 250 events.
MIX = (("risk", 30), ("issue", 12), ("change", 12), ("decision", 5), ("document", 18))
ACTIVE = 400  # entities in progress at once (how far apart an entity's events are)
PROJECT_EVERY = 250  # events between new projects
RECENT_PROJECTS = 40  # new entities go to one of the newest projects
BLOBS = 16


class Generator:
    """Draws stories from a seeded mix and turns their events into stored events."""

    def __init__(
        self,
        app: PmoApplication,
        seed: int,
        mix: Sequence[tuple[str, int]] = MIX,
        project_every: int = PROJECT_EVERY,
    ) -> None:
        self.app = app
        self.project_every = project_every
        self.rng = random.Random(seed)
        self.seed = seed
        self.projects: list[UUID] = []
        self.registered = 0
        self.blobs = [self._store_blob(n) for n in range(BLOBS)]
        self.kinds: list[Callable[[], Story]] = []
        self.weights: list[int] = []
        for kind, weight in mix:
            self.kinds.append(getattr(self, kind))
            self.weights.append(weight)

    def _store_blob(self, n: int) -> tuple[str, int]:
        body = f"generated document body {n}\n".encode() * (50 + 37 * n)
        ref = self.app.blobs.put(io.BytesIO(body))
        return ref.sha256, ref.size

    def run(
        self,
        events: int,
        batch: int = 5000,
        progress: Callable[[int], None] | None = None,
    ) -> int:
        """Append at least `events` events (the last stories cut); return the count."""
        rng, mapper = self.rng, self.app.mapper
        active: list[Story] = []
        pending: list[StoredEvent] = []
        written, since_project = 0, self.project_every
        while written + len(pending) < events:
            if since_project >= self.project_every:
                # Registered at once: entries created from now on may belong to it.
                active.append(self.project())
                i, since_project = len(active) - 1, 0
            else:
                while len(active) < ACTIVE:
                    active.append(rng.choices(self.kinds, self.weights)[0]())
                i = rng.randrange(len(active))
            try:
                aggregates = next(active[i])
            except StopIteration:
                active[i] = active[-1]
                active.pop()
                continue
            for aggregate in aggregates:
                for event in aggregate.collect_events():
                    pending.append(mapper.to_stored_event(event))
                    since_project += 1
            if len(pending) >= batch:
                written += self._insert(pending, progress)
        if pending:
            written += self._insert(pending, progress)
        return written

    def _insert(
        self, pending: list[StoredEvent], progress: Callable[[int], None] | None
    ) -> int:
        count = len(pending)
        self.app.recorder.insert_events(pending)
        pending.clear()
        if progress:
            progress(count)
        return count

    def project_id(self) -> UUID:
        """One of the newest projects."""
        return self.rng.choice(self.projects[-RECENT_PROJECTS:])

    def project(self) -> Story:
        """Registered with its code, a stage, then highlight reports and stages."""
        rng = self.rng
        self.registered += 1
        code = f"G{self.seed % 1000}-{self.registered}"
        project = Project.register(
            code, f"Project {code}", "Generated", "Sponsor", rng.choice(OWNERS), HEAD
        )
        self.projects.append(project.id)
        del self.projects[:-RECENT_PROJECTS]
        yield project, ProjectCode(code, project.id, HEAD)
        project.change_stage("initiation", OFFICER)
        yield (project,)
        first = date(2026, 1, 5)
        for week in range(rng.randint(6, 14)):
            begin = first + timedelta(weeks=week)
            rag = {d: rng.choice(RAG_COLOURS) for d in RAG_DIMENSIONS}
            project.report_status(
                begin,
                begin + timedelta(days=6),
                rag,
                f"Week {week + 1}: work proceeding",
                "Workshops held",
                "Baseline the design",
                "within tolerance",
                "",
                OFFICER,
            )
            yield (project,)
            if week % 5 == 4:
                project.change_stage(f"delivery stage {week // 5 + 1}", OFFICER)
                yield (project,)

    def risk(self) -> Story:
        """Identified, assessed a few times, a response planned, maybe closed."""
        rng = self.rng
        kind = rng.choice(("threat", "threat", "threat", "opportunity"))
        risk = Risk.identify(
            self.project_id(),
            "Key supplier delivers late",
            "Because of current conditions",
            "the supplier misses the date",
            "Delay to the stage",
            rng.choice(CATEGORIES),
            kind,
            rng.choice(OWNERS),
            rng.choice(PROXIMITIES),
            rng.randint(1, 5),
            rng.randint(1, 5),
            OFFICER,
        )
        yield (risk,)
        for _ in range(rng.randint(1, 5)):
            p, i = rng.randint(1, 5), rng.randint(1, 5)
            risk.assess(p, i, max(1, p - rng.randint(0, 2)), max(1, i - 1), OFFICER)
            yield (risk,)
        risk.plan_response(
            rng.choice(RESPONSES[kind]), "Weekly review", rng.choice(OWNERS), OFFICER
        )
        yield (risk,)
        if rng.random() < 0.3:
            risk.close(OFFICER)
            yield (risk,)
            if rng.random() < 0.3:
                risk.reopen(OFFICER)
                yield (risk,)

    def issue(self) -> Story:
        """Raised, then examined, resolved and closed as far as it gets."""
        rng = self.rng
        issue = Issue.raise_issue(
            self.project_id(),
            rng.choice(("request-for-change", "off-specification", "problem-concern")),
            "Test environment unavailable",
            "Raised at the weekly checkpoint",
            rng.choice(("low", "medium", "high", "critical")),
            rng.choice(("minor", "significant", "major", "critical")),
            OFFICER,
        )
        yield (issue,)
        depth = rng.randint(0, 3)
        if depth >= 1:
            issue.examine("Two weeks' delay", "Accept; escalate", "Escalate", OFFICER)
            yield (issue,)
        if depth >= 2:
            issue.resolve("Escalated and agreed", OFFICER)
            yield (issue,)
        if depth >= 3:
            issue.close(OFFICER)
            yield (issue,)

    def change(self) -> Story:
        """Raised, assessed, decided, implemented and closed as its plan says."""
        rng = self.rng
        change = ChangeRequest.raise_request(
            self.project_id(),
            "Adjust the release scope",
            "Add one report",
            "Business need",
            None,
            OFFICER,
        )
        yield (change,)
        plan = rng.choice(
            (
                (),
                ("assess",),
                ("assess", "approve"),
                ("assess", "approve", "implement"),
                ("assess", "approve", "implement", "close"),
                ("assess", "reject", "close"),
                ("assess", "defer"),
                ("assess", "request-info", "assess"),
            )
        )
        for step in plan:
            if step == "assess":
                days = rng.randint(0, 30)
                change.assess_impact(
                    "12500.00", days, "One report", "None", "Low", "Higher", OFFICER
                )
            elif step == "implement":
                change.implement("Released in the sprint", OFFICER)
            elif step == "close":
                change.close(OFFICER)
            else:
                change.decide(step, "Change Authority Board", "Within budget", OFFICER)
            yield (change,)

    def decision(self) -> Story:
        """Recorded; a third are later superseded by a newer decision."""
        rng = self.rng
        project_id = self.project_id()
        first = self._decision(project_id, [])
        yield (first,)
        if rng.random() < 0.3:
            second = self._decision(project_id, [str(first.id)])
            first.supersede(str(second.id), OFFICER)
            yield second, first

    def _decision(self, project_id: UUID, related: list[str]) -> Decision:
        return Decision.record(
            project_id,
            "Choose delivery approach",
            "Two approaches were considered",
            ["waterfall", "agile", "hybrid"],
            "Hybrid delivery",
            "Vendor releases quarterly",
            "Project Board",
            date(2026, 3, 1) + timedelta(days=self.rng.randint(0, 300)),
            related,
            OFFICER,
        )

    def document(self) -> Story:
        """Registered; versions reviewed and approved; copies, holds, retention."""
        rng = self.rng
        doc = Document.register(
            self.project_id(),
            "Project Initiation Documentation",
            rng.choice(("pid", "business-case", "plan")),
            rng.choice(("internal", "confidential")),
            "project-record",
            "Carl",
            CUSTODIAN,
        )
        yield (doc,)
        for number in range(1, rng.randint(2, 5)):
            sha256, size = rng.choice(self.blobs)
            doc.submit_version(
                sha256, size, "text/plain", f"v{number}.txt", "Draft", OFFICER
            )
            yield (doc,)
            doc.send_for_review(number, OFFICER)
            yield (doc,)
            if rng.random() < 0.15:
                doc.withdraw_version(number, CUSTODIAN)
                yield (doc,)
                continue
            doc.approve_version(number, CUSTODIAN)
            yield (doc,)
            if rng.random() < 0.3:
                doc.issue_copy(number, "Project Board", "Stage review", CUSTODIAN)
                yield (doc,)
        if rng.random() < 0.1:
            doc.place_hold("LH-1", "Supplier dispute", "Counsel's instruction", HEAD)
            yield (doc,)
            doc.release_hold("LH-1", HEAD)
            yield (doc,)
        if rng.random() < 0.1:
            doc.extend_retention(date(2040, 12, 31), CUSTODIAN)
            yield (doc,)


def generate(
    app: PmoApplication,
    events: int,
    *,
    seed: int = 7,
    batch: int = 5000,
    mix: Sequence[tuple[str, int]] = MIX,
    project_every: int = PROJECT_EVERY,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Append at least `events` generated events to the application's store.

    `mix` weighs the kinds of entity ("risk", "issue", "change", "decision",
    "document"); a new project is registered every `project_every` events.
    """
    generator = Generator(app, seed, mix, project_every)
    return generator.run(events, batch, progress)


def main(argv: list[str] | None = None) -> None:
    """Generate into a store (a fresh temp SQLite one by default); print the rate."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--data-dir", type=Path, default=None)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--batch", type=int, default=5000)
    args = parser.parse_args(argv)
    data_dir = args.data_dir or Path(tempfile.mkdtemp(prefix="pmo-gen-"))
    url = args.database_url or f"sqlite:///{data_dir}/events.db"
    settings = Settings(data_dir=data_dir, database_url=url)
    data_dir.mkdir(parents=True, exist_ok=True)
    engine = create_views_engine(settings)
    app = PmoApplication(
        settings, build_blob_store(settings, engine, create_tables=True)
    )
    started = time.perf_counter()
    count = generate(app, args.events, seed=args.seed, batch=args.batch)
    elapsed = time.perf_counter() - started
    app.close()
    engine.dispose()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"{count} events in {elapsed:.1f} s ({count / elapsed:,.0f}/s), "
        f"peak RSS {peak:.0f} MB, store {url}",
        file=sys.stderr,
    )


if __name__ == "__main__":
    main()

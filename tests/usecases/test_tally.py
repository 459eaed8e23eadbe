"""Grouped counts in the read model equal counting the register's rows."""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from uuid import UUID

from service.demo import load_demo
from usecases.reads import (
    RegisterPageQuery,
    RegisterQuery,
    TallyQuery,
    register_page,
    register_rows,
    register_tally,
)
from usecases.root import Services

GROUPINGS = {
    "risks": (
        ("status",),
        ("residual_score",),
        ("inherent_probability", "inherent_impact"),
    ),
    "issues": (("status",), ("priority", "severity")),
    "changes": (("step",),),
}


def test_tallies_and_totals_equal_the_rows_now_and_as_at(services: Services) -> None:
    load_demo(services.app)
    services.runner.start()
    assert services.views.wait_for(services.app.head_position(), 30)
    checked = 0
    for project in services.views.list_projects():
        project_id = UUID(project["id"])
        every = register_rows(services, RegisterQuery("risks", project_id))
        stamps = sorted(datetime.fromisoformat(str(r["recorded_at"])) for r in every)
        middle = stamps[len(stamps) // 2] if stamps else None
        for moment in (None, middle):
            for kind, groupings in GROUPINGS.items():
                rows = register_rows(services, RegisterQuery(kind, project_id, moment))
                for by in groupings:
                    tallied = register_tally(
                        services, TallyQuery(kind, project_id, by, moment)
                    )
                    counted = Counter(tuple(r[c] for c in by) for r in rows)
                    assert {
                        tuple(t[c] for c in by): t["count"] for t in tallied
                    } == dict(counted), (kind, by, moment)
                    checked += 1
                unclosed = [r for r in rows if r["status"] != "closed"]
                page = register_page(
                    services,
                    RegisterPageQuery(
                        kind, project_id, moment, {"not_status": "closed"}, limit=2
                    ),
                )
                assert page.total == len(unclosed)
                assert len(page.items) == min(2, len(unclosed))
    assert checked > 20

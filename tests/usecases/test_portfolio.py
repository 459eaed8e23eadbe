"""The portfolio view equals the per-project registers, now and as at a date.

Each section is checked against what a project's own reads give (its risks
register, its schedule, its benefits, its documents, its status reports),
for the head (every project) and for a member of one project (that one).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import UUID

import pytest

from service.demo import load_demo
from service.domain.document import Document
from usecases.audit import EventsQuery, entity_events
from usecases.content import AWAITING
from usecases.membership import TOP_CLEARANCE, Reach
from usecases.plans import ScheduleQuery, schedule
from usecases.portfolio import PortfolioQuery, portfolio
from usecases.projects import portfolio as dashboard
from usecases.reads import RegisterQuery, as_aware, register_rows
from usecases.root import Services
from usecases.suggested import SuggestionsQuery, suggestions
from usecases.value import ValueQuery, project_benefits

HEAD = Reach("pmo-head", {}, TOP_CLEARANCE)


@pytest.fixture
def demo(services: Services) -> Services:
    """The demo with its read models caught up."""
    load_demo(services.app)
    services.runner.start()
    assert services.views.wait_for(services.app.head_position(), 120)
    return services


def moments() -> list[datetime | None]:
    return [None, datetime.now(UTC) - timedelta(days=60)]


def expected(services: Services, reach: Reach, as_of: datetime | None) -> Any:
    """Each section worked out project by project from the project's own reads."""
    projects = [
        p
        for p in services.views.list_projects(as_of)
        if reach.role_in(str(p["id"])) is not None
    ]
    risks, slipping, troubled, benefits, reported = [], [], [], [], {}
    day = as_aware(as_of or datetime.now(UTC)).date()
    watched: dict[str, list[str]] = {"actions": [], "contracts": []}
    for p in projects:
        pid = UUID(str(p["id"]))
        watched["actions"] += [
            str(a["id"])
            for a in register_rows(services, RegisterQuery("actions", pid, as_of))
            if a["status"] == "open" and date.fromisoformat(str(a["due_on"])) < day
        ]
        watched["contracts"] += [
            str(c["id"])
            for c in register_rows(services, RegisterQuery("contracts", pid, as_of))
            if c["status"] in ("awarded", "active")
            and day <= date.fromisoformat(str(c["ends_on"])) <= day + timedelta(90)
        ]
        risks += [
            (r["residual_score"], str(r["id"]))
            for r in register_rows(services, RegisterQuery("risks", pid, as_of))
            if r["status"] == "open"
        ]
        plan = schedule(services, ScheduleQuery(pid, as_of))
        slipping += [
            str(m["id"])
            for m in plan.milestones
            if m["status"] in ("planned", "slipped") and m["slip_days"] > 0
        ]
        troubled += [
            str(d["id"])
            for d in plan.dependencies
            if d["cross_project"]
            and d["state"] in ("at-risk", "broken")
            and str(d["project_id"]) == str(pid)
        ]
        benefits += [
            b["id"]
            for b in project_benefits(services, ValueQuery(pid, as_of))["benefits"]
        ]
        made = [
            r
            for r in entity_events(services, EventsQuery(pid, "Project.StatusReported"))
            if as_of is None or as_aware(_moment(r["recorded_at"])) <= as_of
        ]
        colours = suggestions(services, SuggestionsQuery(pid, as_of))
        reported[str(pid)] = (
            made[-1]["data"]["rag"] if made else {},
            {d: s.colour for d, s in colours.items()},
        )
    return projects, risks, slipping, troubled, benefits, reported, watched


def _moment(value: Any) -> datetime:
    return datetime.fromisoformat(value) if isinstance(value, str) else value


@pytest.mark.parametrize("when", moments(), ids=["now", "60 days ago"])
def test_the_portfolio_is_the_sum_of_its_projects(
    demo: Services, when: datetime | None
) -> None:
    view = portfolio(demo, PortfolioQuery(HEAD, when, top_risks=10_000))
    projects, risks, slipping, troubled, benefits, reported, watched = expected(
        demo, HEAD, when
    )
    assert len(projects) == 3
    assert [p["project_id"] for p in view["projects"]] == [
        str(p["id"]) for p in projects
    ]
    for row in view["projects"]:
        assert (row["reported_rag"], row["suggested_rag"]) == reported[
            row["project_id"]
        ]
    listed_risks = [(r["residual_score"], r["id"]) for r in view["top_risks"]]
    assert sorted(listed_risks) == sorted(risks)
    assert [score for score, _ in listed_risks] == sorted(
        (score for score, _ in risks), reverse=True
    )
    assert sorted(m["id"] for m in view["milestones_slipping"]) == sorted(slipping)
    assert sorted(d["id"] for d in view["dependencies_at_risk"]) == sorted(troubled)
    listed = [b["id"] for p in view["benefits"]["projects"] for b in p["benefits"]]
    assert sorted(listed) == sorted(benefits)
    assert sorted(a["id"] for a in view["actions_overdue"]) == sorted(
        watched["actions"]
    )
    assert sorted(c["id"] for c in view["contracts_ending"]) == sorted(
        watched["contracts"]
    )
    assert watched["actions"] or watched["contracts"]  # the demo has some to watch
    top = portfolio(demo, PortfolioQuery(HEAD, when, top_risks=3))["top_risks"]
    assert top == view["top_risks"][:3]


def test_the_sections_differ_over_time_and_name_documents_in_review(
    demo: Services,
) -> None:
    now, then = (portfolio(demo, PortfolioQuery(HEAD, m)) for m in moments())
    assert now["milestones_slipping"] or now["dependencies_at_risk"]
    assert (now["top_risks"], now["benefits"]) != (then["top_risks"], then["benefits"])
    waiting = {
        (d["document_id"], d["version"]) for d in now["documents_awaiting_approval"]
    }
    in_review = set()
    for p in now["projects"]:
        for row in demo.views.list_documents(
            UUID(p["project_id"]), as_of=None, after=None, limit=200
        ).items:
            document = demo.app.repository.get(UUID(str(row["id"])))
            assert isinstance(document, Document)
            in_review |= {
                (str(document.id), v.number)
                for v in document.versions
                if v.status == "in-review"
            }
    assert waiting == in_review and waiting
    assert then["documents_awaiting_approval"] == []
    assert all(p["last_report_on"] and not p["stale"] for p in now["projects"])
    assert all(p["last_report_on"] is None and p["stale"] for p in then["projects"])


def test_a_member_sees_only_the_projects_they_reach(demo: Services) -> None:
    project = str(demo.app.project_id_for_code("HQ-MOVE"))
    member = Reach("contributor", {project: "contributor"}, TOP_CLEARANCE)
    view = portfolio(demo, PortfolioQuery(member, top_risks=10_000))
    assert [p["project_id"] for p in view["projects"]] == [project]
    for section in ("top_risks", "milestones_slipping", "dependencies_at_risk"):
        assert {r["project_id"] for r in view[section]} <= {project}
    assert {p["project_id"] for p in view["benefits"]["projects"]} <= {project}
    assert {d["project_id"] for d in view["documents_awaiting_approval"]} == {project}
    _, risks, slipping, *_ = expected(demo, member, None)
    assert sorted(r["id"] for r in view["top_risks"]) == sorted(r for _, r in risks)
    assert sorted(m["id"] for m in view["milestones_slipping"]) == sorted(slipping)


def test_the_dashboard_counts_only_versions_the_reader_is_cleared_for(
    demo: Services,
) -> None:
    low = Reach("pmo-head", {}, "public")
    counts = {
        reach.clearance: {p["id"]: p["awaiting"] for p in dashboard(demo, reach)}
        for reach in (HEAD, low)
    }
    for reach in (HEAD, low):
        expected = {}
        for p in demo.views.list_projects():
            rows = demo.views.list_documents(
                UUID(p["id"]), as_of=None, after=None, limit=200
            ).items
            expected[p["id"]] = sum(
                1
                for row in reach.documents(rows)
                for v in (demo.views.get_document(UUID(str(row["id"]))) or {})[
                    "versions"
                ]
                if v["status"] in AWAITING
            )
        assert counts[reach.clearance] == expected
    # Something above "public" is awaiting approval, so the counts differ.
    assert sum(counts[HEAD.clearance].values()) > sum(counts["public"].values())

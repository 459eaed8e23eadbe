"""Audit and documents pages: a page size to choose, keyset pages; audit search."""

from __future__ import annotations

import re

from service.domain.base import Meta
from tests.ui.conftest import Ui
from tests.values import risk_values

HEAD = Meta("olivia.stone", "pmo-head", "test")
POSITION = re.compile(r'<tr data-position="(\d+)"')
DOCUMENT = re.compile(r'<a href="/ui/documents/([0-9a-f-]+)">')


def positions(ui: Ui, query: dict[str, str]) -> list[int]:
    """The positions the audit page lists for this query."""
    page = ui.client.get("/ui/audit", query_string=query)
    assert page.status_code == 200, page.text
    return [int(p) for p in POSITION.findall(page.text)]


def test_pages_of_a_chosen_size_follow_one_another(ui: Ui) -> None:
    app = ui.services.app
    project = app.register_project("AUD", "Audit", "", "S", "M", HEAD).id
    for n in range(60):
        app.perform("identify_risk", project, risk_values(title=f"r{n:03}"), HEAD)
    ui.caught_up()
    ui.sign_in("auditor")
    every = positions(ui, {"project": str(project), "size": "200"})
    assert len(every) == 62  # the project, its code, 60 risks
    for order in ("", "newest"):
        path = f"/ui/audit?project={project}&size=25&order={order}"
        pages = [[int(p) for p in POSITION.findall(t)] for t in ui.walk(path)]
        assert [len(found) for found in pages] == [25, 25, 12]
        seen = [p for found in pages for p in found]
        assert seen == (sorted(every, reverse=True) if order else sorted(every))


def test_a_bad_page_size_is_refused_plainly(ui: Ui) -> None:
    ui.sign_in("auditor")
    head = ui.services.app.head_position()
    for size in ("7", "abc", "-25", "1000"):
        page = ui.client.get("/ui/audit", query_string={"size": size})
        assert page.status_code == 400
        assert "size: must be one of 25, 50, 100, 200" in page.text
    assert ui.services.app.head_position() == head


def test_search_and_typed_filters_match_part_of_the_text_in_any_case(ui: Ui) -> None:
    app = ui.services.app
    project = app.register_project("FIND", "Find", "", "S", "M", HEAD).id
    crane = app.perform(
        "identify_risk", project, risk_values(title="Crane FAILURE on site"), HEAD
    ).id
    sam = Meta("sam.hill", "project-officer", "100% sure")
    budget = app.perform(
        "identify_risk", project, risk_values(title="Budget overrun"), sam
    ).id
    app.perform("close_risk", crane, {}, HEAD)
    ui.caught_up()
    ui.sign_in("auditor")
    scope = {"project": str(project)}
    identified = {
        row["entity_id"]: row["position"]
        for row in ui.services.views.audit(project_id=project).items
        if row["action"] == "Risk.Identified"
    }
    assert set(identified) == {str(crane), str(budget)}

    def found(**query: str) -> list[int]:
        return positions(ui, scope | query)

    assert found(q="failure crane") == [identified[str(crane)]]
    assert found(q="OVERRUN") == [identified[str(budget)]]
    assert found(q="100%") == [identified[str(budget)]]  # the reason; % is a char
    assert found(q="crane_failure") == []  # nor is _ a wildcard
    assert found(actor="SAM") == [identified[str(budget)]]
    assert len(found(actor="olivia")) == 4  # the project, its code, a risk, a close
    assert len(found(type="risk")) == 3
    assert len(found(type="risk.CLOSED")) == 1
    assert found(q="crane", type="closed") == []
    assert found(q="nothing like it") == []
    page = ui.client.get("/ui/audit", query_string=scope | {"q": "crane", "size": "25"})
    assert 'name="q" type="search" value="crane"' in page.text
    assert '<option value="25" selected>' in page.text
    export = ui.client.get("/ui/audit.csv", query_string=scope | {"actor": "SAM"})
    assert export.status_code == 200
    assert len(export.text.strip().splitlines()) == 2  # the header and one event


def test_documents_come_a_chosen_page_at_a_time(ui: Ui) -> None:
    app = ui.services.app
    project = app.register_project("DOCS", "Docs", "", "S", "M", HEAD).id
    made = {
        str(
            app.register_document(
                project, f"d{n:02}", "plan", "internal", "working-paper", "Cara", HEAD
            ).id
        )
        for n in range(30)
    }
    ui.caught_up()
    ui.sign_in("pmo-head")
    path = f"/ui/projects/{project}/documents?size=25"
    texts = ui.walk(path)
    pages = [DOCUMENT.findall(text) for text in texts]
    assert [len(found) for found in pages] == [25, 5]
    seen = [d for found in pages for d in found]
    assert len(seen) == 30 and set(seen) == made
    assert "First page" in texts[1] and "First page" not in texts[0]
    head = app.head_position()
    for query in ({"size": "10"}, {"after": "not-a-cursor"}):
        refused = ui.client.get(f"/ui/projects/{project}/documents", query_string=query)
        assert refused.status_code == 400
    assert (
        "size: must be one of"
        in ui.client.get(f"/ui/projects/{project}/documents?size=10").text
    )
    assert app.head_position() == head

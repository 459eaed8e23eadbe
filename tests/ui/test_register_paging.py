"""Register pages in the UI: paged in the read model, searched in any case."""

from __future__ import annotations

import re

from service.domain.base import Meta
from tests.ui.conftest import Ui
from tests.values import risk_values

HEAD = Meta("olivia", "pmo-head", "test")
ROW = re.compile(r'<tr data-id="([^"]+)"')


def test_pages_follow_one_another_without_gap_or_repeat(ui: Ui) -> None:
    app = ui.services.app
    project = app.register_project("PAGES", "Pages", "", "S", "M", HEAD).id
    made = {
        str(
            app.perform(
                "identify_risk", project, risk_values(title=f"r{n:03}"), HEAD
            ).id
        )
        for n in range(60)
    }
    ui.caught_up()
    ui.sign_in("auditor")
    path = f"/ui/projects/{project}/risks?size=25&sort=title&dir=desc"
    texts = ui.walk(path)
    assert all("60 entries" in text for text in texts)
    pages = [ROW.findall(text) for text in texts]
    seen = [i for found in pages for i in found]
    assert [len(found) for found in pages] == [25, 25, 10]
    assert len(seen) == 60 and set(seen) == made
    first = ui.client.get(f"/ui/projects/{project}/risks?size=25&sort=title&dir=desc")
    assert first.text.index(">r059<") < first.text.index(">r058<")
    refused = ui.client.get(f"/ui/projects/{project}/risks?size=30")
    assert refused.status_code == 400 and "size: must be one of" in refused.text


def test_search_and_typed_filters_match_part_of_the_text_in_any_case(ui: Ui) -> None:
    app = ui.services.app
    project = app.register_project("FIND", "Find", "", "S", "M", HEAD).id
    app.perform(
        "identify_risk",
        project,
        risk_values(title="Crane FAILURE on site", owner="Olivia Stone"),
        HEAD,
    )
    app.perform(
        "identify_risk", project, risk_values(title="100% of budget", owner="Sam"), HEAD
    )
    app.perform("identify_risk", project, risk_values(title="Late steel"), HEAD)
    ui.caught_up()
    ui.sign_in("auditor")

    def titles(query: dict[str, str]) -> list[str]:
        page = ui.client.get(f"/ui/projects/{project}/risks", query_string=query)
        assert page.status_code == 200
        return sorted(re.findall(r'risks/[0-9a-f-]+">([^<]+)</a></td>', page.text))

    assert titles({"q": "failure crane"}) == ["Crane FAILURE on site"]
    assert titles({"q": "STEEL"}) == ["Late steel"]
    assert titles({"owner": "oliv"}) == ["Crane FAILURE on site"]
    assert titles({"q": "%"}) == ["100% of budget"]  # a wildcard is a character
    assert titles({"q": "_"}) == []
    assert titles({"q": "nothing like it"}) == []
    assert len(titles({})) == 3

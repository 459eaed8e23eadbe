"""The issue burndown: issues not closed at each moment, and the ideal line."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from flask import Flask

from api.ui import analysis
from service.domain.base import Meta
from tests.ui.conftest import Ui
from tests.ui.test_dashboard import issue

HEAD = Meta("olivia", "pmo-head", "test")
LEGEND = re.compile(r"<text[^>]*>(open|ideal) \((\d+)\)</text>")


def test_burndown_plots_issues_not_closed_and_the_ideal_line(ui: Ui) -> None:
    app = ui.services.app
    project = app.register_project("BURN", "Burn", "", "S", "M", HEAD).id
    times = [datetime.now(UTC)]  # before any issue

    def raised(n: int) -> list[object]:
        return [
            app.perform("raise_issue", project, issue(f"i{k}"), HEAD).id
            for k in range(n)
        ]

    first = raised(3)
    times.append(datetime.now(UTC))  # three raised
    app.perform("close_issue", first[0], {}, HEAD)
    times.append(datetime.now(UTC))  # one closed
    later = raised(2)
    examined = {"impact_analysis": "a", "options": "o", "recommendation": "r"}
    app.perform("examine_issue", later[0], examined, HEAD)
    times.append(datetime.now(UTC))  # two more raised, one examined (still open)
    for closing in (first[1], first[2], later[0]):
        app.perform("close_issue", closing, {}, HEAD)
    times.append(datetime.now(UTC))  # three more closed
    ui.caught_up()
    flask = Flask(__name__)
    flask.config["PMO_SERVICES"] = ui.services
    with flask.app_context():
        drawn = analysis.issue_burndown(project, times)
    assert drawn["open"] == [0, 3, 2, 4, 1]
    # From the peak (4, the fourth moment) straight down to none at the last.
    assert drawn["ideal"] == [4, 4, 4, 4, 0]
    with flask.app_context():
        assert analysis.issue_burndown(project, times[:3]) == {
            "open": [0, 3, 2],
            "ideal": [3, 3, 0],
        }
        early = analysis.issue_burndown(project, [*times[1:3], times[4]])
    assert early == {
        "open": [3, 2, 1],
        "ideal": [3, 2, 0],
    }  # 3 * (1 - 1/2) = 1.5 rounds to even
    ui.sign_in("auditor")
    page = ui.client.get(f"/ui/projects/{project}").text
    figure = page.split("Issue burndown</figcaption>")[0].rsplit("<figure>", 1)[1]
    assert dict(LEGEND.findall(figure)) == {"open": "1", "ideal": "0"}
    assert figure.count("<polyline") == 2

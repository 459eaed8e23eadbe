"""Schemathesis over the value operations: no server error, answers in the spec.

Random bodies, paths and queries against benefits, budget lines, demand,
capacity, the cost tolerance and the figures, after a project and a budget
line are recorded (a generated id rarely names them: most answers are 404).
"""

from __future__ import annotations

import schemathesis

from tests.api.conftest import Api
from tests.api.test_openapi import fuzz

VALUE_PATHS = (
    "/benefits",
    "/budgets",
    "/demands",
    "/capacity",
    "/cost-tolerance",
    "/finance",
    "/portfolio/",
)


def test_value_operations_never_fail_on_the_server(live: Api) -> None:
    project = live.project()
    line = {
        "title": "Team",
        "category": "labour",
        "currency": "EUR",
        "owner": "o",
        "approved_budget": "1000.00",
    }
    assert live.post(f"/projects/{project}/budgets", line).status_code == 201
    schema = schemathesis.openapi.from_wsgi("/openapi.json", live.app)
    headers = {"Authorization": f"Bearer {live.tokens['pmo-head']}"}
    operations = [
        result.ok()
        for result in schema.get_all_operations()
        if any(part in result.ok().path for part in VALUE_PATHS)
    ]
    assert len(operations) >= 35
    fuzz(operations, headers, examples=12)

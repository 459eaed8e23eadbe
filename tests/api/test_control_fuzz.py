"""Schemathesis over the control operations: no server error, answers in the spec.

Random bodies, paths and queries against quality reviews and the policy,
stakeholders, communications, lessons, actions, the daily log, contracts and
links, after a project with a risk and a document is recorded.
"""

from __future__ import annotations

import schemathesis

from tests.api.conftest import Api
from tests.api.test_openapi import fuzz

CONTROL_PATHS = (
    "/reviews",
    "/quality-policy",
    "/quality-reviews",
    "/stakeholders",
    "/communications",
    "/messages",
    "/lessons",
    "/actions",
    "/diary",
    "/contracts",
    "/links",
)


def test_control_operations_never_fail_on_the_server(live: Api) -> None:
    project = live.project()
    live.risk(project)
    live.document(project)
    schema = schemathesis.openapi.from_wsgi("/openapi.json", live.app)
    headers = {"Authorization": f"Bearer {live.tokens['pmo-head']}"}
    operations = [
        result.ok()
        for result in schema.get_all_operations()
        if any(part in result.ok().path for part in CONTROL_PATHS)
    ]
    assert len(operations) >= 60
    fuzz(operations, headers, examples=8)

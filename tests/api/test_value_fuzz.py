"""Schemathesis over the value operations: no server error, answers in the spec.

Random bodies, paths and queries against benefits, budget lines, demand,
capacity, the cost tolerance and the figures; a project, a benefit and a
budget line exist so that some generated ids are real.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from api import create_app
from tests.api.conftest import Api, issue_tokens
from tests.conftest import BACKENDS, settings_for
from usecases.root import build_services

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
VALUE_PATHS = (
    "/benefits",
    "/budgets",
    "/demands",
    "/capacity",
    "/cost-tolerance",
    "/finance",
    "/portfolio/",
)


@pytest.fixture(scope="module", params=BACKENDS)
def fuzzed(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Api]:
    """One app per backend with its read models running."""
    with settings_for(request.param, tmp_path_factory.mktemp("vfuzz")) as config:
        services = build_services(config)
        services.runner.start()
        yield Api(create_app(services=services), issue_tokens(services))
        services.close()


def test_value_operations_never_fail_on_the_server(fuzzed: Api) -> None:
    project = fuzzed.project()
    line = {
        "title": "Team",
        "category": "labour",
        "currency": "EUR",
        "owner": "o",
        "approved_budget": "1000.00",
    }
    assert fuzzed.post(f"/projects/{project}/budgets", line).status_code == 201
    schema = schemathesis.openapi.from_wsgi("/openapi.json", fuzzed.app)
    headers = {"Authorization": f"Bearer {fuzzed.tokens['pmo-head']}"}
    operations = [
        result.ok()
        for result in schema.get_all_operations()
        if any(part in result.ok().path for part in VALUE_PATHS)
    ]
    assert len(operations) >= 35
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=12,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            derandomize=True,
            database=None,
        )
        def check(case: schemathesis.Case) -> None:
            case.call_and_validate(headers=headers, checks=CHECKS)

        check()

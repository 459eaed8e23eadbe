"""The OpenAPI document, Swagger UI from the package, and schemathesis against both."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

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


@pytest.fixture(scope="module", params=BACKENDS)
def fuzzed(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Api]:
    """One app per backend, with a project so that some ids resolve."""
    with settings_for(request.param, tmp_path_factory.mktemp("fuzz")) as config:
        services = build_services(config)
        yield Api(create_app(services=services), issue_tokens(services))
        services.close()


CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


def test_schemathesis_finds_no_server_errors_and_conforming_responses(
    fuzzed: Api,
) -> None:
    # schemathesis' pytest fixture loader breaks on pytest 9, so each operation's
    # strategy is driven by Hypothesis here, with bounded examples.
    schema = schemathesis.openapi.from_wsgi("/openapi.json", fuzzed.app)
    headers = {"Authorization": f"Bearer {fuzzed.tokens['pmo-head']}"}
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) > 40

    fuzz(operations, headers, examples=4)


def fuzz(operations: list[Any], headers: dict[str, str], examples: int) -> None:
    """Drive each operation's strategy (bounded, derandomized) through the checks."""
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=examples,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            derandomize=True,
            database=None,
        )
        def check(case: schemathesis.Case) -> None:
            case.call_and_validate(headers=headers, checks=CHECKS)

        check()


def test_spec_describes_bearer_auth_and_problem_errors(api: Api) -> None:
    spec = api.client.get("/openapi.json").json
    assert spec["openapi"].startswith("3.")
    assert spec["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"
    assert spec["security"] == [{"bearer": []}]
    not_found = spec["components"]["responses"]["NOT_FOUND"]
    assert "application/problem+json" in not_found["content"]
    close = spec["paths"]["/api/v1/risks/{risk_id}/close"]["post"]["responses"]
    assert {"200", "401", "403", "404", "409", "412", "422"} <= set(close)


def test_swagger_ui_is_served_from_the_package(api: Api) -> None:
    page = api.client.get("/docs")
    html = page.get_data(as_text=True)
    page.close()
    assert "/static/swagger-ui/swagger-ui-bundle.js" in html
    assert "https://" not in html
    for name in ("swagger-ui-bundle.js", "swagger-ui.css", "init.js"):
        asset = api.client.get(f"/static/swagger-ui/{name}")
        assert asset.status_code == 200
        asset.close()

"""An app on each backend, a test client and one bearer token per role."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from api import create_app
from service.domain.base import ROLES, Meta
from tests.conftest import BACKENDS, settings_for
from usecases.membership import grant_existing_tokens
from usecases.root import Services, build_services


class Api:
    """A test client that speaks as one role at a time and remembers ids."""

    def __init__(self, app: Flask, tokens: dict[str, str]) -> None:
        self.app = app
        self.client: FlaskClient = app.test_client()
        self.tokens = tokens
        self.services: Services = app.config["PMO_SERVICES"]

    def headers(self, role: str | None, extra: dict[str, str] | None) -> dict[str, str]:
        headers = dict(extra or {})
        if role is not None:
            headers["Authorization"] = f"Bearer {self.tokens[role]}"
        return headers

    def post(
        self,
        path: str,
        body: Any = None,
        *,
        role: str | None = "pmo-head",
        headers: dict[str, str] | None = None,
        **kwargs: Any,
    ) -> Any:
        if body is not None:
            kwargs["json"] = body
        return self.client.post(
            "/api/v1" + path, headers=self.headers(role, headers), **kwargs
        )

    def get(
        self,
        path: str,
        *,
        role: str | None = "auditor",
        headers: dict[str, str] | None = None,
        **kwargs: Any,
    ) -> Any:
        return self.client.get(
            "/api/v1" + path, headers=self.headers(role, headers), **kwargs
        )

    def head(self) -> int:
        """The event store's head position (to check a refusal wrote nothing)."""
        return self.services.app.head_position()

    def project(self, code: str | None = None) -> str:
        code = code or "P-" + uuid.uuid4().hex[:8].upper()
        response = self.post("/projects", PROJECT | {"code": code})
        assert response.status_code == 201, response.json
        return str(response.json["id"])

    def risk(self, project_id: str) -> str:
        response = self.post(f"/projects/{project_id}/risks", RISK)
        assert response.status_code == 201, response.json
        return str(response.json["id"])

    def document(self, project_id: str) -> str:
        response = self.post(f"/projects/{project_id}/documents", DOCUMENT)
        assert response.status_code == 201, response.json
        return str(response.json["id"])

    def new_document(self, owner: str) -> str:
        """A document of a new project, or of the PMO library (`owner`)."""
        if owner == "project":
            return self.document(self.project())
        body = DOCUMENT | {"doc_type": "guideline"}
        response = self.post("/library/documents", body, role="custodian")
        assert response.status_code == 201, response.json
        return str(response.json["id"])


PROJECT = {"code": "ALPHA", "name": "Alpha", "sponsor": "Sam", "manager": "Max"}
RISK = {
    "title": "Late supplier",
    "cause": "one supplier",
    "event": "delivery slips",
    "effect": "stage ends late",
    "category": "schedule",
    "kind": "threat",
    "owner": "Olivia",
    "proximity": "within-stage",
    "probability": 3,
    "impact": 4,
}
DOCUMENT = {
    "title": "Project brief",
    "doc_type": "brief",
    "classification": "internal",
    "retention_class": "project-record",
    "owner": "Max",
}


def issue_tokens(services: Services) -> dict[str, str]:
    """One token per role, issued straight through the application; the project
    roles reach every project at the top clearance (as before memberships)."""
    meta = Meta("setup", "pmo-head")
    tokens = {
        role: services.app.issue_token(f"{role}-user", role, meta).secret
        for role in ROLES
    }
    grant_existing_tokens(services, meta)
    return tokens


@pytest.fixture(scope="module", params=BACKENDS)
def api(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Api]:
    """One app per backend and test module (tests use their own projects)."""
    with settings_for(request.param, tmp_path_factory.mktemp("api")) as settings:
        services = build_services(settings)
        yield Api(create_app(services=services), issue_tokens(services))
        services.close()


@pytest.fixture(scope="module", params=BACKENDS)
def live(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Api]:
    """Like `api`, with the read models running (reads after writes answer)."""
    with settings_for(request.param, tmp_path_factory.mktemp("live")) as settings:
        services = build_services(settings)
        services.runner.start()
        yield Api(create_app(services=services), issue_tokens(services))
        services.close()

"""A UI app on each backend with one token per role, and a browser-like client."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator

import pytest
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from api import create_app
from service.config import Settings
from service.domain.base import ROLES, Meta
from usecases.membership import grant_existing_tokens
from usecases.root import Services, build_services

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
NEXT = re.compile(r'<a rel="next" href="([^"]+)"')


class Ui:
    """A test client that signs in through the login form, like a person would."""

    def __init__(self, services: Services) -> None:
        self.services = services
        self.client: FlaskClient = create_app(services=services).test_client()
        meta = Meta("setup", "pmo-head")
        self.issued = {
            role: services.app.issue_token(f"{role}-user", role, meta) for role in ROLES
        }
        grant_existing_tokens(services, meta)

    def csrf(self, path: str = "/ui/login") -> str:
        """The CSRF token a page's form carries."""
        found = CSRF.search(self.client.get(path).text)
        assert found is not None
        return found.group(1)

    def sign_in(self, role: str = "auditor") -> TestResponse:
        """Post the login form with a role's token."""
        return self.client.post(
            "/ui/login",
            data={"token": self.issued[role].secret, "csrf_token": self.csrf()},
        )

    def walk(self, path: str) -> list[str]:
        """Each page of a list from this one on, following its "next" links."""
        pages: list[str] = []
        while path:
            page = self.client.get(path)
            assert page.status_code == 200, path
            pages.append(page.text)
            found = NEXT.search(page.text)
            path = html.unescape(found.group(1)) if found else ""
        return pages

    def caught_up(self) -> None:
        """Wait until the read models have every event."""
        views = self.services.views
        assert views.wait_for(self.services.app.head_position(), 30)


@pytest.fixture
def ui(settings: Settings) -> Iterator[Ui]:
    """A fresh store with running read models and tokens for every role."""
    services = build_services(settings)
    services.runner.start()
    yield Ui(services)
    services.close()

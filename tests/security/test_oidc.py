"""Single sign-on against a real OpenID provider (the npm package oidc-provider,
started here under node): the UI's code flow with PKCE and the API's JWTs."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import time
from collections.abc import Iterator
from html import unescape
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
import requests

from api import create_app
from service.domain.base import Meta
from tests.api.conftest import Api, issue_tokens
from tests.conftest import settings_for
from tests.ui.conftest import CSRF
from usecases.root import build_services

IDP_DIR = Path(__file__).parent.parent / "oidc"
CALLBACK = "http://localhost/ui/sso/callback"
SETUP = Meta("setup", "pmo-head")
FORM = re.compile(r'<form[^>]*action="([^"]+)"[^>]*>(.*?)</form>', re.S)
HIDDEN = re.compile(r'<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"')


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def issuer(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The provider, listening on a free port (CI: a missing node fails)."""
    node = shutil.which("node")
    if node is None or not (IDP_DIR / "node_modules" / "oidc-provider").is_dir():
        message = "node and tests/oidc/node_modules (npm install in tests/oidc)"
        if os.environ.get("CI") == "true":
            pytest.fail(f"{message} are required under CI")
        pytest.skip(f"{message} are not installed")
    port = _free_port()
    log = tmp_path_factory.mktemp("idp") / "provider.log"
    with log.open("w") as output:
        process = subprocess.Popen(
            [node, "provider.mjs", str(port), CALLBACK],
            cwd=IDP_DIR,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 30
        while "listening" not in log.read_text():
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"the OpenID provider did not start: {log.read_text()}")
            time.sleep(0.1)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(10)


@pytest.fixture(scope="module")
def sso(issuer: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    """The service configured for the provider, with projects ALPHA and BETA."""
    data = tmp_path_factory.mktemp("sso")
    config = data / "oidc.toml"
    config.write_text(
        f'issuer = "{issuer}"\n'
        'client_id = "pmo-ledger"\n'
        'client_secret = "pmo-ledger-secret"\n'
        'api_audience = "urn:pmo-ledger:api"\n'
        '[groups."pmo-office"]\nrole = "pmo-head"\n'
        '[groups."audit-office"]\nrole = "auditor"\n'
        '[groups."alpha-team"]\nrole = "contributor"\nprojects = ["ALPHA"]\n'
        'clearance = "confidential"\n'
    )
    with settings_for("sqlite", data / "store", oidc_config=config) as settings:
        services = build_services(settings)
        services.runner.start()
        for code in ("ALPHA", "BETA"):
            services.app.register_project(code, code.title(), "", "S", "M", SETUP)
        assert services.views.wait_for(services.app.head_position(), 30)
        yield Api(create_app(services=services), issue_tokens(services))
        services.close()


def sign_in(api: Api, account: str) -> requests.Response:
    """Sign in through the provider's own pages as an account; the callback."""
    api.client.delete_cookie("pmo_ui", path="/ui")
    started = api.client.get("/ui/sso")
    assert started.status_code == 302
    location = started.headers["Location"]
    assert "code_challenge=" in location and "code_challenge_method=S256" in location
    browser = requests.Session()
    response = browser.get(location, allow_redirects=False)
    for _ in range(10):
        if response.is_redirect:
            target = urljoin(response.url, response.headers["Location"])
            if target.startswith(CALLBACK):
                parts = urlsplit(target)
                return api.client.get(f"{parts.path}?{parts.query}")
            response = browser.get(target, allow_redirects=False)
            continue
        found = FORM.search(response.text)
        assert found is not None, response.text[:500]
        fields = {k: unescape(v) for k, v in HIDDEN.findall(found.group(2))}
        fields.update(login=account, password="any")
        action = urljoin(response.url, unescape(found.group(1)))
        response = browser.post(action, data=fields, allow_redirects=False)
    raise AssertionError("the provider never sent the browser back")


def access_token(issuer: str, robot: str, resource: str = "urn:pmo-ledger:api") -> str:
    response = requests.post(
        f"{issuer}/token",
        data={"grant_type": "client_credentials", "resource": resource},
        auth=(robot, f"{robot}-secret"),
        timeout=10,
    )
    assert response.status_code == 200, response.text
    return str(response.json()["access_token"])


def test_a_good_sign_in_maps_groups_to_role_projects_and_clearance(sso: Api) -> None:
    callback = sign_in(sso, "alice")
    assert callback.status_code == 302, callback.text
    page = sso.client.get("/ui/")
    assert page.status_code == 200 and "alice (IdP)" in page.text
    assert "Alpha" in page.text and "Beta" not in page.text
    access = sso.services.app.access_of("oidc:alice")
    assert access is not None and access.clearance == "confidential"
    alpha = sso.services.app.project_id_for_code("ALPHA")
    beta = sso.services.app.project_id_for_code("BETA")
    assert access.memberships == {str(alpha): "contributor"}
    events = list(sso.services.app.events.get(access.id))
    assert "alpha-team" in (events[-1].meta.reason or "")
    assert sso.client.get(f"/ui/projects/{alpha}").status_code == 200
    assert sso.client.get(f"/ui/projects/{beta}").status_code == 404
    head = sso.head()
    again = sign_in(sso, "alice")
    assert again.status_code == 302 and sso.head() == head  # nothing changed


def test_an_unknown_group_is_refused_a_session(sso: Api) -> None:
    refused = sign_in(sso, "mallory")
    assert refused.status_code == 401 and "none of your groups" in refused.text
    assert sso.client.get("/ui/").status_code == 302
    assert sso.services.app.access_of("oidc:mallory") is None


def test_a_forged_callback_is_refused(sso: Api) -> None:
    response = sso.client.get("/ui/sso/callback?code=forged&state=forged")
    assert response.status_code == 401 and "text/html" in response.content_type


def test_the_api_takes_the_providers_access_tokens(issuer: str, sso: Api) -> None:
    token = access_token(issuer, "robot-auditor")
    headers = {"Authorization": f"Bearer {token}"}
    response = sso.client.get("/api/v1/audit/events", headers=headers)
    assert response.status_code == 200, response.json
    refused = sso.client.post("/api/v1/projects", json={}, headers=headers)
    assert refused.status_code == 403


def test_a_token_for_another_audience_is_refused(issuer: str, sso: Api) -> None:
    token = access_token(issuer, "robot-auditor", "urn:someone-else")
    response = sso.client.get(
        "/api/v1/projects", headers={"Authorization": f"Bearer {token}"}
    )
    assert response.status_code == 401 and "aud" in response.json["detail"]
    genuine = access_token(issuer, "robot-auditor")
    tampered = genuine[:-4] + ("BBBB" if genuine.endswith("AAAA") else "AAAA")
    response = sso.client.get(
        "/api/v1/projects", headers={"Authorization": f"Bearer {tampered}"}
    )
    assert response.status_code == 401


def test_an_expired_token_is_refused(issuer: str, sso: Api) -> None:
    token = access_token(issuer, "robot-brief")
    headers = {"Authorization": f"Bearer {token}"}
    assert sso.client.get("/api/v1/projects", headers=headers).status_code == 200
    time.sleep(7)
    response = sso.client.get("/api/v1/projects", headers=headers)
    assert response.status_code == 401 and "exp" in response.json["detail"]


def test_an_unknown_group_gets_no_api_access(issuer: str, sso: Api) -> None:
    token = access_token(issuer, "robot-stranger")
    response = sso.client.get(
        "/api/v1/projects", headers={"Authorization": f"Bearer {token}"}
    )
    assert response.status_code == 401 and "groups" in response.json["detail"]


def test_the_token_form_still_signs_in(sso: Api) -> None:
    form = sso.client.get("/ui/login").text
    assert "/ui/sso" in form
    csrf = CSRF.search(form)
    assert csrf is not None
    data = {"token": sso.tokens["auditor"], "csrf_token": csrf.group(1)}
    assert sso.client.post("/ui/login", data=data).status_code == 302

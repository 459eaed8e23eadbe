"""Subscription management over HTTP: SSRF refusals, roles, secrets shown once."""

from __future__ import annotations

import ipaddress

import pytest

from feed.targets import refused_reason
from tests.api.conftest import Api

REFUSED = [
    "http://127.0.0.1:9000/hook",
    "http://localhost/hook",
    "http://[::1]/hook",
    "http://10.1.2.3/hook",
    "http://192.168.0.10/hook",
    "http://169.254.169.254/latest/meta-data",
    "http://0.0.0.0/hook",
    "http://[::ffff:127.0.0.1]/hook",
    "http://100.64.0.1/hook",
    "http://224.0.0.1/hook",
    "http://user:secret@example.com/hook",
    "ftp://example.com/hook",
    "https:///nohost",
    "javascript:alert(1)",
    "http://no-such-host.invalid/hook",
]


@pytest.mark.parametrize("url", REFUSED)
def test_targets_that_could_reach_inside_are_refused(api: Api, url: str) -> None:
    """422 problem+json naming the url field; nothing written."""
    head = api.head()
    response = api.post("/subscriptions", {"name": "probe", "url": url})
    assert response.status_code == 422, response.json
    assert response.mimetype == "application/problem+json"
    assert "url" in response.json["errors"]
    assert api.head() == head


def test_only_the_pmo_head_manages_subscriptions(api: Api) -> None:
    """Other roles get 403 on create and on list; nothing written."""
    head = api.head()
    for role in ("project-officer", "custodian", "contributor", "auditor"):
        created = api.post(
            "/subscriptions", {"name": "x", "url": "https://example.com"}, role=role
        )
        assert created.status_code == 403, created.json
        assert api.get("/subscriptions", role=role).status_code == 403
    assert api.head() == head


def test_bad_bodies_are_refused_without_writing(api: Api) -> None:
    """Unknown fields, bad filters and unknown projects: 422, nothing written."""
    head = api.head()
    for body in (
        {"name": "x", "url": "https://example.com", "colour": "red"},
        {"name": "x", "url": "https://example.com", "event_types": ["Risk;drop"]},
        {"name": "x", "url": "https://example.com", "project_ids": ["nope"]},
        {
            "name": "x",
            "url": "https://example.com",
            "project_ids": ["6f1c1d5e-8d1a-4c1e-9a4e-2b7c0b1f1a11"],
        },
        {"name": "", "url": "https://example.com"},
    ):
        response = api.post("/subscriptions", body)
        assert response.status_code == 422, (body, response.json)
        assert response.mimetype == "application/problem+json"
    missing = api.post("/subscriptions/6f1c1d5e-8d1a-4c1e-9a4e-2b7c0b1f1a11/pause", {})
    assert missing.status_code == 404
    assert api.head() == head


def test_allowed_networks_open_a_range_and_nothing_else() -> None:
    """Configuration can allow loopback for a test receiver; others stay refused."""
    allowed = (ipaddress.ip_network("127.0.0.0/8"),)
    assert refused_reason(ipaddress.ip_address("127.0.0.1"), allowed) is None
    assert refused_reason(ipaddress.ip_address("10.0.0.1"), allowed) is not None
    assert refused_reason(ipaddress.ip_address("::ffff:127.0.0.1"), allowed) is None
    assert refused_reason(ipaddress.ip_address("93.184.216.34"), ()) is None

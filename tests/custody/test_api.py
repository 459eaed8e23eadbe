"""The custody endpoints: diff, retention, disposal, copy-holders, as-at, by hash."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from uuid import UUID, uuid4

import pytest

from api import create_app
from service.config import Settings
from service.domain.base import Meta
from service.retention import parse_schedule, schedule_to_data
from tests.api.conftest import Api, issue_tokens
from usecases.reads import plain
from usecases.root import build_services

SAME_DAY = parse_schedule(
    {
        "classes": {
            "project-record": {
                "trigger": "registration",
                "period": {"days": 0},
                "action": "destroy",
            }
        }
    },
    "test",
)


@pytest.fixture
def api(settings: Settings) -> Iterator[Api]:
    """An app on an empty store with a token per role (the file blob backend)."""
    services = build_services(settings)
    yield Api(create_app(services=services), issue_tokens(services))
    services.close()


def upload(api: Api, did: str, body: bytes, media_type: str = "text/plain") -> None:
    response = api.post(
        f"/documents/{did}/versions",
        data=body,
        headers={"Content-Type": media_type, "X-Filename": "brief.txt"},
    )
    assert response.status_code == 201, response.json


def approve(api: Api, did: str, number: int) -> None:
    for step in ("review", "approve"):
        response = api.post(f"/documents/{did}/versions/{number}/{step}", {})
        assert response.status_code == 200, response.json


def test_diff_as_at_by_hash_and_copies(api: Api, owner: str) -> None:
    did = api.new_document(owner)
    upload(api, did, b"scope\nbudget: 10\n")
    upload(api, did, b"scope\nbudget: 12\n")
    upload(api, did, b"%PDF", "application/pdf")
    diff = api.get(f"/documents/{did}/diff?from=1&to=2")
    assert diff.status_code == 200 and diff.mimetype == "text/plain"
    assert "-budget: 10\n+budget: 12\n" in diff.get_data(as_text=True)
    binary = api.get(f"/documents/{did}/diff?from=2&to=3")
    assert binary.status_code == 422 and "to" in binary.json["errors"]
    assert api.get(f"/documents/{did}/diff?from=1").status_code == 422

    before = datetime.now(UTC)
    approve(api, did, 1)
    between = datetime.now(UTC)
    approve(api, did, 2)
    now = api.get(f"/documents/{did}/authoritative").json["authoritative"]
    assert (now["number"], now["approved_by"]) == (2, "pmo-head-user")
    at = api.get(
        f"/documents/{did}/authoritative",
        query_string={"as_of": between.isoformat()},
    ).json
    assert at["authoritative"]["number"] == 1
    early = api.get(
        f"/documents/{did}/authoritative", query_string={"as_of": before.isoformat()}
    )
    assert early.json["authoritative"] is None

    sha = hashlib.sha256(b"scope\nbudget: 12\n").hexdigest()
    assert api.get(f"/documents/{did}/versions/by-sha256/{sha}").json["number"] == 2
    assert api.get(f"/documents/{did}/versions/by-sha256/{'0' * 64}").status_code == 404
    assert api.get(f"/documents/{did}/versions/by-sha256/XYZ").status_code == 422

    issued = api.post(
        f"/documents/{did}/copies",
        {"number": 2, "recipient": "Acme", "purpose": "tender"},
    )
    assert issued.status_code == 201, issued.json
    copies = api.get(f"/documents/{did}/copies").json["items"]
    assert [(c["recipient"], c["number"], c["purpose"]) for c in copies] == [
        ("Acme", 2, "tender")
    ]


def test_retention_and_disposal(api: Api, owner: str) -> None:
    did = api.new_document(owner)
    upload(api, did, b"brief\n")
    shown = api.get(f"/documents/{did}/retention").json
    assert (shown["trigger"], shown["due_on"]) == ("project-close", None)
    head = api.head()
    refused = api.post(f"/documents/{did}/dispose", {"reason": "review done"})
    assert refused.status_code == 409 and api.head() == head

    until = (datetime.now(UTC) + timedelta(days=30)).date()
    extended = api.post(f"/documents/{did}/retention", {"until": until.isoformat()})
    assert extended.status_code == 200, extended.json
    shorter = api.post(
        f"/documents/{did}/retention", {"until": (until - timedelta(1)).isoformat()}
    )
    assert shorter.status_code == 422 and "until" in shorter.json["errors"]

    api.services.app.change_retention_schedule(
        schedule_to_data(SAME_DAY), [], Meta("setup", "custodian", "dispose same day")
    )
    other = api.new_document(owner)
    upload(api, other, b"other\n")
    held = api.post(
        f"/documents/{other}/holds",
        {"hold_id": "H1", "title": "Dispute", "mandate": "Counsel"},
    )
    assert held.status_code == 201, held.json
    assert api.post(f"/documents/{other}/dispose", {}).status_code == 409
    api.post(f"/documents/{other}/holds/H1/release", {})
    disposed = api.post(f"/documents/{other}/dispose", {"reason": "schedule"})
    assert disposed.status_code == 200, disposed.json
    assert disposed.json["due_on"] == datetime.now(UTC).date().isoformat()
    assert disposed.json["removed"] == [] and len(disposed.json["retained"]) == 1
    assert api.get(f"/documents/{other}/retention").json["holds"] == 0


def test_authoritative_as_at_from_the_read_model_matches_the_events(
    settings: Settings, owner: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    services = build_services(settings)
    services.runner.start()
    live = Api(create_app(services=services), issue_tokens(services))
    try:
        before = datetime.now(UTC)
        did = live.new_document(owner)
        for body in (b"one\n", b"two\n", b"three\n"):
            upload(live, did, body)
        moments = [before, datetime.now(UTC)]
        for number, step in ((1, "approve"), (2, "approve"), (2, "withdraw")):
            if step == "approve":
                approve(live, did, number)
            else:
                live.post(f"/documents/{did}/versions/{number}/{step}", {})
            moments.append(datetime.now(UTC))
        app = services.app
        expected = [plain(app.authoritative_at(UUID(did), m)) for m in moments]
        assert [v and v["number"] for v in expected] == [None, None, 1, 2, None]

        # The claim is about a caught-up read model: let it catch up first (under
        # load that can take longer than the read's own short wait).
        assert services.views.wait_for(app.head_position(), 60)

        def events_only(document_id: UUID, at: datetime | None = None) -> object:
            raise AssertionError("the caught-up read model should answer")

        monkeypatch.setattr(app, "authoritative_at", events_only)
        answered = [
            live.get(
                f"/documents/{did}/authoritative",
                query_string={"as_of": m.isoformat()},
            ).json["authoritative"]
            for m in moments
        ]
        assert answered == expected
        unknown = live.get(
            f"/documents/{uuid4()}/authoritative",
            query_string={"as_of": moments[-1].isoformat()},
        )
        assert unknown.status_code == 404
    finally:
        services.close()

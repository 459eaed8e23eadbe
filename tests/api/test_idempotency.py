"""Idempotency-Key: replay, refuse another body, 409 in flight, crash recovery."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
import threading
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy.exc import OperationalError

from service.errors import StoreUnavailableError
from tests.api.conftest import PROJECT, RISK, Api


def test_retry_replays_the_first_response_and_appends_nothing(api: Api) -> None:
    pid = api.project()
    key = {"Idempotency-Key": "k-1"}
    first = api.post(f"/projects/{pid}/risks", RISK, headers=key)
    head = api.head()
    second = api.post(f"/projects/{pid}/risks", RISK, headers=key)
    assert api.head() == head
    assert (second.status_code, second.json) == (first.status_code, first.json)
    assert second.headers["Location"] == first.headers["Location"]
    assert second.headers["ETag"] == first.headers["ETag"]
    assert second.headers["Idempotent-Replayed"] == "true"


def test_same_key_different_body_is_422(api: Api) -> None:
    pid = api.project()
    key = {"Idempotency-Key": "k-2"}
    api.post(f"/projects/{pid}/risks", RISK, headers=key)
    head = api.head()
    other = api.post(f"/projects/{pid}/risks", RISK | {"title": "x"}, headers=key)
    assert other.status_code == 422
    assert "Idempotency-Key" in other.json["errors"]
    assert api.head() == head


def test_keys_are_scoped_to_the_principal(api: Api) -> None:
    pid = api.project()
    key = {"Idempotency-Key": "shared"}
    a = api.post(f"/projects/{pid}/risks", RISK, headers=key, role="contributor")
    b = api.post(f"/projects/{pid}/risks", RISK, headers=key, role="project-officer")
    assert a.json["id"] != b.json["id"]


def test_a_failed_request_frees_its_key(api: Api) -> None:
    key = {"Idempotency-Key": "k-3"}
    refused = api.post("/projects", PROJECT | {"code": "!"}, headers=key)
    assert refused.status_code == 422
    assert api.post("/projects", PROJECT, headers=key).status_code == 201


def test_invalid_key_is_400(api: Api) -> None:
    response = api.post("/projects", PROJECT, headers={"Idempotency-Key": "x" * 201})
    assert response.status_code == 400


def test_concurrent_duplicate_is_409(api: Api) -> None:
    from api import idempotency

    pid = api.project()
    entered, release = threading.Event(), threading.Event()
    original = idempotency.Keys.complete

    def slow_complete(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        entered.set()
        release.wait(10)
        return original(self, *args, **kwargs)

    idempotency.Keys.complete = slow_complete  # type: ignore[method-assign]
    results: list[int] = []
    try:
        thread = threading.Thread(
            target=lambda: results.append(
                api.post(
                    f"/projects/{pid}/risks", RISK, headers={"Idempotency-Key": "k-4"}
                ).status_code
            )
        )
        thread.start()
        assert entered.wait(10)
        head = api.head()
        idempotency.Keys.complete = original  # type: ignore[method-assign]
        duplicate = api.post(
            f"/projects/{pid}/risks", RISK, headers={"Idempotency-Key": "k-4"}
        )
        assert duplicate.status_code == 409
        assert api.head() == head
    finally:
        release.set()
        idempotency.Keys.complete = original  # type: ignore[method-assign]
        thread.join()
    assert results == [201]


def test_upload_retry_with_the_same_key_is_replayed(api: Api) -> None:
    did = api.document(api.project())
    headers = {
        "Content-Type": "text/plain",
        "X-Filename": "a.txt",
        "Idempotency-Key": "up-1",
    }
    first = api.post(f"/documents/{did}/versions", data=b"abc", headers=headers)
    head = api.head()
    again = api.post(f"/documents/{did}/versions", data=b"abc", headers=headers)
    assert again.json == first.json and api.head() == head


CRASHING_CLIENT = """
import json, os, sys
from dataclasses import replace
from pathlib import Path

from api import create_app, idempotency
from service.application import ApplicationBase
from service.config import Settings

args = json.loads(sys.argv[1])
settings = Settings(
    data_dir=Path(args["data_dir"]),
    database_url=args["database_url"],
    run_processors=False,
)
crash = lambda *_, **__: os._exit(9)
if args["when"] == "after-commit":
    idempotency.Keys.complete = crash  # the events are in, the key is not
else:
    ApplicationBase.commit = crash  # nothing is written
client = create_app(settings).test_client()
if "data" in args:  # raw bytes (an upload)
    client.post(args["path"], data=args["data"].encode(), headers=args["headers"])
else:
    client.post(args["path"], json=args["body"], headers=args["headers"])
sys.exit("the request finished: no crash was simulated")
"""


def crash_while_posting(
    api: Api, when: str, path: str, headers: dict[str, str], data: str | None = None
) -> None:
    """Send the request (RISK, or raw `data`) from a process that dies at `when`."""
    settings = api.services.settings
    args: dict[str, object] = {
        "data_dir": str(settings.data_dir),
        "database_url": settings.database_url,
        "when": when,
        "path": "/api/v1" + path,
        "body": RISK,
        "headers": api.headers("pmo-head", headers),
    }
    if data is not None:
        args["data"] = data
    child = subprocess.run(
        [sys.executable, "-c", CRASHING_CLIENT, json.dumps(args)],
        cwd=Path(__file__).parents[2],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert child.returncode == 9, child.stderr


def test_a_crash_after_the_commit_replays_the_committed_outcome(api: Api) -> None:
    pid = api.project()
    key = {"Idempotency-Key": "crash-after"}
    head = api.head()
    crash_while_posting(api, "after-commit", f"/projects/{pid}/risks", key)
    assert api.head() == head + 1  # the risk was committed, the key never completed
    retry = api.post(f"/projects/{pid}/risks", RISK, headers=key)
    assert retry.status_code == 201, retry.json
    assert retry.headers["Idempotent-Recovered"] == "true"
    assert api.head() == head + 1
    risk = api.get(f"/risks/{retry.json['id']}").json
    assert (risk["project_id"], risk["version"]) == (pid, 1)
    assert retry.json == {"id": risk["id"], "version": 1, "position": head + 1}
    assert retry.headers["Location"] == f"/api/v1/risks/{risk['id']}"
    assert retry.headers["ETag"] == '"1"'
    again = api.post(f"/projects/{pid}/risks", RISK, headers=key)
    assert (again.status_code, again.json) == (201, retry.json)
    assert api.head() == head + 1


def test_a_crashed_upload_is_recovered_with_its_number_digest_and_size(
    api: Api,
) -> None:
    did = api.document(api.project())
    headers = {
        "Content-Type": "text/plain",
        "X-Filename": "minutes.txt",
        "Idempotency-Key": "crash-upload",
    }
    head = api.head()
    path = f"/documents/{did}/versions"
    crash_while_posting(api, "after-commit", path, headers, data="minutes v1")
    assert api.head() == head + 1
    retry = api.post(path, data=b"minutes v1", headers=headers)
    assert retry.status_code == 201, retry.json
    assert retry.headers["Idempotent-Recovered"] == "true"
    assert api.head() == head + 1
    document = api.get(f"/documents/{did}").json
    [version] = document["versions"]
    assert retry.json == {
        "id": did,
        "version": document["version"],
        "position": head + 1,
        "number": 1,
        "sha256": hashlib.sha256(b"minutes v1").hexdigest(),
        "size": len(b"minutes v1"),
    }
    assert version["sha256"] == retry.json["sha256"]
    location = f"/api/v1/documents/{did}/versions/1/content"
    assert retry.headers["Location"] == location
    assert api.get(location.removeprefix("/api/v1")).data == b"minutes v1"


def test_a_crash_before_the_commit_runs_the_request_again(api: Api) -> None:
    pid = api.project()
    key = {"Idempotency-Key": "crash-before"}
    head = api.head()
    crash_while_posting(api, "before-commit", f"/projects/{pid}/risks", key)
    assert api.head() == head
    retry = api.post(f"/projects/{pid}/risks", RISK, headers=key)
    assert retry.status_code == 201 and "Idempotent-Replayed" not in retry.headers
    assert api.head() == head + 1
    again = api.post(f"/projects/{pid}/risks", RISK, headers=key)
    assert again.json == retry.json and again.headers["Idempotent-Replayed"] == "true"
    assert api.head() == head + 1


def test_a_key_left_in_flight_by_this_process_is_recovered(api: Api) -> None:
    from api import idempotency

    pid = api.project()
    key = {"Idempotency-Key": "k-lost-update"}
    original = idempotency.Keys.complete

    def fail(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        raise OperationalError("UPDATE", {}, Exception("the database went away"))

    idempotency.Keys.complete = fail  # type: ignore[method-assign]
    try:
        first = api.post(f"/projects/{pid}/risks", RISK, headers=key)
    finally:
        idempotency.Keys.complete = original  # type: ignore[method-assign]
    assert first.status_code == 201
    head = api.head()
    retry = api.post(f"/projects/{pid}/risks", RISK, headers=key)
    assert (retry.status_code, retry.json) == (201, first.json)
    assert retry.headers["Location"] == first.headers["Location"]
    assert api.head() == head


def test_an_owner_on_another_machine_holds_its_key_for_the_lease() -> None:
    from api.idempotency_recovery import LEASE, Owners

    owners = Owners()
    elsewhere = "other-host|other-boot|1|100"
    now = datetime.now(UTC)
    assert owners.alive(elsewhere, "r1", now - LEASE / 2)
    assert not owners.alive(elsewhere, "r1", now - LEASE * 2)
    gone = f"{owners.machine}|999999999|1"
    assert not owners.alive(gone, "r1", now)
    owners.started("r2")
    assert owners.alive(owners.me, "r2", now - LEASE * 2)
    owners.ended("r2")
    assert not owners.alive(owners.me, "r2", now)


def test_a_server_error_after_the_commit_is_recovered_not_repeated(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    from api.resources import registers

    def fail_after_commit(*args: object, **kwargs: object) -> None:
        raise RuntimeError("the answer could not be built")

    pid = api.project()
    key = {"Idempotency-Key": "k-500-after"}
    head = api.head()
    with monkeypatch.context() as patched:
        patched.setattr(registers, "written", fail_after_commit)
        assert api.post(f"/projects/{pid}/risks", RISK, headers=key).status_code == 500
    assert api.head() == head + 1
    retry = api.post(f"/projects/{pid}/risks", RISK, headers=key)
    assert retry.status_code == 201 and retry.headers["Idempotent-Recovered"] == "true"
    assert retry.json["position"] == head + 1
    assert api.head() == head + 1


def test_a_server_error_before_the_commit_lets_the_retry_run(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    pid = api.project()
    key = {"Idempotency-Key": "k-503-before"}
    head = api.head()

    def unavailable(*args: object, **kwargs: object) -> None:
        raise StoreUnavailableError("the store went away")

    with monkeypatch.context() as patched:
        patched.setattr(type(api.services.app), "commit", unavailable)
        assert api.post(f"/projects/{pid}/risks", RISK, headers=key).status_code == 503
    assert api.head() == head
    retry = api.post(f"/projects/{pid}/risks", RISK, headers=key)
    assert retry.status_code == 201 and "Idempotent-Replayed" not in retry.headers
    assert api.head() == head + 1

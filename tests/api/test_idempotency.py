"""Idempotency-Key: replay the first response, refuse another body, 409 in flight."""

from __future__ import annotations

import threading

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

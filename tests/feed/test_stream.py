"""The live stream: resume with Last-Event-ID without a gap; roles; refusals."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

from service.domain.base import Meta
from tests.api.conftest import Api

META = Meta("writer", "project-officer", "stream test")


def frames(response: Any) -> Iterator[dict[str, str]]:
    """Parse SSE frames from a streamed test response (comments skipped)."""
    buffer = ""
    for chunk in response.response:
        buffer += chunk.decode() if isinstance(chunk, bytes) else chunk
        while "\n\n" in buffer:
            frame, buffer = buffer.split("\n\n", 1)
            fields = dict(
                line.split(": ", 1)
                for line in frame.split("\n")
                if line and not line.startswith(":")
            )
            if "id" in fields:
                yield fields


def read_ids(api: Api, count: int, last_id: int | None, **query: str) -> list[int]:
    """Open the stream, take `count` events, disconnect."""
    headers = {"Accept": "text/event-stream"}
    if last_id is not None:
        headers["Last-Event-ID"] = str(last_id)
    response = api.client.get(
        "/api/v1/events/stream",
        query_string=query,
        headers=api.headers("auditor", headers),
        buffered=False,
    )
    assert response.status_code == 200
    assert response.mimetype == "text/event-stream"
    got: list[int] = []
    for frame in frames(response):
        got.append(int(frame["id"]))
        if len(got) == count:
            break
    response.close()
    return got


def write(api: Api, project_id: uuid.UUID, count: int) -> None:
    for i in range(count):
        api.services.app.change_project_details(
            project_id, f"name {i}", "", "Sam", "Max", META
        )


def test_a_client_resumes_with_last_event_id_without_a_gap(live: Api) -> None:
    """Disconnect mid-stream, more events are written, resume: each event once."""
    api = live
    project = api.services.app.register_project(
        f"SSE-{uuid.uuid4().hex[:6]}", "Stream", "", "Sam", "Max", META
    ).id
    write(api, project, 20)
    query = {"project_id": str(project)}
    first = read_ids(api, 8, None, **query)
    write(api, project, 15)
    rest = api.get(
        "/audit/events",
        query_string={**query, "limit": 1000, "min_position": api.head()},
    ).json["items"]
    expected = [r["position"] for r in rest]
    second = read_ids(api, len(expected) - 8, first[-1], **query)
    assert first + second == expected
    assert len(expected) == 1 + 1 + 35  # registered, its code, 35 changes


def test_the_stream_needs_the_audit_role_and_valid_arguments(api: Api) -> None:
    """Contributors are refused; a bad Last-Event-ID or filter is 422 problem+json."""
    path = "/api/v1/events/stream"
    refused = api.client.get(path, headers=api.headers("contributor", None))
    assert refused.status_code == 403
    assert refused.mimetype == "application/problem+json"
    for headers, query in (
        ({"Last-Event-ID": "abc"}, {}),
        ({"Last-Event-ID": "-1"}, {}),
        ({}, {"project_id": "nope"}),
        ({}, {"event_type": "Risk;"}),
    ):
        bad = api.client.get(
            path, query_string=query, headers=api.headers("auditor", headers)
        )
        assert bad.status_code == 422, bad.json
        assert bad.mimetype == "application/problem+json"


def test_streams_beyond_the_limit_get_503_and_a_closed_one_frees_its_slot(
    api: Api,
) -> None:
    """Each stream holds a request thread: past the limit, 503 with Retry-After."""
    limit = api.services.feed.stream_limit
    path = "/api/v1/events/stream"
    live = api.headers("auditor", {"Accept": "text/event-stream"})
    opened = [api.client.get(path, headers=live, buffered=False) for _ in range(limit)]
    assert all(r.status_code == 200 for r in opened)
    plain = api.client.get(path, headers=api.headers("auditor", None))
    assert plain.status_code == 200  # not live: holds no slot, and ends
    over = api.client.get(path, headers=live)
    assert over.status_code == 503 and over.headers["Retry-After"]
    assert over.mimetype == "application/problem+json"
    for response in opened:
        response.close()
    again = api.client.get(path, headers=live, buffered=False)
    assert again.status_code == 200
    again.close()


def test_a_plain_get_answers_the_events_so_far_and_ends(live: Api) -> None:
    """Without Accept: text/event-stream the answer is finite (same frames)."""
    api = live
    project = api.services.app.register_project(
        f"SSE-{uuid.uuid4().hex[:6]}", "Finite", "", "Sam", "Max", META
    ).id
    write(api, project, 3)
    head = api.head()
    expected = [
        r["position"]
        for r in api.get(
            "/audit/events",
            query_string={"project_id": str(project), "min_position": head},
        ).json["items"]
    ]
    response = api.client.get(
        "/api/v1/events/stream",
        query_string={"project_id": str(project)},
        headers=api.headers("pmo-head", {"Last-Event-ID": str(expected[0])}),
    )
    assert response.status_code == 200
    assert [int(f["id"]) for f in frames(response)] == expected[1:]

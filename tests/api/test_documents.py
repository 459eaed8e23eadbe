"""Documents over HTTP: raw streamed uploads, digests, status, holds, content reads."""

from __future__ import annotations

import base64
import hashlib

import pytest

from service.config import Settings
from tests.api.conftest import Api, issue_tokens
from usecases.root import build_services


def digest_header(data: bytes) -> str:
    return "sha-256=:" + base64.b64encode(hashlib.sha256(data).digest()).decode() + ":"


def upload(api: Api, did: str, data: bytes, role: str = "contributor", **headers: str):
    base = {"Content-Type": "application/pdf", "X-Filename": "brief.pdf"}
    return api.post(
        f"/documents/{did}/versions", data=data, role=role, headers=base | headers
    )


def test_upload_review_approve_and_download(api: Api, owner: str) -> None:
    did = api.new_document(owner)
    data = bytes(range(256)) * 5000
    first = upload(api, did, data, **{"Content-Digest": digest_header(data)})
    assert first.status_code == 201, first.json
    assert first.json["number"] == 1
    assert first.json["sha256"] == hashlib.sha256(data).hexdigest()
    assert first.json["size"] == len(data)
    assert api.get(f"/documents/{did}/content").status_code == 404
    assert (
        api.post(f"/documents/{did}/versions/1/review", role="custodian").status_code
        == 200
    )
    assert (
        api.post(f"/documents/{did}/versions/1/approve", role="custodian").status_code
        == 200
    )
    content = api.get(f"/documents/{did}/content")
    assert content.status_code == 200 and content.data == data
    assert content.headers["ETag"] == f'"{first.json["sha256"]}"'
    assert content.headers["Content-Digest"] == digest_header(data)
    assert content.mimetype == "application/pdf"
    unchanged = api.get(
        f"/documents/{did}/content", headers={"If-None-Match": content.headers["ETag"]}
    )
    assert unchanged.status_code == 304 and unchanged.data == b""
    part = api.get(
        f"/documents/{did}/versions/1/content", headers={"Range": "bytes=10-19"}
    )
    assert part.status_code == 206 and part.data == data[10:20]
    assert part.headers["Content-Range"] == f"bytes 10-19/{len(data)}"
    tail = api.get(
        f"/documents/{did}/versions/1/content", headers={"Range": "bytes=-5"}
    )
    assert tail.data == data[-5:]
    outside = api.get(
        f"/documents/{did}/versions/1/content", headers={"Range": f"bytes={len(data)}-"}
    )
    assert outside.status_code == 416
    assert outside.headers["Content-Range"] == f"bytes */{len(data)}"
    assert api.get(f"/documents/{did}/versions/2/content").status_code == 404
    document = api.get(f"/documents/{did}").json
    assert document["versions"][0]["status"] == "approved"


def test_upload_refusals_store_nothing(api: Api, owner: str) -> None:
    did = api.new_document(owner)
    head = api.head()
    data = b"hello"
    wrong = upload(api, did, data, **{"Content-Digest": digest_header(b"other")})
    assert wrong.status_code == 422 and "Content-Digest" in wrong.json["errors"]
    malformed = upload(api, did, data, **{"Content-Digest": "sha-256=abc"})
    assert malformed.status_code == 400
    nameless = api.post(
        f"/documents/{did}/versions", data=data, headers={"Content-Type": "text/plain"}
    )
    assert nameless.status_code == 422 and "filename" in nameless.json["errors"]
    untyped = api.post(f"/documents/{did}/versions?filename=a.txt", data=data)
    assert untyped.status_code == 415
    assert upload(api, "00000000-0000-0000-0000-000000000009", data).status_code == 404
    assert upload(api, did, data, role="auditor").status_code == 403
    assert api.head() == head
    assert not api.services.app.blobs.exists(hashlib.sha256(data).hexdigest())


def test_upload_over_the_limit_is_413(settings: Settings, owner: str) -> None:
    from dataclasses import replace

    from api import create_app

    services = build_services(replace(settings, upload_limit=1000))
    try:
        api = Api(create_app(services=services), issue_tokens(services))
        did = api.new_document(owner)
        head = api.head()
        assert upload(api, did, b"x" * 1001).status_code == 413
        assert upload(api, did, b"x" * 1000).status_code == 201
        assert api.head() == head + 1
    finally:
        services.close()


def test_filename_from_query_and_comment(api: Api, owner: str) -> None:
    did = api.new_document(owner)
    response = api.post(
        f"/documents/{did}/versions?filename=notes.txt&comment=first",
        data=b"abc",
        headers={"Content-Type": "text/plain"},
    )
    assert response.status_code == 201
    version = api.get(f"/documents/{did}").json["versions"][0]
    assert (version["filename"], version["comment"]) == ("notes.txt", "first")


def test_holds_copies_and_withdrawal(api: Api, owner: str) -> None:
    did = api.new_document(owner)
    upload(api, did, b"abc")
    placed = api.post(
        f"/documents/{did}/holds",
        {"hold_id": "LH-1", "title": "Dispute", "mandate": "counsel"},
        role="custodian",
    )
    assert placed.status_code == 201
    head = api.head()
    again = api.post(
        f"/documents/{did}/holds",
        {"hold_id": "LH-1", "title": "Dispute", "mandate": "counsel"},
        role="custodian",
    )
    assert again.status_code == 409
    assert (
        api.post(f"/documents/{did}/holds/LH-2/release", role="custodian").status_code
        == 422
    )
    assert (
        api.post(f"/documents/{did}/versions/1/approve", role="custodian").status_code
        == 409
    )
    assert (
        api.post(
            f"/documents/{did}/versions/1/approve", role="project-officer"
        ).status_code
        == 403
    )
    assert api.head() == head
    assert (
        api.post(f"/documents/{did}/holds/LH-1/release", role="custodian").status_code
        == 200
    )
    copy = api.post(
        f"/documents/{did}/copies",
        {"number": 1, "recipient": "Auditor", "purpose": "audit"},
        role="custodian",
    )
    assert copy.status_code == 201
    assert (
        api.post(f"/documents/{did}/versions/1/withdraw", role="custodian").status_code
        == 200
    )
    document = api.get(f"/documents/{did}").json
    assert document["holds"] == {}
    assert document["copies"][0]["recipient"] == "Auditor"
    assert document["versions"][0]["status"] == "withdrawn"


def test_if_match_holds_past_copies_issued_since(api: Api) -> None:
    did = api.document(api.project())
    uploaded = upload(api, did, b"abc", role="custodian")
    opened = uploaded.headers["ETag"]
    version = int(opened.strip('"'))
    for _ in range(2):
        assert api.get(f"/documents/{did}/versions/1/content").data == b"abc"
    step = f"/documents/{did}/versions/1/review"
    sent = api.post(step, role="custodian", headers={"If-Match": opened})
    assert sent.status_code == 200, sent.json
    assert sent.headers["ETag"] == f'"{version + 3}"'
    head = api.head()
    approve = f"/documents/{did}/versions/1/approve"
    stale = api.post(approve, role="custodian", headers={"If-Match": opened})
    assert stale.status_code == 412
    assert stale.json["current_version"] == version + 3
    assert api.head() == head


@pytest.mark.parametrize("header", ["bytes=5-2", "bytes=abc", "items=0-1"])
def test_odd_ranges_never_fail(api: Api, owner: str, header: str) -> None:
    did = api.new_document(owner)
    upload(api, did, b"0123456789")
    response = api.get(
        f"/documents/{did}/versions/1/content", headers={"Range": header}
    )
    assert response.status_code in (200, 416)

"""Security over HTTP against the live server: tokens, roles, logs, paths, headers."""

from __future__ import annotations

import json
import re
import uuid
from pathlib import Path

from tests.reliability.conftest import (
    ROLES,
    TOKEN,
    Client,
    Server,
    issue_token,
    new_project,
)

DOCS = Path(__file__).parents[2] / "docs" / "api.md"
PUBLIC = {"/healthz", "/readyz", "/openapi.json", "/docs"}
ABBREVIATIONS = ("head", "officer", "custodian", "contrib.", "auditor")


def operations(client: Client) -> list[tuple[str, str]]:
    """(method, path) of every operation in the live OpenAPI document."""
    status, _, raw = client.request("GET", "/openapi.json")
    assert status == 200
    spec = json.loads(raw)
    return [
        (method.upper(), path)
        for path, item in spec["paths"].items()
        for method in item
        if method in ("get", "post", "put", "patch", "delete")
    ]


def concrete(path: str) -> str:
    """The path with every {parameter} filled by something that parses."""

    def fill(match: re.Match[str]) -> str:
        name = match.group(1)
        if name == "kind" and "/issues/" in path:
            return "pdf"  # an issued report's rendering
        if name in ("number", "tree_size"):
            return "1"
        if name == "sha256":
            return "0" * 64
        if name in ("fmt", "format"):
            return "csv"
        if name == "kind":
            return "risks"
        if name == "report":
            return "holds"  # a records report
        return str(uuid.uuid4())

    return re.sub(r"\{(\w+)\}", fill, path)


def same_shape(path: str) -> str:
    """The path with its parameter names dropped (docs and spec may name them apart)."""
    return re.sub(r"\{\w+\}", "{}", path)


def documented_matrix() -> dict[tuple[str, str], set[str]]:
    """The role matrix of docs/api.md: (method, /api/v1 path) -> roles allowed."""
    matrix = {}
    for line in DOCS.read_text().splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 7 and cells[0] in ("GET", "POST") and cells[1].startswith("`"):
            roles = {role for role, mark in zip(ROLES, cells[2:], strict=True) if mark}
            path = "/api/v1" + cells[1].strip("`")
            matrix[(cells[0], same_shape(path))] = roles
    assert len(matrix) > 50
    return matrix


def test_every_endpoint_without_or_with_a_bad_token_is_401(shared: Server) -> None:
    ops = operations(shared.client)
    checked = 0
    for token in (None, "not-a-token", "x" * 500):
        client = shared.client.with_token(token)
        for method, path in ops:
            if path in PUBLIC:
                continue
            status, headers, raw = client.request(
                method,
                concrete(path),
                body=b"{}",
                headers={"Content-Type": "application/json"},
            )
            assert status == 401, (method, path, status, raw[:200])
            assert headers["WWW-Authenticate"].startswith("Bearer")
            assert headers["Content-Type"] == "application/problem+json"
            checked += 1
    print(f"\n{shared.backend}: {checked} unauthenticated requests refused")


def test_each_role_gets_exactly_the_documented_matrix(shared: Server) -> None:
    matrix = documented_matrix()
    tokens = {role: issue_token(shared.client, role)[1] for role in ROLES}
    served = {(m, same_shape(p)): p for m, p in operations(shared.client)}
    live = set(served)
    undocumented = sorted(
        op
        for op in live
        if op not in matrix and op[1].startswith("/api/v1") and op[1] not in PUBLIC
    )
    checked = 0
    for (method, path), allowed in matrix.items():
        assert (method, path) in live, f"documented but not served: {method} {path}"
        url = concrete(served[(method, path)])
        for role in ROLES:
            client = shared.client.with_token(tokens[role])
            # An empty JSON object: authorization is decided before the body is
            # read, and a body this poor can never write anything.
            status, _, raw = client.request(
                method, url, b"{}", {"Content-Type": "application/json"}
            )
            assert status != 500, (method, path, role, raw[:300])
            if role in allowed:
                assert status not in (401, 403), (method, path, role, status, raw[:300])
            else:
                assert status == 403, (method, path, role, status)
                assert set(json.loads(raw)["roles"]) == allowed
            checked += 1
    print(
        f"\n{shared.backend}: {checked} role x endpoint cells checked; "
        f"not in the documented matrix: {undocumented}"
    )


def test_a_revoked_token_is_refused_at_once_by_every_worker(shared: Server) -> None:
    token_id, secret = issue_token(shared.client, "project-officer", "leaver")
    client = shared.client.with_token(secret)
    for _ in range(20):  # warm every worker (and any cache it may keep)
        assert client.request("GET", "/api/v1/projects")[0] == 200
    shared.client.ok("POST", f"/tokens/{token_id}/revoke", {"reason": "left"})
    refused = [client.request("GET", "/api/v1/projects")[0] for _ in range(60)]
    assert refused == [401] * 60


def test_tokens_and_document_content_never_reach_the_logs(shared: Server) -> None:
    marker = f"CONTENT-MARKER-{uuid.uuid4().hex}"
    _, secret = issue_token(shared.client, "custodian", "keeper")
    custodian = shared.client.with_token(secret)
    project = new_project(shared.client, f"LOG{uuid.uuid4().hex[:6]}")
    doc = custodian.ok(
        "POST",
        f"/projects/{project}/documents",
        {
            "title": "Secret plan",
            "doc_type": "plan",
            "classification": "internal",
            "retention_class": "project-record",
            "owner": "M",
        },
    )["id"]
    body = (marker + "\n").encode() * 100
    status, _, raw = custodian.request(
        "POST",
        f"/api/v1/documents/{doc}/versions",
        body,
        {"Content-Type": "text/plain", "X-Filename": "plan.txt"},
    )
    assert status == 201, raw
    assert (
        custodian.request("GET", f"/api/v1/documents/{doc}/versions/1/content")[2]
        == body
    )
    # failures log too: a bad digest, a wrong token, an unknown id
    custodian.request(
        "POST",
        f"/api/v1/documents/{doc}/versions",
        body,
        {
            "Content-Type": "text/plain",
            "X-Filename": "p.txt",
            "Content-Digest": "sha-256=:AAAA:",
        },
    )
    shared.client.with_token(secret + "x").request("GET", "/api/v1/projects")
    custodian.request("GET", f"/api/v1/documents/{uuid.uuid4()}/content")
    log = shared.log()
    assert "pmo_ledger.access" in log  # the logs were really captured
    for needle in (secret, TOKEN, marker):
        assert needle not in log, f"{needle[:12]}... found in the server log"


TRICKY_NAMES = [
    "../../../../etc/passwd",
    "..\\..\\boot.ini",
    "/etc/shadow",
    "a\x00b.txt",
    "x" * 5000,
    "%2e%2e%2fetc",
    "CON",
    "\u202egnp.exe",
]


def test_path_tricks_in_filenames_and_ids_are_refused(shared: Server) -> None:
    client = shared.client
    project = new_project(client, f"PATH{uuid.uuid4().hex[:6]}")
    doc = client.ok(
        "POST",
        f"/projects/{project}/documents",
        {
            "title": "T",
            "doc_type": "plan",
            "classification": "internal",
            "retention_class": "project-record",
            "owner": "M",
        },
    )["id"]
    statuses = []
    for name in TRICKY_NAMES:
        try:
            status, _, raw = client.request(
                "POST",
                f"/api/v1/documents/{doc}/versions",
                b"data",
                {"Content-Type": "text/plain", "X-Filename": name},
            )
        except ValueError:  # http.client itself refuses some header values
            continue
        statuses.append(status)
        assert status in (201, 400, 422, 431), (name[:40], status, raw[:200])
    versions = client.ok("GET", f"/documents/{doc}")["versions"]
    for number in range(1, len(versions) + 1):
        status, headers, _ = client.request(
            "GET", f"/api/v1/documents/{doc}/versions/{number}/content"
        )
        assert status == 200
        disposition = headers["Content-Disposition"]
        assert "/" not in disposition and "\\" not in disposition
    outside = [
        p
        for p in shared.data_dir.rglob("*")
        if p.name in ("passwd", "shadow", "boot.ini")
    ]
    assert not outside
    probes = [
        "/api/v1/risks/not-a-uuid",
        "/api/v1/risks/..%2F..%2Fetc%2Fpasswd",
        "/api/v1/documents/../../etc/passwd/content",
        f"/api/v1/documents/{doc}/versions/by-sha256/..%2F..%2F..%2Fetc%2Fpasswd",
        f"/api/v1/documents/{doc}/versions/-1/content",
        f"/api/v1/documents/{doc}/versions/99999999999999999999/content",
        "/static/../../../../etc/passwd",
        "/static/swagger-ui/..%2F..%2F..%2F..%2Fetc%2Fpasswd",
        "/static/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
        "/ui/documents/..%2F..%2Fetc%2Fpasswd",
        f"/api/v1/documents/{doc}/versions/by-sha256/{'0' * 64}",
    ]
    for probe in probes:
        status, headers, raw = client.request("GET", probe)
        if probe.startswith("/ui/") and status == 302:  # no session: to sign-in
            assert "/ui/login" in headers["Location"]
            continue
        assert status in (400, 404, 422), (probe, status)
        assert b"root:" not in raw
    print(
        f"\n{shared.backend}: filenames {statuses}, {len(probes)} path probes refused"
    )


def test_ui_pages_carry_security_headers(shared: Server) -> None:
    anonymous = shared.client.with_token(None)
    for path in ("/ui/login", "/ui/", "/ui/projects", "/ui/audit", "/ui/integrity"):
        status, headers, _ = anonymous.request("GET", path)
        assert status in (200, 302, 303), (path, status)
        csp = headers.get("Content-Security-Policy", "")
        assert "frame-ancestors 'none'" in csp and "default-src" in csp, (path, csp)
        assert "unsafe-inline" not in csp.split("script-src")[-1].split(";")[0]
        assert headers.get("X-Content-Type-Options") == "nosniff", path
        assert headers.get("X-Frame-Options") == "DENY", path

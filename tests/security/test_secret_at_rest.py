"""A freshly issued token's secret is nowhere the service writes.

The real server on SQLite (where every table is a file of the data directory)
issues a token with an Idempotency-Key, the token is used over the API and to
sign in to the UI, a bad attempt is throttled; then every file under the data
directory (event store, read models, idempotency, session and throttle
tables, WAL files, blobs, keys) and the server's log are searched for the
secret, as text and in the forms a store might keep it (hex, base64).
On PostgreSQL every table of the server's schema is dumped and searched.
"""

from __future__ import annotations

import base64
import hashlib
import re
import urllib.parse
from contextlib import ExitStack
from pathlib import Path

import psycopg

from tests.conftest import PG_DSN
from tests.reliability.conftest import Server, start_server

CSRF = re.compile(rb'name="csrf_token" value="([^"]+)"')


def forms_of(secret: str) -> list[bytes]:
    raw = secret.encode()
    return [
        raw,
        raw.hex().encode(),
        base64.b64encode(raw),
        base64.urlsafe_b64encode(raw),
        raw[4:],  # the random part, without the "pmo_" prefix
    ]


def exercise(server: Server) -> str:
    """Issue, use and sign in with a new token; its secret."""
    client = server.client
    status, _, body = client.json(
        "POST",
        "/tokens",
        {"name": "Grep Me", "role": "contributor"},
        **{"Idempotency-Key": "grep-token"},
    )
    assert status == 201
    secret: str = body["secret"]
    replay = client.json(
        "POST",
        "/tokens",
        {"name": "Grep Me", "role": "contributor"},
        **{"Idempotency-Key": "grep-token"},
    )
    assert replay[0] == 409
    mine = client.with_token(secret)
    assert mine.json("GET", "/projects")[0] == 200
    # The secret with its last character changed (always to a different
    # one: a fixed replacement equals the original one time in 64): a
    # failure that is counted.
    wrong = secret[:-1] + ("B" if secret.endswith("A") else "A")
    assert wrong != secret
    assert client.with_token(wrong).json("GET", "/projects")[0] == 401
    status, headers, page = client.request("GET", "/ui/login", headers={})
    cookie = headers["Set-Cookie"].split(";")[0]
    found = CSRF.search(page)
    assert found is not None
    form = urllib.parse.urlencode(
        {"token": secret, "csrf_token": found.group(1).decode()}
    ).encode()
    status, headers, _ = client.request(
        "POST",
        "/ui/login",
        form,
        {"Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie},
    )
    assert status == 302
    signed_in = headers["Set-Cookie"].split(";")[0]
    assert client.request("GET", "/ui/", headers={"Cookie": signed_in})[0] == 200
    return secret


def test_the_secret_is_in_no_file_the_service_writes(tmp_path: Path) -> None:
    with ExitStack() as stack:
        server = start_server(stack, "sqlite", tmp_path)
        secret = exercise(server)
        server.wait_caught_up()
        server.stop()  # closes the databases: the WAL is checkpointed or kept
        files = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert any(p.name == "events.db" for p in files)
    assert any(p.name == "views.db" for p in files)
    assert any(p.name == "server.log" for p in files)
    for path in files:
        content = path.read_bytes()
        for form in forms_of(secret):
            assert form not in content, (path, form)
    # The search reaches what the store keeps: the token's hash is there.
    digest = hashlib.sha256(secret.encode()).hexdigest().encode()
    assert any(digest in path.read_bytes() for path in files)


def test_the_secret_is_in_no_table_on_postgres(tmp_path: Path) -> None:
    with ExitStack() as stack:
        server = start_server(stack, "postgres", tmp_path)
        schema = urllib.parse.parse_qs(
            urllib.parse.urlsplit(server.env["PMO_LEDGER_DATABASE_URL"]).query
        )["schema"][0]
        secret = exercise(server)
        server.wait_caught_up()
        with psycopg.connect(PG_DSN) as conn:
            tables = [
                row[0]
                for row in conn.execute(
                    "SELECT table_name FROM information_schema.tables"
                    " WHERE table_schema = %s",
                    (schema,),
                )
            ]
            assert {"api_idempotency_keys", "ui_sessions", "api_auth_failures"} <= set(
                tables
            )
            for table in tables:
                for (row,) in conn.execute(
                    f'SELECT t::text FROM "{schema}"."{table}" t'  # noqa: S608
                ):
                    for form in forms_of(secret):
                        assert form.decode() not in row, (table, form)
        files = [p for p in tmp_path.rglob("*") if p.is_file()]
        for path in files:
            for form in forms_of(secret):
                assert form not in path.read_bytes(), (path, form)

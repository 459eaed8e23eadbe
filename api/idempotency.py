"""Idempotency-Key on POST: the first response is kept 24 h and replayed on retry.

A key is scoped to the caller's principal. It is reserved atomically by inserting
an 'in-flight' row under a unique (principal, key); the response of a successful
(2xx) request is then stored with it. A retry with the same key and body gets the
stored response and appends nothing; the same key with another body gets 422; a
retry while the first request is still running gets 409. A failed request frees
its key, so the client may retry it.
"""

from __future__ import annotations

import hashlib
import json
import logging
from datetime import UTC, datetime, timedelta

from flask import Flask, Response, g, request
from sqlalchemy import (
    Column,
    DateTime,
    Engine,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    and_,
    delete,
    insert,
    select,
    update,
)
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.schema import CreateTable

from api.errors import ApiError

log = logging.getLogger("pmo_ledger.api")
KEEP_FOR = timedelta(hours=24)
KEPT_HEADERS = ("Location", "ETag", "Content-Type")
MAX_KEY_LENGTH = 200

metadata = MetaData()
keys = Table(
    "api_idempotency_keys",
    metadata,
    Column("principal", String(200), primary_key=True),
    Column("key", String(MAX_KEY_LENGTH), primary_key=True),
    Column("fingerprint", String(64), nullable=False),
    Column("state", String(16), nullable=False),
    Column("status", Integer),
    Column("headers", Text),
    Column("body", Text),
    Column("created_at", DateTime(timezone=True), nullable=False),
)


def fingerprint() -> str:
    """What must match for a replay: method, path, query and body (or its headers).

    An upload's body is streamed, not buffered, so its fingerprint covers the
    headers that describe it; send Content-Digest for an exact check.
    """
    digest = hashlib.sha256()
    for part in (request.method, request.path, request.query_string.decode()):
        digest.update(part.encode() + b"\0")
    if request.endpoint == "documents.submit_version":
        for name in ("Content-Type", "Content-Length", "Content-Digest", "X-Filename"):
            digest.update(request.headers.get(name, "").encode() + b"\0")
    else:
        digest.update(request.get_data(cache=True))
    return digest.hexdigest()


class Keys:
    """The key table on the read-model database."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        # One statement, no check-then-create: on SQLite a read that upgrades to a
        # write fails at once if the read-model processors committed in between.
        try:
            with engine.begin() as conn:
                conn.execute(CreateTable(keys, if_not_exists=True))
        except DBAPIError:
            # Another worker created it at the same moment (PostgreSQL may then
            # report a duplicate type); anything else fails on the check below.
            with engine.connect() as conn:
                conn.execute(select(keys.c.key).limit(1))

    def reserve(self, principal: str, key: str, print_: str) -> Response | None:
        """Reserve a key (None), or answer with the stored response or a refusal."""
        now = datetime.now(UTC)
        where = and_(keys.c.principal == principal, keys.c.key == key)
        with self.engine.begin() as conn:
            conn.execute(delete(keys).where(where, keys.c.created_at < now - KEEP_FOR))
        try:
            with self.engine.begin() as conn:
                conn.execute(
                    insert(keys).values(
                        principal=principal,
                        key=key,
                        fingerprint=print_,
                        state="in-flight",
                        created_at=now,
                    )
                )
            return None
        except IntegrityError:
            pass
        with self.engine.connect() as conn:
            row = conn.execute(select(keys).where(where)).one_or_none()
        if row is None:
            raise ApiError(409, "this Idempotency-Key was just released; retry")
        if row.fingerprint != print_:
            raise ApiError(
                422,
                "this Idempotency-Key was used with a different request",
                errors={"Idempotency-Key": ["already used for another request"]},
            )
        if row.state != "done":
            raise ApiError(409, "a request with this Idempotency-Key is in flight")
        response = Response(row.body, status=row.status)
        response.headers.update(json.loads(row.headers))
        response.headers["Idempotent-Replayed"] = "true"
        return response

    def complete(self, principal: str, key: str, response: Response) -> None:
        """Keep a successful response; free the key after a failure."""
        where = and_(keys.c.principal == principal, keys.c.key == key)
        with self.engine.begin() as conn:
            if 200 <= response.status_code < 300 and not response.is_streamed:
                kept = {
                    h: response.headers[h]
                    for h in KEPT_HEADERS
                    if h in response.headers
                }
                conn.execute(
                    update(keys)
                    .where(where)
                    .values(
                        state="done",
                        status=response.status_code,
                        headers=json.dumps(kept),
                        body=response.get_data(as_text=True),
                    )
                )
            else:
                conn.execute(delete(keys).where(where))


def init_app(app: Flask, services: object) -> None:
    """Reserve keys before POST views run and keep the responses after."""
    store = Keys(services.views_engine)  # type: ignore[attr-defined]

    def before() -> Response | None:
        key = request.headers.get("Idempotency-Key")
        if request.method != "POST" or key is None or "principal" not in g:
            return None
        if not 0 < len(key) <= MAX_KEY_LENGTH or not key.isprintable():
            raise ApiError(
                400,
                f"Idempotency-Key must be 1-{MAX_KEY_LENGTH} printable characters",
                errors={"Idempotency-Key": ["invalid"]},
            )
        replay = store.reserve(str(g.principal.token_id), key, fingerprint())
        if replay is None:
            g.idempotency_key = key
        return replay

    def after(response: Response) -> Response:
        key = g.pop("idempotency_key", None)
        if key is None:
            return response
        try:
            store.complete(str(g.principal.token_id), key, response)
        except DBAPIError as error:
            # The command's outcome stands (it may have committed): answer it, not
            # a 500. The key stays reserved, so a retry is refused until it expires.
            log.warning("Idempotency-Key not completed: %r", error)
        return response

    app.before_request(before)
    app.after_request(after)

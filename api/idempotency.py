"""Idempotency-Key on POST: the first response is kept 24 h and replayed on retry.

A key is scoped to the caller's principal. It is reserved atomically by inserting
an 'in-flight' row under a unique (principal, key); the response of a successful
(2xx) request is then stored with it. A retry with the same key and body gets the
stored response and appends nothing; the same key with another body gets 422; a
retry while the first request is still running gets 409. A refused (4xx) request
frees its key, so the client may retry it.

A crash between the command's commit and the key's update leaves the key in
flight. The reservation names its owner process, the request id the command's
events carry and the store's head when it was made; a retry that finds the
owner dead (api.idempotency_recovery) looks for those events: if they are
there it answers with the outcome they record (and keeps it), if not it takes
the reservation over and runs the request. Either way nothing is appended twice.
"""

from __future__ import annotations

import hashlib
import json
import logging
import secrets
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from eventsourcing.persistence import InterfaceError as StoreInterfaceError
from eventsourcing.persistence import OperationalError as StoreOperationalError
from flask import Flask, Response, current_app, g, request
from sqlalchemy import (
    BigInteger,
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
    func,
    insert,
    inspect,
    or_,
    select,
    update,
)
from sqlalchemy.exc import DBAPIError, IntegrityError

from api.errors import ApiError, problem
from api.idempotency_recovery import Owners, find_outcome, recovered_response
from api.tables import ensure_table
from service.app import PmoApplication
from service.durability import durable
from service.errors import StoreUnavailableError

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
    # Who runs it, the request id its events carry, the head before it ran.
    Column("owner", String(300)),
    Column("request_id", String(200)),
    Column("after_position", BigInteger),
)
RECOVERY_COLUMNS = ("owner", "request_id", "after_position")


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

    def __init__(self, engine: Engine, app: PmoApplication) -> None:
        self.engine = engine
        self.app = app
        self.owners = Owners()
        ensure_table(engine, keys)
        self._add_recovery_columns()

    def _add_recovery_columns(self) -> None:
        """A table made before crash recovery existed gets its columns."""
        present = {c["name"] for c in inspect(self.engine).get_columns(keys.name)}
        for name in RECOVERY_COLUMNS:
            if name in present:
                continue
            kind = keys.c[name].type.compile(self.engine.dialect)
            try:
                with self.engine.begin() as conn:
                    conn.exec_driver_sql(
                        f"ALTER TABLE {keys.name} ADD COLUMN {name} {kind}"
                    )
            except DBAPIError:
                # Another worker added it first; a real failure shows on use.
                log.info("idempotency column %s not added here", name)

    def redact(self, values: Sequence[str]) -> None:
        """Delete the kept responses quoting any of these values (an erasure)."""
        forms = {f for v in values for f in (v, json.dumps(v)[1:-1])}
        with self.engine.begin() as conn:
            conn.execute(
                keys.delete().where(
                    or_(*(func.lower(keys.c.body).contains(f.lower()) for f in forms))
                )
            )
        if self.engine.dialect.name == "postgresql":
            # Deleted rows stay in the table's file as dead tuples until rewritten.
            with self.engine.connect().execution_options(
                isolation_level="AUTOCOMMIT"
            ) as conn:
                conn.exec_driver_sql(f"VACUUM FULL {keys.name}")

    def reserve(
        self, principal: str, key: str, print_: str, request_id: str
    ) -> Response | None:
        """Reserve a key (None), or answer with the stored response or a refusal."""
        now = datetime.now(UTC)
        where = and_(keys.c.principal == principal, keys.c.key == key)
        try:
            head = self.app.head_position()
        except (StoreOperationalError, StoreInterfaceError) as error:
            raise StoreUnavailableError(str(error)) from error
        claim = {
            "owner": self.owners.me,
            "request_id": request_id,
            "after_position": head,
            "created_at": now,
        }
        self.owners.started(request_id)
        try:
            with durable(self.engine) as conn:
                # An expired reservation of this key makes way in the same commit.
                conn.execute(
                    delete(keys).where(where, keys.c.created_at < now - KEEP_FOR)
                )
                conn.execute(
                    insert(keys).values(
                        principal=principal,
                        key=key,
                        fingerprint=print_,
                        state="in-flight",
                        **claim,
                    )
                )
            return None
        except BaseException as error:
            self.owners.ended(request_id)
            if not isinstance(error, IntegrityError):
                raise
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
            return self._recover(row, where, claim)
        return self._replay(row.status, row.headers, row.body)

    def _recover(self, row: Any, where: Any, claim: dict[str, Any]) -> Response | None:
        """An in-flight key: 409 while its owner runs; else its outcome, or ours."""
        if row.request_id is None or self.owners.alive(
            row.owner, row.request_id, row.created_at
        ):
            raise ApiError(409, "a request with this Idempotency-Key is in flight")
        try:
            outcome = find_outcome(self.app, row.request_id, row.after_position or 0)
        except (StoreOperationalError, StoreInterfaceError) as error:
            raise StoreUnavailableError(str(error)) from error
        mine = and_(where, keys.c.state == "in-flight")
        mine = and_(mine, keys.c.request_id == row.request_id)
        if outcome is not None:
            if outcome.kind == "Token":
                kept = _kept(secret_shown_once(str(outcome.id)))
            else:
                kept = _kept(recovered_response(outcome, success_status()))
            with durable(self.engine) as conn:
                conn.execute(update(keys).where(mine).values(**kept))
            response = self._replay(kept["status"], kept["headers"], kept["body"])
            response.headers["Idempotent-Recovered"] = "true"
            return response
        # It never committed: run it again under our claim.
        self.owners.started(claim["request_id"])
        with durable(self.engine) as conn:
            taken = conn.execute(update(keys).where(mine).values(**claim)).rowcount
        if taken != 1:
            self.owners.ended(claim["request_id"])
            raise ApiError(409, "a request with this Idempotency-Key is in flight")
        return None

    @staticmethod
    def _replay(status: int, headers: str, body: str) -> Response:
        response = Response(body, status=status)
        response.headers.update(json.loads(headers))
        response.headers["Idempotent-Replayed"] = "true"
        return response

    def complete(
        self,
        principal: str,
        key: str,
        response: Response,
        replay: Response | None = None,
    ) -> None:
        """Keep a successful response (`succeeded`), or what its replays answer.

        A refusal frees the key. After a server error the command may have
        committed (an error after the commit, an ambiguous commit): the key
        stays in flight, and the retry, finding this request ended, asks the
        store what happened.
        """
        if response.status_code >= 500:
            return
        where = and_(keys.c.principal == principal, keys.c.key == key)
        with durable(self.engine) as conn:
            if succeeded(response.status_code) and not response.is_streamed:
                kept = _kept(replay or response)
                conn.execute(update(keys).where(where).values(**kept))
            else:
                conn.execute(delete(keys).where(where))


def succeeded(status: int) -> bool:
    """A kept outcome: 2xx, or the UI's redirect after a recorded form (303)."""
    return 200 <= status < 300 or status == 303


def secret_shown_once(token_id: str) -> Response:
    """What a replay of a token's issue answers: its secret is never kept."""
    return problem(
        409,
        f"token {token_id} was issued by the first request with this"
        " Idempotency-Key; its secret is shown only once: if it was lost,"
        " revoke the token and issue another",
        headers={"Location": f"/api/v1/tokens/{token_id}"},
        token_id=token_id,
    )


def replay_instead(response: Response) -> None:
    """Keep this response for the current request's replays, not its own."""
    g.idempotent_replay = response


def _kept(response: Response) -> dict[str, Any]:
    """The columns that keep a response for replay."""
    kept = {h: response.headers[h] for h in KEPT_HEADERS if h in response.headers}
    return {
        "state": "done",
        "status": response.status_code,
        "headers": json.dumps(kept),
        "body": response.get_data(as_text=True),
    }


def success_status() -> int:
    """The 2xx code the current endpoint documents (200 if it names none)."""
    view = current_app.view_functions.get(request.endpoint or "")
    documented = getattr(view, "_apidoc", {}).get("response", {}).get("responses", {})
    codes = [int(code) for code in documented if 200 <= int(code) < 300]
    return min(codes, default=200)


def init_app(app: Flask, services: object) -> None:
    """Reserve keys before POST views run and keep the responses after."""
    store = Keys(services.views_engine, services.app)  # type: ignore[attr-defined]
    services.redactors.append(store.redact)  # type: ignore[attr-defined]

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
        if g.get("request_id") == request.headers.get("X-Request-ID"):
            # The events of this attempt must be told from any other request's:
            # a client's own request id may repeat, so it gets a unique suffix.
            g.request_id = f"{g.request_id}.{secrets.token_hex(6)}"
        request_id = g.get("request_id") or secrets.token_hex(16)
        g.request_id = request_id
        replay = store.reserve(
            str(g.principal.token_id), key, fingerprint(), request_id
        )
        if replay is None:
            g.idempotency_key = key
        return replay

    def after(response: Response) -> Response:
        key = g.pop("idempotency_key", None)
        if key is None:
            return response
        try:
            replay = g.pop("idempotent_replay", None)
            store.complete(str(g.principal.token_id), key, response, replay)
        except DBAPIError as error:
            # The command's outcome stands (it may have committed): answer it, not
            # a 500. The key stays in flight; a retry recovers the outcome from
            # the store once this request has ended.
            log.warning("Idempotency-Key not completed: %r", error)
        finally:
            store.owners.ended(g.request_id)
        return response

    def teardown(_: BaseException | None) -> None:
        if "idempotency_key" in g:
            store.owners.ended(g.request_id)

    app.before_request(before)
    app.after_request(after)
    app.teardown_request(teardown)

"""The peer over HTTP: the versioned risk register a Flask team would build instead.

Flask + SQLAlchemy 2 + SQLAlchemy-Continuum (its default validity strategy: an
end_transaction_id per version row, its fastest as-of query), served by
gunicorn with api/gunicorn_conf.py and the workers and threads `pmo-ledger
serve` uses (bench/peer_continuum.py starts it). The same routes and answers
as ours for what the benchmark drives:

    POST /api/v1/projects/<id>/risks          identify a risk (201, its id)
    POST /api/v1/risks/<id>/assessments       assess it (a new version)
    GET  /api/v1/projects/<id>/risks?limit=&after=&as_of=
                                              a keyset page, current or as of

Every request presents a bearer token, checked against a table of SHA-256
hashes (one indexed lookup), as a minimal production app would. PEER_DATABASE
is a SQLAlchemy URL; PEER_SCHEMA, with PostgreSQL, the schema to use.
"""

from __future__ import annotations

import hashlib
import os
import threading
from datetime import UTC, datetime
from typing import Any

from flask import Flask, abort, jsonify, request
from sqlalchemy import (
    Engine,
    Select,
    String,
    create_engine,
    event,
    func,
    select,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, configure_mappers
from sqlalchemy.orm import mapped_column as column
from sqlalchemy_continuum import make_versioned, version_class
from sqlalchemy_continuum import transaction_class as continuum_transaction

make_versioned(user_cls=None)
ASSESSED = ("probability", "impact", "residual_probability", "residual_impact")


class Base(DeclarativeBase):
    """The peer's tables."""


class RiskRow(Base):
    """The fields a risk carries here, versioned by Continuum."""

    __tablename__ = "risk"
    __versioned__: dict[str, object] = {}
    id: Mapped[int] = column(primary_key=True)
    project_id: Mapped[str] = column(String(36), index=True)
    title: Mapped[str] = column(String)
    cause: Mapped[str] = column(String)
    event: Mapped[str] = column(String)
    effect: Mapped[str] = column(String)
    category: Mapped[str] = column(String)
    kind: Mapped[str] = column(String)
    owner: Mapped[str] = column(String)
    proximity: Mapped[str] = column(String)
    probability: Mapped[int]
    impact: Mapped[int]
    residual_probability: Mapped[int]
    residual_impact: Mapped[int]
    status: Mapped[str] = column(String)
    actor: Mapped[str] = column(String)
    reason: Mapped[str] = column(String)


class TokenRow(Base):
    """An API token: only its hash is kept."""

    __tablename__ = "token"
    digest: Mapped[str] = column(String(64), primary_key=True)
    name: Mapped[str] = column(String)


configure_mappers()
Versions = version_class(RiskRow)
Transaction = continuum_transaction(RiskRow)


def peer_engine(url: str, schema: str | None = None) -> Engine:
    """The peer's engine: WAL and synchronous=FULL on SQLite, as ours."""
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 30})

        @event.listens_for(engine, "connect")
        def pragmas(conn: Any, _: object) -> None:
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=FULL")

        return engine
    options = {"options": f"-csearch_path={schema}"} if schema else {}
    return create_engine(url, connect_args=options, pool_size=8)


def add_token(engine: Engine, secret: str) -> None:
    """Store a token's hash (the schema is made here too)."""
    Base.metadata.create_all(engine)
    with Session(engine) as session:
        digest = hashlib.sha256(secret.encode()).hexdigest()
        session.merge(TokenRow(digest=digest, name="bench"))
        session.commit()


def new_risk(project_id: str, fields: dict[str, Any]) -> RiskRow:
    """A risk as identified (residual ratings start at the inherent ones)."""
    return RiskRow(
        project_id=project_id,
        residual_probability=fields["probability"],
        residual_impact=fields["impact"],
        status="open",
        actor="bench",
        reason="",
        **fields,
    )


def page_query(project_id: str, as_of: datetime | None) -> Select[Any]:
    """A project's risks now, or the versions that held at a moment."""
    if as_of is None:
        return select(RiskRow).where(RiskRow.project_id == project_id)
    moment = as_of.astimezone(UTC).replace(tzinfo=None)
    last = (
        select(func.max(Transaction.id))
        .where(Transaction.issued_at <= moment)
        .scalar_subquery()
    )
    return select(Versions).where(
        Versions.project_id == project_id,
        Versions.transaction_id <= last,
        (Versions.end_transaction_id > last) | Versions.end_transaction_id.is_(None),
    )


app = Flask(__name__)
_engine: Engine | None = None
_started = threading.Lock()
# One SQLite writer at a time, as ours and the bare endpoint have.
_writer = threading.Lock()


def engine() -> Engine:
    """The worker's engine, made on first use."""
    global _engine
    with _started:
        if _engine is None:
            _engine = peer_engine(os.environ["PEER_DATABASE"], os.getenv("PEER_SCHEMA"))
    return _engine


@app.before_request
def authenticate() -> None:
    """401 unless the bearer token's hash is stored."""
    scheme, _, secret = request.headers.get("Authorization", "").partition(" ")
    digest = hashlib.sha256(secret.encode()).hexdigest()
    with Session(engine()) as session:
        if scheme.lower() != "bearer" or session.get(TokenRow, digest) is None:
            abort(401)


@app.post("/api/v1/projects/<project_id>/risks")
def identify(project_id: str) -> tuple[dict[str, int], int]:
    """A new risk; its first version."""
    fields = request.get_json()
    with _writer, Session(engine()) as session:
        row = new_risk(project_id, fields)
        session.add(row)
        session.commit()
        return {"id": row.id}, 201


@app.post("/api/v1/risks/<int:risk_id>/assessments")
def assess(risk_id: int) -> dict[str, int]:
    """New ratings: one more version of the risk."""
    body = request.get_json()
    with _writer, Session(engine()) as session:
        row = session.get(RiskRow, risk_id)
        if row is None:
            abort(404)
        row.probability, row.impact = (
            body["inherent_probability"],
            body["inherent_impact"],
        )
        row.residual_probability = body["residual_probability"]
        row.residual_impact = body["residual_impact"]
        row.reason = body.get("reason", "")
        session.commit()
        return {"id": row.id}


@app.get("/api/v1/projects/<project_id>/risks")
def risks(project_id: str) -> Any:
    """A page of a project's risks in id order, now or as of a moment."""
    limit = int(request.args.get("limit", 50))
    as_of = request.args.get("as_of")
    query = page_query(project_id, datetime.fromisoformat(as_of) if as_of else None)
    entity = query.selected_columns
    if after := request.args.get("after"):
        query = query.where(entity.id > int(after))
    with Session(engine()) as session:
        rows = session.execute(query.order_by(entity.id).limit(limit + 1)).all()
    names = [c.name for c in RiskRow.__table__.columns]
    items = [{n: getattr(row[0], n) for n in names} for row in rows[:limit]]
    more = len(rows) > limit
    return jsonify(items=items, next_cursor=str(items[-1]["id"]) if more else None)

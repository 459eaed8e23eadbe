"""Peer comparison: a versioned risk register here vs SQLAlchemy-Continuum, on SQLite.

    .venv/bin/python bench/peer_continuum.py [--risks 100] [--updates 10]

Same workload on both: `risks` risks identified, then `updates` assessments of
each, one transaction per command; then the whole register as at the moment
half-way through, and the storage each leaves on disk. Both files in WAL mode
with synchronous=FULL. Continuum uses its default validity strategy (an
end_transaction_id per version row), which is its fastest as-at query.
"""

from __future__ import annotations

import argparse
import sqlite3
import time
from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy
import sqlalchemy_continuum
from common import META, RISK, median_ms, ratings, report, settings_for
from sqlalchemy import String, create_engine, event, select, text
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, configure_mappers
from sqlalchemy.orm import mapped_column as column
from sqlalchemy_continuum import make_versioned, version_class

from projections.models import models
from projections.rebuild import rebuild
from usecases.root import build_services

make_versioned(user_cls=None)


class Base(DeclarativeBase):
    """Continuum's side of the comparison."""


class RiskRow(Base):
    """The same fields a risk carries here, versioned by Continuum."""

    __tablename__ = "risk"
    __versioned__: dict[str, object] = {}
    id: Mapped[int] = column(primary_key=True)
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


configure_mappers()


def continuum(path: Path, risks: int, updates: int) -> dict[str, float]:
    """Write, query as at the midpoint, and measure the file."""
    engine = create_engine(f"sqlite:///{path}")

    @event.listens_for(engine, "connect")
    def pragmas(conn: sqlite3.Connection, _: object) -> None:
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=FULL")

    Base.metadata.create_all(engine)
    started = time.perf_counter()
    with Session(engine) as session:
        rows = []
        for _ in range(risks):
            row = RiskRow(
                title="r", cause="c", event="e", effect="f", category="cost",
                kind="threat", owner="o", proximity="imminent", probability=3,
                impact=3, residual_probability=3, residual_impact=3, status="open",
                actor=META.actor, reason=str(META.reason),
            )  # fmt: skip
            session.add(row)
            session.commit()
            rows.append(row.id)
        midpoint_tx = 0
        for n in range(updates):
            for row_id in rows:
                row = session.get(RiskRow, row_id)
                assert row is not None
                row.residual_probability, row.residual_impact = 1 + n % 5, 2
                session.commit()
            if n == updates // 2:
                midpoint_tx = (
                    session.scalar(text('SELECT max(id) FROM "transaction"')) or 0
                )
    elapsed = time.perf_counter() - started
    versions = version_class(RiskRow)

    def as_at() -> object:
        with Session(engine) as session:
            return session.scalars(
                select(versions)
                .where(versions.transaction_id <= midpoint_tx)
                .where(
                    (versions.end_transaction_id > midpoint_tx)
                    | versions.end_transaction_id.is_(None)
                )
                .order_by(versions.id)
                .limit(100)
            ).all()

    query_ms = median_ms(as_at)
    engine.dispose()
    return {
        "writes_per_s": risks * (updates + 1) / elapsed,
        "as_at_ms": query_ms,
        "bytes": size(path),
    }


def ledger(risks: int, updates: int) -> dict[str, float]:
    """The same workload through PmoLedger commands and the risks read model."""
    with settings_for("sqlite") as settings:
        services = build_services(settings)
        app = services.app
        project = app.register_project("PEER", "Peer", "", "S", "M", META).id
        started = time.perf_counter()
        ids = [
            app.perform("identify_risk", project, RISK, META).id for _ in range(risks)
        ]
        midpoint = datetime.now(UTC)
        for n in range(updates):
            for risk_id in ids:
                app.perform("assess_risk", risk_id, ratings(3, 3, 1 + n % 5, 2), META)
            if n == updates // 2:
                midpoint = datetime.now(UTC)
        elapsed = time.perf_counter() - started
        for cls in models():
            rebuild(cls, services.views_engine, app.recorder, app.mapper)

        def as_at() -> object:
            return services.views.list_register(
                "risks", project, as_of=midpoint, filters={}, after=None, limit=100
            )

        query_ms = median_ms(as_at)
        services.close()
        files = [settings.sqlite_path, settings.sqlite_path.with_name("views.db")]
        return {
            "writes_per_s": risks * (updates + 1) / elapsed,
            "as_at_ms": query_ms,
            "bytes": sum(size(f) for f in files),
            "event_store_bytes": size(files[0]),
        }


def size(path: Path) -> int:
    """Bytes of a SQLite file after folding its WAL back in."""
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return path.stat().st_size


def main() -> None:
    """Run both and report ratios (ours / Continuum's)."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--risks", type=int, default=100)
    parser.add_argument("--updates", type=int, default=10)
    args = parser.parse_args()
    ours = ledger(args.risks, args.updates)
    with settings_for("sqlite") as settings:
        peer = continuum(settings.data_dir / "continuum.db", args.risks, args.updates)
    result: dict[str, object] = {
        "risks": args.risks,
        "updates_each": args.updates,
        "sqlalchemy": sqlalchemy.__version__,
        "sqlalchemy_continuum": sqlalchemy_continuum.__version__,
    }
    for key, value in ours.items():
        result[f"ledger_{key}"] = round(value, 2)
    for key, value in peer.items():
        result[f"continuum_{key}"] = round(value, 2)
    result["writes_vs_continuum"] = round(
        ours["writes_per_s"] / peer["writes_per_s"], 2
    )
    result["as_at_vs_continuum"] = round(ours["as_at_ms"] / peer["as_at_ms"], 2)
    result["bytes_vs_continuum"] = round(ours["bytes"] / peer["bytes"], 2)
    report("peer_continuum", result)


if __name__ == "__main__":
    main()

"""Records kept beside the read models are committed synced to disk (SQLite).

Read-model commits run with synchronous=NORMAL; idempotency keys, database
blob content and signed ledger heads must commit with FULL, or a power failure
could lose an acknowledged upload or let a retried command append twice.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, event

from api import create_app
from service.durability import durable
from tests.api.conftest import PROJECT, Api, issue_tokens
from tests.conftest import settings_for
from usecases.root import Services, build_services

pytestmark = pytest.mark.parametrize("backend", ["sqlite"])
RECORDS = ("api_idempotency_keys", "blobs", "ledger_heads")


class Commits:
    """Each commit on an engine: its synchronous level and the tables it wrote."""

    def __init__(self, engine: Engine) -> None:
        self.seen: list[tuple[int, set[str]]] = []
        self._writes: dict[int, set[str]] = {}
        event.listen(engine, "before_cursor_execute", self._statement)
        event.listen(engine, "commit", self._commit)

    def _statement(self, conn: Any, _cursor: Any, sql: str, *_: Any) -> None:
        words = sql.split()
        if words and words[0].upper() in ("INSERT", "UPDATE", "DELETE"):
            table = next(
                w.strip('"').split(".")[-1]
                for w in words[1:]
                if w.upper() not in ("INTO", "FROM", "OR", "REPLACE")
            )
            self._writes.setdefault(id(conn), set()).add(table)

    def _commit(self, conn: Any) -> None:
        level = conn.connection.dbapi_connection.execute("PRAGMA synchronous")
        self.seen.append((level.fetchone()[0], self._writes.pop(id(conn), set())))

    def levels_for(self, table: str) -> set[int]:
        """The synchronous levels of the commits that wrote `table`."""
        return {level for level, tables in self.seen if table in tables}


@pytest.fixture
def recorded(backend: str, tmp_path: Path) -> Iterator[tuple[Api, Services, Commits]]:
    """An app on SQLite with database blobs, its views engine's commits recorded."""
    with settings_for(backend, tmp_path / "data", blob_backend="database") as settings:
        services = build_services(settings)
        commits = Commits(services.views_engine)
        yield (
            Api(create_app(services=services), issue_tokens(services)),
            services,
            commits,
        )
        services.close()


def test_durable_commits_at_full_and_the_connection_goes_back_to_normal(
    recorded: tuple[Api, Services, Commits],
) -> None:
    _, services, commits = recorded
    engine = services.views_engine
    with durable(engine) as conn:
        raw = conn.connection.dbapi_connection
        assert raw is not None
        assert raw.execute("PRAGMA synchronous").fetchone()[0] == 2
        conn.exec_driver_sql("CREATE TABLE durable_probe (x INTEGER)")
    with engine.connect() as conn:  # the same pooled connection, back to NORMAL
        raw = conn.connection.dbapi_connection
        assert raw is not None
        assert raw.execute("PRAGMA synchronous").fetchone()[0] == 1
    assert commits.seen[-1][0] == 2


def test_keys_blobs_and_signed_heads_commit_synced(
    recorded: tuple[Api, Services, Commits],
) -> None:
    api, services, commits = recorded
    keyed = {"Idempotency-Key": "durable-1"}
    project = api.post("/projects", PROJECT, headers=keyed)
    assert project.status_code == 201, project.json
    did = api.document(project.json["id"])
    upload = api.post(
        f"/documents/{did}/versions",
        data=b"minutes",
        headers={"Content-Type": "text/plain", "X-Filename": "m.txt"},
    )
    assert upload.status_code == 201, upload.json
    services.ledger_worker.catch_up()
    assert services.ledger_worker.sign_now() is not None
    for table in RECORDS:
        assert commits.levels_for(table) == {2}, (table, commits.seen)
    # The read models' own commits stay at NORMAL.
    assert any(level == 1 for level, _ in commits.seen)

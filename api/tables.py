"""The API's own tables on the read-model database, made by whichever worker starts."""

from __future__ import annotations

from sqlalchemy import Engine, Table, select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.schema import CreateTable


def ensure_table(engine: Engine, table: Table) -> None:
    """Create the table unless it exists (several workers may race to)."""
    # One statement, no check-then-create: on SQLite a read that upgrades to a
    # write fails at once if the read-model processors committed in between.
    try:
        with engine.begin() as conn:
            conn.execute(CreateTable(table, if_not_exists=True))
    except DBAPIError:
        # Another worker created it at the same moment (PostgreSQL may then
        # report a duplicate type); anything else fails on this read.
        with engine.connect() as conn:
            conn.execute(select(*table.primary_key.columns).limit(1))

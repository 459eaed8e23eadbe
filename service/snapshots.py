"""Snapshots are a shortcut to the current state, not part of the record.

eventsourcing keeps every snapshot it is given. A snapshot holds the whole
state, so for an aggregate whose state grows with its history (a document's
version list) keeping one every `interval` events makes the snapshot table grow
with the square of the history: 10k versions of one document took ~0.7 GB of
snapshots beside a few MB of events. Only the newest snapshot speeds up a load
of the current state, so older ones are deleted once a newer one is stored.
A load as at an old version then replays from the start (or from an older
snapshot that survives), which gives the same state: the events are the record.
"""

from __future__ import annotations

from uuid import UUID

from eventsourcing.persistence import AggregateRecorder
from eventsourcing.postgres import PostgresAggregateRecorder
from eventsourcing.sqlite import SQLiteAggregateRecorder
from psycopg.sql import SQL, Identifier


def prune_older(recorder: AggregateRecorder, originator_id: UUID, version: int) -> None:
    """Delete an aggregate's snapshots older than `version`.

    Recorders other than the library's SQLite and PostgreSQL ones are left as
    they are (nothing is deleted).
    """
    if isinstance(recorder, SQLiteAggregateRecorder):
        with recorder.datastore.transaction(commit=True) as cursor:
            cursor.execute(
                f"DELETE FROM {recorder.events_table_name} "  # noqa: S608 (library's own name)
                "WHERE originator_id = ? AND originator_version < ?",
                (originator_id.hex, version),  # the library's own id encoding
            )
        return
    if isinstance(recorder, PostgresAggregateRecorder):
        statement = SQL(
            "DELETE FROM {schema}.{table} "
            "WHERE originator_id = %s AND originator_version < %s"
        ).format(
            schema=Identifier(recorder.datastore.schema),
            table=Identifier(recorder.events_table_name),
        )
        with recorder.datastore.transaction(commit=True) as cursor:
            cursor.execute(statement, (originator_id, version))


def delete_all(recorder: AggregateRecorder) -> None:
    """Delete every snapshot, overwriting them in the file on SQLite.

    After an erasure: a snapshot taken before sealing may hold plaintext, and
    every aggregate loads as well from its events (docs/privacy.md).
    """
    if isinstance(recorder, SQLiteAggregateRecorder):
        with recorder.datastore.transaction(commit=True) as cursor:
            cursor.execute("PRAGMA secure_delete=ON")
            cursor.execute(f"DELETE FROM {recorder.events_table_name}")  # noqa: S608
        with recorder.datastore.transaction(commit=False) as cursor:
            cursor.execute("PRAGMA secure_delete=OFF")
        return
    if isinstance(recorder, PostgresAggregateRecorder):
        table = SQL("{schema}.{table}").format(
            schema=Identifier(recorder.datastore.schema),
            table=Identifier(recorder.events_table_name),
        )
        with recorder.datastore.transaction(commit=True) as cursor:
            cursor.execute(SQL("DELETE FROM {table}").format(table=table))

"""Tamper matrix: each change to a freshly populated store is found and located."""

# ruff: noqa: S608 - SQL names come from the recorder, never from input

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import text

from integrity import verifier
from tests.ledger.store import Store, mark, pos, raw

MIDDLE = 9


def event_state(store: Store, position: int) -> bytes:
    sql = f"SELECT state FROM {store.table} WHERE {pos(store.settings)} = ?"
    return bytes(raw(store.settings, mark(store.settings, sql), (position,))[0][0])


def set_state(store: Store, position: int, state: bytes) -> None:
    sql = f"UPDATE {store.table} SET state = ? WHERE {pos(store.settings)} = ?"
    raw(store.settings, mark(store.settings, sql), (state, position))


def edit_state(store: Store) -> int:
    """Who recorded the event rewritten (its actor, sealed, replaced by another)."""
    state = event_state(store, MIDDLE)
    edited = re.sub(rb'"actor":"[^"]*"', b'"actor":"eve"', state, count=1)
    assert edited != state
    set_state(store, MIDDLE, edited)
    return MIDDLE


def edit_timestamp(store: Store) -> int:
    state = json.loads(event_state(store, MIDDLE))
    state["timestamp"]["_data_"] = "2020-01-01T00:00:00+00:00"
    set_state(store, MIDDLE, json.dumps(state, separators=(",", ":")).encode())
    return MIDDLE


def delete_middle(store: Store) -> int:
    sql = f"DELETE FROM {store.table} WHERE {pos(store.settings)} = ?"
    raw(store.settings, mark(store.settings, sql), (MIDDLE,))
    return MIDDLE


def swap(store: Store) -> int:
    column, table, s = pos(store.settings), store.table, store.settings
    for a, b in ((MIDDLE, -1), (MIDDLE + 1, MIDDLE), (-1, MIDDLE + 1)):
        sql = f"UPDATE {table} SET {column} = ? WHERE {column} = ?"
        raw(s, mark(s, sql), (b, a))
    return MIDDLE


def insert_forged(store: Store) -> int:
    """Renumber everything from MIDDLE on and slip a forged event in."""
    column, table, s = pos(store.settings), store.table, store.settings
    raw(
        s,
        mark(s, f"UPDATE {table} SET {column} = -{column} WHERE {column} >= ?"),
        (MIDDLE,),
    )
    raw(s, f"UPDATE {table} SET {column} = 1 - {column} WHERE {column} < 0")
    forged = uuid.uuid4()
    oid = forged.hex if s.backend == "sqlite" else forged
    topic = "service.domain.risk:Risk.Closed"
    raw(
        s,
        mark(
            s,
            f"INSERT INTO {table} (originator_id, originator_version, topic, "
            f"state, {column}) VALUES (?, ?, ?, ?, ?)",
        ),
        (oid, 1, topic, event_state(store, MIDDLE + 1), MIDDLE),
    )
    return MIDDLE


def edit_leaf(store: Store) -> int:
    with store.services.views_engine.begin() as conn:
        conn.execute(
            text("UPDATE ledger_leaves SET leaf_hash = :h WHERE position = :p"),
            {"h": b"\x01" * 32, "p": MIDDLE},
        )
    return MIDDLE


def edit_node(store: Store) -> int:
    with store.services.views_engine.begin() as conn:
        conn.execute(
            text(
                "UPDATE ledger_nodes SET hash = :h WHERE level = 1 AND node_index = 4"
            ),
            {"h": b"\x02" * 32},
        )
    return store.positions()[9]  # the node covers leaves 8 and 9


def edit_head(store: Store) -> int | None:
    with store.services.views_engine.begin() as conn:
        conn.execute(
            text(
                "UPDATE ledger_heads SET timestamp_ms = timestamp_ms + 1 "
                "WHERE head_id = 1"
            )
        )
    return None


def blob_file(store: Store, sha: str) -> Path:
    return store.settings.data_dir / "blobs" / sha[:2] / sha[2:4] / sha


def flip_blob(store: Store) -> int:
    sha, position = store.blobs[0]
    path = blob_file(store, sha)
    data = bytearray(path.read_bytes())
    data[3] ^= 0x01
    path.chmod(0o600)
    path.write_bytes(bytes(data))
    return position


def replace_blob(store: Store) -> int:
    (first, position), (second, _) = store.blobs
    path = blob_file(store, first)
    path.chmod(0o600)
    path.write_bytes(blob_file(store, second).read_bytes())
    return position


CASES: dict[str, tuple[Callable[[Store], int | None], str]] = {
    "edit-state": (edit_state, "does not hash to leaf"),
    "edit-timestamp": (edit_timestamp, "does not hash to leaf"),
    "delete-middle": (delete_middle, "event deleted"),
    "swap": (swap, "does not hash to leaf"),
    "insert-forged": (insert_forged, "does not hash to leaf"),
    "edit-leaf": (edit_leaf, "does not hash to leaf"),
    "edit-node": (edit_node, "stored ledger node (level 1, index 4)"),
    "edit-head": (edit_head, "signed head #1"),
    "flip-blob-byte": (flip_blob, "is corrupt"),
    "replace-blob": (replace_blob, "is corrupt"),
}


def test_the_untampered_store_verifies(store: Store) -> None:
    report = store.verify(trusted_head=store.heads[-1])
    assert report.ok, report.summary()
    size = store.heads[-1].tree_size
    assert report.summary().startswith(f"verified {size} events up to head {size}")


@pytest.mark.parametrize("case", sorted(CASES))
def test_tampering_is_found_at_the_first_bad_position(store: Store, case: str) -> None:
    tamper, reason = CASES[case]
    expected = tamper(store)
    report = store.verify()
    assert not report.ok
    assert reason in (report.reason or ""), report.summary()
    assert report.position == expected, report.summary()
    if case.endswith("blob") or case == "flip-blob-byte":
        assert store.blobs[0][0] in (report.reason or "")


def test_truncated_tail_is_caught_with_a_kept_head(store: Store) -> None:
    kept = store.heads[-1]
    keep = store.positions()[:-3]
    column, table, s = pos(store.settings), store.table, store.settings
    raw(s, mark(s, f"DELETE FROM {table} WHERE {column} > ?"), (keep[-1],))
    with store.services.views_engine.begin() as conn:  # cover the ledger's tracks
        conn.execute(
            text("DELETE FROM ledger_leaves WHERE leaf_index >= :n"), {"n": len(keep)}
        )
        conn.execute(
            text("DELETE FROM ledger_heads WHERE tree_size > :n"), {"n": len(keep)}
        )
    assert store.verify().ok  # without a kept head the cut cannot be seen
    report = store.verify(trusted_head=kept)
    assert not report.ok
    assert "tail truncated" in (report.reason or "")
    assert report.position == keep[-1]


@pytest.mark.parametrize("page", [9, 10, verifier.BATCH])
def test_a_deleted_leaf_is_found_wherever_it_falls_in_a_page(
    store: Store, page: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(verifier, "BATCH", page)
    with store.services.views_engine.begin() as conn:
        conn.execute(
            text("DELETE FROM ledger_leaves WHERE position = :p"), {"p": MIDDLE}
        )
    report = store.verify()
    assert not report.ok
    assert "this event is not in the ledger" in (report.reason or ""), report.summary()
    assert report.position == MIDDLE

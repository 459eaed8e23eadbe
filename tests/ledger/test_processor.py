"""The ledger processor: same root as an in-memory tree, restarts, gaps."""

# ruff: noqa: S608 - SQL names come from the recorder, never from input

from __future__ import annotations

import itertools
import stat

from sqlalchemy import func, select

from integrity.eventlog import as_uuid, read_events, read_events_page
from integrity.leaf import event_leaf_hash
from integrity.proofs import LedgerReader
from integrity.signing import verify_tree_head
from integrity.tables import leaves, members
from integrity.tree import (
    MemoryNodeStore,
    MerkleTree,
    verify_consistency,
    verify_inclusion,
)
from integrity.verifier import Verifier
from service.config import Settings
from tests.ledger.store import META, Store, events_table, mark, pos, raw, write
from usecases.root import build_services, ledger_worker


def memory_tree(store: Store) -> MerkleTree:
    """The reference: an in-memory tree over every stored event."""
    tree = MerkleTree(MemoryNodeStore())
    recorder = store.services.app.recorder
    for n in recorder.select_notifications(start=1, limit=100_000):
        tree.append(
            event_leaf_hash(
                n.id, as_uuid(n.originator_id), n.originator_version, n.topic, n.state
            )
        )
    return tree


def test_root_matches_an_in_memory_tree(store: Store) -> None:
    tree = memory_tree(store)
    latest = store.heads[-1]
    assert latest.tree_size == tree.size
    assert latest.root_hash == tree.root()
    assert store.heads[0].root_hash == tree.root(store.heads[0].tree_size)
    assert all(verify_tree_head(store.public_key, head) for head in store.heads)
    assert store.worker.sign_now() is None  # nothing new: no new head


def test_proofs_from_stored_nodes_verify(store: Store) -> None:
    reader = LedgerReader(store.services.views_engine)
    first, second = store.heads
    for position in store.positions():
        proof = reader.inclusion(position, second.tree_size)
        assert verify_inclusion(
            bytes.fromhex(proof["leaf_hash"]),
            proof["leaf_index"],
            second.tree_size,
            [bytes.fromhex(p) for p in proof["path"]],
            second.root_hash,
        )
    link = reader.consistency(first.tree_size, second.tree_size)
    assert verify_consistency(
        first.tree_size,
        second.tree_size,
        first.root_hash,
        second.root_hash,
        [bytes.fromhex(p) for p in link["path"]],
    )


def test_restart_mid_way_continues(store: Store) -> None:
    services = store.services
    write(services.app, store.project_id, 20)
    # A small batch, then a new worker (a restart) finishes the job.
    store.worker.processor.batch_size = 7
    assert store.worker.processor.run_batch() == 7
    other = build_services(store.settings, create_tables=False)
    restarted = ledger_worker(other)
    restarted.processor.batch_size = 5
    head = restarted.sign_now()
    assert head is not None and head.root_hash == memory_tree(store).root()
    # The first worker's frontier is stale now; it must notice and reload.
    write(services.app, store.project_id, 3)
    assert store.worker.sign_now() is not None
    assert store.verify().ok
    other.close()


def test_members_map_aggregates_to_projects(store: Store) -> None:
    with store.services.views_engine.connect() as conn:
        owned = conn.execute(
            select(func.count())
            .select_from(members)
            .where(members.c.project_id == store.project_id)
        ).scalar()
    # Code reservation, 12 risks, 5 issues, 2 documents.
    assert owned == 1 + 12 + 5 + 2


def test_gaps_in_notification_ids(settings: Settings) -> None:
    services = build_services(settings)
    app = services.app
    project = app.register_project("GAP-1", "Gap", "d", "s", "m", META)
    table = events_table(services)
    if settings.backend == "postgres":
        # What a refused insert does: the sequence value is consumed.
        for _ in range(3):
            raw(
                settings,
                f"SELECT nextval(pg_get_serial_sequence('{table}', 'notification_id'))",
            )
    else:
        raw(
            settings,
            mark(
                settings,
                f"UPDATE {table} SET rowid = rowid + 3 WHERE {pos(settings)} = ?",
            ),
            (2,),
        )
    write(app, project.id, 3)
    worker = ledger_worker(services)
    head = worker.sign_now()
    assert head is not None
    with services.views_engine.connect() as conn:
        rows = conn.execute(
            select(leaves.c.leaf_index, leaves.c.position).order_by(leaves.c.leaf_index)
        ).all()
    assert [r.leaf_index for r in rows] == list(range(len(rows)))
    positions = [r.position for r in rows]
    # The gap shows in positions only.
    assert any(b - a > 1 for a, b in itertools.pairwise(positions))
    assert head.tree_size == len(rows)
    key = worker.signer.key.public_key()
    assert Verifier(services.views_engine, app.recorder, app.blobs, [key]).run().ok
    services.close()


def test_key_file_is_private(store: Store) -> None:
    mode = stat.S_IMODE(store.settings.key_path.stat().st_mode)
    assert mode == 0o600
    reader = LedgerReader(store.services.views_engine)
    assert [k["key_id"] for k in reader.public_keys()] == [store.heads[0].key_id]


def test_raw_pages_hold_what_the_recorder_returns(store: Store) -> None:
    recorder = store.services.app.recorder
    expected = [
        (n.id, as_uuid(n.originator_id).bytes, n.originator_version, n.topic, n.state)
        for n in recorder.select_notifications(start=1, limit=100_000)
    ]
    pages = list(read_events(recorder, 0, None, 7))
    assert [len(page) for page in pages[:-1]] == [7] * (len(pages) - 1)
    assert [event for page in pages for event in page] == expected
    middle = expected[10][0]
    assert read_events_page(recorder, middle, expected[12][0], 100) == expected[11:13]

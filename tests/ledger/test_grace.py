"""Nothing unledgered passes; --public-key replaces the trusted key set."""

# ruff: noqa: S608 - SQL names come from the recorder, never from input

from __future__ import annotations

import time
import uuid
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from integrity.grace import Grace, recorded_at
from integrity.signing import public_key_pem
from integrity.verifier import VerifyReport
from tests.ledger.store import Store, mark, pos, raw, write
from tests.ledger.test_ledger_cli import run
from tests.ledger.test_tamper import event_state


def append_forged(store: Store) -> tuple[int, float]:
    """A copy of the last event under a new id, slipped in behind the ledger."""
    column, table, s = pos(store.settings), store.table, store.settings
    last = store.positions()[-1]
    state = event_state(store, last)
    forged = uuid.uuid4()
    raw(
        s,
        mark(
            s,
            f"INSERT INTO {table} (originator_id, originator_version, topic, "
            f"state, {column}) VALUES (?, ?, ?, ?, ?)",
        ),
        (
            forged.hex if s.backend == "sqlite" else forged,
            1,
            "service.domain.risk:Risk.Closed",
            state,
            last + 1,
        ),
    )
    recorded = recorded_at(state)
    assert recorded is not None
    return last + 1, recorded.timestamp()


def verify_at(store: Store, now: float) -> VerifyReport:
    return store.verifier(readers=0, grace=Grace(now=lambda: now)).run()


def test_a_forged_event_passes_only_within_the_grace(store: Store) -> None:
    position, recorded = append_forged(store)
    young = verify_at(store, recorded + 30)
    assert young.ok, young.summary()
    assert young.unsigned == 1
    old = verify_at(store, recorded + 61)
    assert not old.ok
    assert old.position == position
    assert "not covered by a signed checkpoint" in (old.reason or "")


def test_a_forged_event_stamped_in_the_future_fails_at_once(store: Store) -> None:
    position, recorded = append_forged(store)
    # Stamped later than the verifier's clock: as if forged with a far-future
    # time to pass every verification until then.
    for now in (recorded - 3600 * 24 * 365 * 10, recorded - 6):
        early = verify_at(store, now)
        assert not early.ok
        assert early.position == position
        assert "later than now" in (early.reason or "")
    # Within the allowance for clocks that differ between hosts, and the grace.
    assert verify_at(store, recorded - 4).ok


def test_an_event_waiting_for_the_signer_fails_after_the_grace(store: Store) -> None:
    write(store.services.app, store.project_id, 1)
    stored = store.positions()
    late = verify_at(store, time.time() + 120)
    assert not late.ok
    assert late.position == stored[store.heads[-1].tree_size]
    store.worker.sign_now()
    assert verify_at(store, time.time() + 120).ok


def test_verify_cli_names_the_unledgered_event(store: Store) -> None:
    position, _ = append_forged(store)
    code, out = run(store, "verify", "--readers", "0", "--grace", "0")
    assert code == 1
    assert f"FAILED at position {position}: this event is not covered" in out
    code, out = run(store, "verify", "--readers", "0", "--grace", "1e9")
    assert code == 0, out
    assert "1 newer events not yet signed" in out


def test_public_key_replaces_the_data_directory_key(
    store: Store, tmp_path: Path
) -> None:
    other = tmp_path / "other.pem"
    other.write_bytes(public_key_pem(Ed25519PrivateKey.generate()))
    ours = tmp_path / "ours.pem"
    ours.write_bytes(public_key_pem(store.public_key))
    code, out = run(store, "verify", "--public-key", str(other))
    assert code == 1
    assert "which is not trusted" in out
    code, out = run(store, "verify", "--public-key", str(ours))
    assert code == 0, out
    code, out = run(
        store, "verify", "--public-key", str(other), "--public-key", str(ours)
    )
    assert code == 0, out

"""A witness over the real API: cosigning, policies, and what it catches."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from flask.testing import FlaskClient
from sqlalchemy import text

from integrity.checkpoint import Checkpoint, sign_checkpoint
from integrity.note import parse_note
from integrity.signing import load_or_create_private_key
from integrity.witness import Witness, WitnessRefusedError
from tests.ledger.store import Store, write
from tests.ledger.test_ledger_cli import run as cli
from tests.ledger.test_tamper import edit_state
from usecases import verification, witness
from usecases.root import ledger_worker

API = "/api/v1"


def transport(client: FlaskClient) -> tuple[Any, Any]:
    def fetch(path: str) -> bytes:
        response = client.get(API + path)
        assert response.status_code == 200, response.text
        return response.data

    def push(path: str, body: dict[str, Any]) -> None:
        response = client.post(API + path, json=body)
        assert response.status_code in (200, 201), response.text

    return fetch, push


@pytest.fixture
def directory(client: FlaskClient, store: Store, tmp_path: Path) -> Path:
    """A witness following the store's log (signed up to the auditor's token)."""
    store.worker.sign_now()
    folder = tmp_path / "witness"
    witness.init_witness(folder, "audit.example/w1")
    vkey = client.get(f"{API}/ledger/verifier-key").text.split()[-1]
    witness.trust_log(folder, vkey)
    return folder


def round_(client: FlaskClient, directory: Path, **kw: Any) -> witness.Cosignature:
    fetch, push = transport(client)
    return witness.witness_round(
        witness.WitnessRound(directory, kw.get("fetch", fetch), push)
    )


def verify(store: Store, **kw: Any) -> verification.VerifyReport:
    command = verification.VerifyStore(readers=0, **kw)
    return verification.verify_store(store.services, command)


def test_cosigns_extends_and_keeps_its_state(
    client: FlaskClient, store: Store, directory: Path
) -> None:
    first = round_(client, directory)
    assert (first.old_size, first.tree_size) == (0, len(store.positions()))
    published = parse_note(client.get(f"{API}/ledger/checkpoint").text)
    assert published.signatures[-1].line() == first.line
    write(store.services.app, store.project_id, 2)
    store.worker.sign_now()
    second = round_(client, directory)  # with a consistency proof from the first
    assert second.old_size == first.tree_size < second.tree_size
    kept = Witness(directory).logs()[first.origin]
    assert kept.size == second.tree_size
    assert kept.checkpoint is not None and kept.checkpoint.endswith(second.line)


def test_verify_with_a_witness_policy(
    client: FlaskClient, store: Store, directory: Path
) -> None:
    vkey = (witness.witness_key(directory),)
    before = verify(store, witness_keys=vkey, grace_seconds=0)
    assert not before.ok
    assert "not covered by a checkpoint cosigned by 1 of the witnesses" in (
        before.reason or ""
    )
    round_(client, directory)
    assert verify(store, witness_keys=vkey, grace_seconds=0).ok
    other = Witness.init(directory.parent / "other", "audit.example/w2").note_key.vkey
    two = verify(store, witness_keys=(*vkey, other), grace_seconds=0)
    assert not two.ok  # the default quorum is all of them
    assert verify(store, witness_keys=(*vkey, other), quorum=1, grace_seconds=0).ok


def rebuild_ledger(store: Store) -> None:
    """What an operator with the store and the key can do: ledger and heads anew."""
    with store.services.views_engine.begin() as conn:
        for table in (
            "ledger_cosignatures",
            "ledger_checkpoints",
            "ledger_heads",
            "ledger_nodes",
            "ledger_leaves",
            "ledger_members",
        ):
            conn.execute(text(f"DELETE FROM {table}"))  # noqa: S608 - fixed names
        conn.execute(
            text("UPDATE view_tracking SET position = 0 WHERE name = 'ledger'")
        )
    assert ledger_worker(store.services).sign_now() is not None


def test_a_rewritten_and_resigned_store_is_caught(
    client: FlaskClient, store: Store, directory: Path
) -> None:
    round_(client, directory)
    kept = witness.kept_checkpoints(directory)
    vkey = (witness.witness_key(directory),)
    position = edit_state(store)
    rebuild_ledger(store)
    assert verify(store).ok  # the data directory's key alone is fooled
    report = verify(store, checkpoints=tuple(kept.values()), witness_keys=vkey)
    assert not report.ok
    assert "the checkpoint given" in (report.reason or "")
    assert report.position is not None and report.position >= position
    assert not verify(store, witness_keys=vkey, grace_seconds=0).ok
    with pytest.raises(WitnessRefusedError) as refused:
        round_(client, directory)  # the witness will not cosign the new history
    assert refused.value.status == 422
    assert refused.value.evidence is not None


def test_a_fork_is_refused_with_both_checkpoints_kept(
    client: FlaskClient, store: Store, directory: Path
) -> None:
    done = round_(client, directory)
    key = load_or_create_private_key(store.settings.key_path)
    forked = sign_checkpoint(Checkpoint(done.origin, done.tree_size, bytes(32)), key)
    with pytest.raises(WitnessRefusedError) as refused:
        Witness(directory).add_checkpoint(done.tree_size, [], forked.render(), 9)
    assert refused.value.status == 422
    assert "two checkpoints for size" in refused.value.reason
    evidence = refused.value.evidence
    assert evidence is not None
    kept = evidence.read_text("utf-8")
    assert forked.render() in kept
    assert done.line in kept
    assert Witness(directory).logs()[done.origin].size == done.tree_size


def test_a_rollback_is_refused(
    client: FlaskClient, store: Store, directory: Path
) -> None:
    round_(client, directory)
    older = store.heads[0].tree_size
    old = client.get(f"{API}/ledger/checkpoints/{older}").data
    with pytest.raises(WitnessRefusedError) as refused:
        round_(client, directory, fetch=lambda path: old)
    assert refused.value.status == 409
    assert "rollback" in refused.value.reason
    assert refused.value.evidence is not None


def test_a_swapped_key_is_refused(
    client: FlaskClient, store: Store, directory: Path
) -> None:
    origin = Checkpoint.from_text(
        parse_note(client.get(f"{API}/ledger/checkpoint").text).text
    ).origin
    impostor = Ed25519PrivateKey.generate()
    size, root = store.heads[0].tree_size, store.heads[0].root_hash
    swapped = sign_checkpoint(Checkpoint(origin, size, root), impostor).render()
    with pytest.raises(WitnessRefusedError) as refused:
        Witness(directory).add_checkpoint(0, [], swapped, 9)
    assert refused.value.status == 403
    assert Witness(directory).logs()[origin].size == 0


def test_witness_cli_and_verify_evidence_policy(
    client: FlaskClient, store: Store, directory: Path, tmp_path: Path
) -> None:
    done = round_(client, directory)
    code, out = cli(store, "witness", "checkpoint", str(directory))
    assert code == 0 and out.endswith(done.line)
    kept = tmp_path / "kept.txt"
    kept.write_text(out)
    vkey = witness.witness_key(directory)
    pack = tmp_path / "pack.zip"
    assert cli(store, "export", "evidence", "LED-1", "-o", str(pack))[0] == 0
    args = ["verify-evidence", str(pack), "--checkpoint", str(kept)]
    code, out = cli(store, *args, "--witness", vkey)
    assert code == 0, out
    bare = tmp_path / "bare.txt"
    bare.write_text(client.get(f"{API}/ledger/checkpoints/{done.tree_size}").text)
    lines = bare.read_text().splitlines(keepends=True)
    bare.write_text("".join(line for line in lines if "audit.example/w1" not in line))
    code, out = cli(
        store,
        "verify-evidence",
        str(pack),
        "--checkpoint",
        str(bare),
        "--witness",
        vkey,
    )
    assert code == 1
    assert "not cosigned by 1 of the witnesses" in out
    code, out = cli(store, "verify", "--checkpoint", str(kept), "--witness", vkey)
    assert code == 0, out

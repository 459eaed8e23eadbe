"""Checkpoints, verifier keys, base64 proofs and pushed cosignatures over HTTP."""

from __future__ import annotations

import base64

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from flask.testing import FlaskClient

from api import create_app
from integrity.checkpoint import Checkpoint, cosign, open_checkpoint
from integrity.note import COSIGNATURE, NoteKey, parse_note
from service.domain.base import Meta
from tests.ledger.store import Store

API = "/api/v1"


def log_keys(client: FlaskClient) -> list[NoteKey]:
    response = client.get(f"{API}/ledger/verifier-key")
    assert response.status_code == 200
    assert response.mimetype == "text/plain"
    return [NoteKey.from_vkey(line) for line in response.text.splitlines()]


def test_every_head_is_a_checkpoint(client: FlaskClient, store: Store) -> None:
    keys = log_keys(client)
    public = client.get(f"{API}/ledger/public-key").get_json()
    assert public["verifier_key"] == keys[-1].vkey
    latest = client.get(f"{API}/ledger/checkpoint")
    assert latest.mimetype == "text/plain"
    for head, raw in (
        (store.heads[-1], latest.text),
        *(
            (h, client.get(f"{API}/ledger/checkpoints/{h.tree_size}").text)
            for h in store.heads
        ),
    ):
        checkpoint, _ = open_checkpoint(raw, keys)
        assert (checkpoint.tree_size, checkpoint.root_hash) == (
            head.tree_size,
            head.root_hash,
        )
        assert checkpoint.origin == keys[-1].name


def test_unknown_checkpoint_is_404(client: FlaskClient) -> None:
    response = client.get(f"{API}/ledger/checkpoints/999999")
    assert response.status_code == 404
    assert response.content_type == "application/problem+json"


def test_proofs_carry_base64_hashes(client: FlaskClient, store: Store) -> None:
    first, second = store.heads
    proof = client.get(f"{API}/ledger/proofs/inclusion?position=5").get_json()
    assert [base64.b64decode(p).hex() for p in proof["path_b64"]] == proof["path"]
    assert base64.b64decode(proof["root_hash_b64"]) == second.root_hash
    link = client.get(
        f"{API}/ledger/proofs/consistency?first={first.tree_size}"
        f"&second={second.tree_size}"
    ).get_json()
    assert [base64.b64decode(p).hex() for p in link["path_b64"]] == link["path"]
    assert base64.b64decode(link["first_root_hash_b64"]) == first.root_hash


def witness(name: str = "witness.example/w1") -> tuple[Ed25519PrivateKey, NoteKey]:
    key = Ed25519PrivateKey.generate()
    return key, NoteKey(name, COSIGNATURE, key.public_key())


def push(client: FlaskClient, note: str, vkey: str) -> tuple[int, dict[str, object]]:
    response = client.post(
        f"{API}/ledger/cosignatures", json={"checkpoint": note, "witness_key": vkey}
    )
    return response.status_code, response.get_json()


def test_a_pushed_cosignature_is_published(client: FlaskClient) -> None:
    key, vkey = witness()
    note = parse_note(client.get(f"{API}/ledger/checkpoint").text)
    line = cosign(note.text, vkey.name, key, 1_700_000_000)
    cosigned = note.with_signatures([line]).render()
    assert push(client, cosigned, vkey.vkey)[0] == 201
    assert push(client, cosigned, vkey.vkey)[0] == 200
    published = parse_note(client.get(f"{API}/ledger/checkpoint").text)
    assert published.signatures == (*note.signatures, line)


def test_refused_cosignatures_write_nothing(client: FlaskClient) -> None:
    key, vkey = witness()
    before = client.get(f"{API}/ledger/checkpoint").text
    note = parse_note(before)
    checkpoint = Checkpoint.from_text(note.text)
    forked = Checkpoint(checkpoint.origin, checkpoint.tree_size, b"\x01" * 32).text()
    cases = [
        # a checkpoint the log never published, cosigned
        (forked + "\n" + cosign(forked, vkey.name, key, 5).line(), vkey.vkey),
        # the published one without the witness's line
        (before, vkey.vkey),
        # a log key where a witness key belongs
        (before, log_keys(client)[-1].vkey),
        # not a note
        ("hello", vkey.vkey),
    ]
    for raw, given in cases:
        status, problem = push(client, raw, given)
        assert status == 422, problem
        assert "checkpoint" in str(problem)
    assert client.get(f"{API}/ledger/checkpoint").text == before


def test_a_contributor_cannot_push(store: Store) -> None:
    secret = store.services.app.issue_token(
        "cora", "contributor", Meta("setup", "pmo-head")
    ).secret
    test_client = create_app(services=store.services).test_client()
    response = test_client.post(
        f"{API}/ledger/cosignatures",
        json={"checkpoint": "x", "witness_key": "y"},
        headers={"Authorization": f"Bearer {secret}"},
    )
    assert response.status_code == 403
    assert response.content_type == "application/problem+json"

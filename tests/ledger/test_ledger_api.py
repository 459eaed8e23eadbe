"""The ledger endpoints through the real app, as an auditor."""

from __future__ import annotations

import io

from flask.testing import FlaskClient

from integrity.evidence import verify_evidence_pack
from integrity.tree import verify_consistency, verify_inclusion
from tests.ledger.store import Store

API = "/api/v1"


def hexes(values: list[str]) -> list[bytes]:
    return [bytes.fromhex(v) for v in values]


def test_heads_proofs_and_key(client: FlaskClient, store: Store) -> None:
    first, second = store.heads
    head = client.get(f"{API}/ledger/head").get_json()
    assert head["tree_size"] == second.tree_size
    assert head["root_hash"] == second.root_hash.hex()

    page = client.get(f"{API}/ledger/heads?limit=1").get_json()
    assert [h["tree_size"] for h in page["items"]] == [first.tree_size]
    rest = client.get(f"{API}/ledger/heads?after={page['next_cursor']}").get_json()
    assert [h["tree_size"] for h in rest["items"]] == [second.tree_size]
    assert rest["next_cursor"] is None

    proof = client.get(f"{API}/ledger/proofs/inclusion?position=5").get_json()
    assert verify_inclusion(
        bytes.fromhex(proof["leaf_hash"]),
        proof["leaf_index"],
        second.tree_size,
        hexes(proof["path"]),
        second.root_hash,
    )
    link = client.get(
        f"{API}/ledger/proofs/consistency?first={first.tree_size}"
        f"&second={second.tree_size}"
    ).get_json()
    assert verify_consistency(
        first.tree_size,
        second.tree_size,
        first.root_hash,
        second.root_hash,
        hexes(link["path"]),
    )

    key = client.get(f"{API}/ledger/public-key").get_json()
    assert key["key_id"] == second.key_id
    assert key["public_key_pem"].startswith("-----BEGIN PUBLIC KEY-----")


def test_errors_are_problems(client: FlaskClient) -> None:
    missing = client.get(f"{API}/ledger/proofs/inclusion?position=99999")
    assert missing.status_code == 404
    assert missing.mimetype == "application/problem+json"
    backwards = client.get(f"{API}/ledger/proofs/consistency?first=5&second=2")
    assert backwards.status_code == 422
    assert "cannot prove 5 -> 2" in backwards.get_json()["detail"]


def test_project_evidence_zip_verifies(client: FlaskClient, store: Store) -> None:
    response = client.get(f"{API}/projects/{store.project_id}/evidence")
    assert response.status_code == 200
    assert response.mimetype == "application/zip"
    report = verify_evidence_pack(io.BytesIO(response.data))
    assert report.ok, report.summary()
    assert report.project == "LED-1"

"""Signed tree heads and the signing key file."""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import stat
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from integrity.signing import (
    SignedTreeHead,
    key_id,
    load_or_create_private_key,
    load_public_key_pem,
    public_key_b64,
    public_key_pem,
    public_key_raw,
    sign_tree_head,
    tree_head_bytes,
    verify_tree_head,
)
from integrity.tree import EMPTY_ROOT, LedgerError

ROOT = hashlib.sha256(b"some root").digest()
TIMESTAMP_MS = 1_700_000_000_123


@pytest.fixture(scope="module")
def key() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.generate()


def test_signed_bytes_layout() -> None:
    expected = (
        b"PMOL-STH1" + (42).to_bytes(8, "big") + ROOT + TIMESTAMP_MS.to_bytes(8, "big")
    )
    assert tree_head_bytes(42, ROOT, TIMESTAMP_MS) == expected
    assert len(expected) == 57


def test_sign_and_verify(key: Ed25519PrivateKey) -> None:
    head = sign_tree_head(key, 42, ROOT, TIMESTAMP_MS)
    assert head.key_id == hashlib.sha256(public_key_raw(key)).hexdigest()[:16]
    assert verify_tree_head(key.public_key(), head)
    key.public_key().verify(head.signature, head.signed_bytes())


@pytest.mark.parametrize(
    "change",
    [
        {"tree_size": 43},
        {"root_hash": EMPTY_ROOT},
        {"timestamp_ms": TIMESTAMP_MS + 1},
        {"key_id": "0" * 16},
    ],
)
def test_tampered_head_fails(key: Ed25519PrivateKey, change: dict[str, object]) -> None:
    head = sign_tree_head(key, 42, ROOT, TIMESTAMP_MS)
    assert not verify_tree_head(key.public_key(), dataclasses.replace(head, **change))


def test_tampered_signature_or_other_key_fails(key: Ed25519PrivateKey) -> None:
    head = sign_tree_head(key, 42, ROOT, TIMESTAMP_MS)
    flipped = bytes([head.signature[0] ^ 1]) + head.signature[1:]
    assert not verify_tree_head(
        key.public_key(), dataclasses.replace(head, signature=flipped)
    )
    assert not verify_tree_head(
        key.public_key(), dataclasses.replace(head, signature=head.signature[:63])
    )
    other = Ed25519PrivateKey.generate()
    assert not verify_tree_head(other.public_key(), head)
    forged = dataclasses.replace(
        sign_tree_head(other, 42, ROOT, TIMESTAMP_MS), key_id=head.key_id
    )
    assert not verify_tree_head(key.public_key(), forged)


def test_json_round_trip(key: Ed25519PrivateKey) -> None:
    head = sign_tree_head(key, 42, ROOT, TIMESTAMP_MS)
    data = head.to_json_dict()
    assert data["root_hash"] == ROOT.hex()
    assert data["timestamp"] == "2023-11-14T22:13:20.123Z"
    assert base64.b64decode(data["signature"]) == head.signature
    assert SignedTreeHead.from_json_dict(data) == head


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"timestamp": "2023-11-14T22:13:21.123Z"}, "readable timestamp"),
        ({"root_hash": "00"}, "32 bytes"),
        ({"root_hash": "zz"}, "malformed"),
        ({"tree_size": -1}, "malformed"),
        ({"tree_size": "42"}, "malformed"),
        ({"signature": "***"}, "malformed"),
        ({"timestamp_ms": 2**63}, "malformed"),
    ],
)
def test_json_form_refuses_malformed_heads(
    key: Ed25519PrivateKey, change: dict[str, object], reason: str
) -> None:
    data = {**sign_tree_head(key, 42, ROOT, TIMESTAMP_MS).to_json_dict(), **change}
    with pytest.raises(LedgerError, match=reason):
        SignedTreeHead.from_json_dict(data)


def test_key_file_is_created_private_and_reloaded(tmp_path: Path) -> None:
    path = tmp_path / "data" / "keys" / "ledger-ed25519.pem"
    key = load_or_create_private_key(path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert [p.name for p in path.parent.iterdir()] == [path.name]
    again = load_or_create_private_key(path)
    assert public_key_raw(again) == public_key_raw(key)
    assert path.read_bytes().startswith(b"-----BEGIN PRIVATE KEY-----")


def test_key_file_of_another_algorithm_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "ec.pem"
    path.write_bytes(
        ec.generate_private_key(ec.SECP256R1()).private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    with pytest.raises(LedgerError, match="Ed25519"):
        load_or_create_private_key(path)


def test_public_key_exports(key: Ed25519PrivateKey) -> None:
    pem = public_key_pem(key)
    assert pem.startswith(b"-----BEGIN PUBLIC KEY-----")
    assert public_key_raw(load_public_key_pem(pem)) == public_key_raw(key)
    assert base64.b64decode(public_key_b64(key)) == public_key_raw(key)
    assert key_id(key) == key_id(key.public_key())
    with pytest.raises(LedgerError):
        load_public_key_pem(b"not a key")

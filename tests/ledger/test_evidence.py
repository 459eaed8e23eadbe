"""Evidence packs: written from a tree, verified offline, tampering refused."""

from __future__ import annotations

import base64
import io
import json
import subprocess
import sys
import zipfile
from collections.abc import Callable
from pathlib import Path
from uuid import UUID

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from integrity.evidence import (
    MANIFEST_TAG,
    EvidenceEntry,
    EvidenceReport,
    verify_evidence_pack,
    write_evidence_pack,
)
from integrity.leaf import EventRecord, canonical_json
from integrity.signing import SignedTreeHead, public_key_pem, sign_tree_head
from integrity.tree import LedgerError, MemoryNodeStore, MerkleTree

PROJECT = UUID(int=1)
OTHER = UUID(int=2)
KEY = Ed25519PrivateKey.generate()
NOW_MS = 1_700_000_000_000

# Positions have a gap (a refused insert), so leaf indices are their own sequence.
EVENTS = [
    EventRecord(position, PROJECT if i % 2 == 0 else OTHER, i // 2 + 1, "pmo.T", state)
    for i, (position, state) in enumerate(
        (p, json.dumps({"n": p}).encode()) for p in (1, 2, 3, 5, 6, 7, 8, 9, 10)
    )
]
TREE = MerkleTree(MemoryNodeStore())
TREE.extend(event.leaf_hash() for event in EVENTS)
HEAD = sign_tree_head(KEY, TREE.size, TREE.root(), NOW_MS)


def entries(head: SignedTreeHead = HEAD) -> list[EvidenceEntry]:
    return [
        EvidenceEntry(i, event, tuple(TREE.inclusion_proof(i, head.tree_size)))
        for i, event in enumerate(EVENTS[: head.tree_size])
        if event.originator_id == PROJECT
    ]


def build(head: SignedTreeHead = HEAD, key: Ed25519PrivateKey = KEY) -> bytes:
    buffer = io.BytesIO()
    write_evidence_pack(buffer, entries(head), head, public_key_pem(key), "P-1", key)
    return buffer.getvalue()


def rewrite(pack: bytes, name: str, change: Callable[[str], str]) -> io.BytesIO:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(pack)) as source, zipfile.ZipFile(out, "w") as dest:
        for item in source.infolist():
            text = source.read(item).decode()
            dest.writestr(
                item.filename, change(text) if item.filename == name else text
            )
    out.seek(0)
    return out


def edit_line(
    number: int, change: Callable[[dict[str, object]], None]
) -> Callable[[str], str]:
    def edit(text: str) -> str:
        lines = text.splitlines()
        data = json.loads(lines[number - 1])
        change(data)
        lines[number - 1] = canonical_json(data)
        return "\n".join(lines) + "\n"

    return edit


def drop_line(number: int) -> Callable[[str], str]:
    return lambda text: "".join(
        line for i, line in enumerate(text.splitlines(True), 1) if i != number
    )


def refused(
    report: EvidenceReport, file: str, reason: str, line: int | None = None
) -> None:
    assert not report.ok, report
    assert report.file == file, report
    assert reason in (report.problem or ""), report
    assert report.line == line, report
    assert report.summary().startswith("refused: ")


def test_pack_verifies_offline(tmp_path: Path) -> None:
    path = tmp_path / "evidence.zip"
    path.write_bytes(build())
    report = verify_evidence_pack(path)
    assert report.ok, report
    assert report.events_checked == 5
    assert (report.project, report.tree_size, report.key_id) == ("P-1", 9, HEAD.key_id)
    assert report.summary() == (
        f"verified 5 events of project P-1 against tree head 9 (key {HEAD.key_id})"
    )
    with zipfile.ZipFile(path) as pack:
        assert sorted(pack.namelist()) == sorted(
            [
                "manifest.json",
                "manifest.sig",
                "head.json",
                "events.ndjson",
                "proofs.ndjson",
                "public-key.pem",
                "README.txt",
            ]
        )
        first = json.loads(pack.read("events.ndjson").decode().splitlines()[0])
    assert first["leaf_index"] == 0 and first["state"] == {"n": 1}


def test_pack_bytes_are_reproducible() -> None:
    assert build() == build()


def test_edited_event_state_is_refused() -> None:
    def change(data: dict[str, object]) -> None:
        data["state_b64"] = base64.b64encode(b'{"n":999}').decode()
        data["state"] = {"n": 999}

    report = verify_evidence_pack(
        rewrite(build(), "events.ndjson", edit_line(2, change))
    )
    refused(report, "events.ndjson", "not in the signed tree", line=2)
    assert report.events_checked == 1


def test_edited_readable_copy_is_refused() -> None:
    edit = edit_line(3, lambda data: data.update(state={"n": 0}))
    report = verify_evidence_pack(rewrite(build(), "events.ndjson", edit))
    refused(report, "events.ndjson", "readable state differs", line=3)


def test_moved_event_is_refused() -> None:
    edit = edit_line(2, lambda data: data.update(leaf_index=3))
    report = verify_evidence_pack(rewrite(build(), "events.ndjson", edit))
    refused(report, "events.ndjson", "is not manifest", line=2)


def test_removed_event_line_is_refused() -> None:
    report = verify_evidence_pack(rewrite(build(), "events.ndjson", drop_line(3)))
    refused(report, "events.ndjson", "is not manifest", line=3)
    last = verify_evidence_pack(rewrite(build(), "events.ndjson", drop_line(5)))
    refused(last, "events.ndjson", "a line was removed", line=5)
    assert last.events_checked == 4


def test_dropping_an_event_everywhere_breaks_the_manifest_signature() -> None:
    def unlist(text: str) -> str:
        manifest = json.loads(text)
        del manifest["events"][4]
        manifest["event_count"] = 4
        return json.dumps(manifest)

    pack = rewrite(build(), "events.ndjson", drop_line(5)).getvalue()
    pack = rewrite(pack, "proofs.ndjson", drop_line(5)).getvalue()
    report = verify_evidence_pack(rewrite(pack, "manifest.json", unlist))
    refused(report, "manifest.sig", "does not verify")


def test_a_manifest_signed_by_another_key_is_refused() -> None:
    pack = build()
    manifest = _member(pack, "manifest.json").encode()
    other = Ed25519PrivateKey.generate()
    forged = base64.b64encode(other.sign(MANIFEST_TAG + manifest)).decode()
    report = verify_evidence_pack(rewrite(pack, "manifest.sig", lambda _: forged))
    refused(report, "manifest.sig", "does not verify")


def test_signing_with_a_key_other_than_the_heads_is_refused() -> None:
    with pytest.raises(LedgerError, match="key of the head"):
        write_evidence_pack(
            io.BytesIO(), entries(), HEAD, public_key_pem(KEY), "P-1",
            Ed25519PrivateKey.generate(),
        )  # fmt: skip


def _member(pack: bytes, name: str) -> str:
    with zipfile.ZipFile(io.BytesIO(pack)) as opened:
        return opened.read(name).decode()


def test_wrong_head_signature_is_refused() -> None:
    def change(text: str) -> str:
        head = json.loads(text)
        head["tree_size"] = 8
        return json.dumps(head)

    report = verify_evidence_pack(rewrite(build(), "head.json", change))
    refused(report, "head.json", "signature does not verify")


def test_broken_proof_is_refused() -> None:
    def change(data: dict[str, object]) -> None:
        path = data["path"]
        assert isinstance(path, list)
        path[0] = "00" * 32

    report = verify_evidence_pack(
        rewrite(build(), "proofs.ndjson", edit_line(4, change))
    )
    refused(report, "events.ndjson", "not in the signed tree", line=4)


def test_pack_resigned_with_another_key_is_refused_when_the_key_is_pinned() -> None:
    other = Ed25519PrivateKey.generate()
    head = sign_tree_head(other, HEAD.tree_size, HEAD.root_hash, NOW_MS)
    forged = build(head, other)
    assert verify_evidence_pack(io.BytesIO(forged)).ok  # self-consistent...
    pinned = verify_evidence_pack(
        io.BytesIO(forged), trusted_key_pem=public_key_pem(KEY)
    )
    refused(pinned, "public-key.pem", "not the trusted public key")
    trusted = verify_evidence_pack(io.BytesIO(forged), HEAD)
    refused(trusted, "head.json", "not signed by the pack's key")


def test_trusted_head_of_the_same_size_must_match() -> None:
    assert verify_evidence_pack(io.BytesIO(build()), HEAD).ok
    fork = sign_tree_head(KEY, HEAD.tree_size, bytes(32), NOW_MS)
    refused(verify_evidence_pack(io.BytesIO(build()), fork), "head.json", "forked")


def test_trusted_head_of_another_size_needs_a_consistency_proof() -> None:
    older = sign_tree_head(KEY, 6, TREE.root(6), NOW_MS - 1000)
    pack = build(older)
    report = verify_evidence_pack(io.BytesIO(pack), HEAD)
    refused(report, "head.json", "need a consistency proof")
    proof = TREE.consistency_proof(6, 9)
    assert verify_evidence_pack(io.BytesIO(pack), HEAD, consistency_proof=proof).ok
    wrong = TREE.consistency_proof(5, 9)
    bad = verify_evidence_pack(io.BytesIO(pack), HEAD, consistency_proof=wrong)
    refused(bad, "head.json", "not consistent")


def test_malformed_packs_are_refused() -> None:
    refused(verify_evidence_pack(io.BytesIO(b"PK no zip")), "pack", "not a zip")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as pack:
        pack.writestr("README.txt", "hello")
    refused(verify_evidence_pack(buffer), "manifest.json", "missing")
    garbage = rewrite(build(), "events.ndjson", lambda text: "{oops\n" + text)
    refused(verify_evidence_pack(garbage), "events.ndjson", "not JSON", line=1)


def test_writer_refuses_entries_that_would_not_verify() -> None:
    good = entries()
    buffer = io.BytesIO()
    wrong_proof = [EvidenceEntry(good[0].leaf_index, good[0].event, good[1].proof)]
    with pytest.raises(LedgerError, match="does not verify"):
        write_evidence_pack(buffer, wrong_proof, HEAD, public_key_pem(KEY), "P-1", KEY)
    with pytest.raises(LedgerError, match="increasing"):
        write_evidence_pack(buffer, good[::-1], HEAD, public_key_pem(KEY), "P-1", KEY)


def doc_snippet() -> str:
    doc = (Path(__file__).parents[2] / "docs" / "integrity.md").read_text()
    return doc.split("```python\n", 1)[1].split("```", 1)[0]


def test_the_hand_verification_in_the_docs_works(tmp_path: Path) -> None:
    script = tmp_path / "check_pack.py"
    script.write_text(doc_snippet())
    good, bad = tmp_path / "good.zip", tmp_path / "bad.zip"
    good.write_bytes(build())
    forged = {"state_b64": base64.b64encode(b'{"n":4}').decode(), "state": {"n": 4}}
    edit = edit_line(2, lambda data: data.update(forged))
    bad.write_bytes(rewrite(build(), "events.ndjson", edit).getvalue())
    ok = subprocess.run(
        [sys.executable, script, good], capture_output=True, text=True, check=False
    )
    assert ok.returncode == 0, ok.stderr
    assert "OK: 5 events" in ok.stdout
    refused_run = subprocess.run(
        [sys.executable, script, bad], capture_output=True, text=True, check=False
    )
    assert refused_run.returncode == 1
    assert "REFUSED: events.ndjson line 2: not in the signed tree" in refused_run.stderr

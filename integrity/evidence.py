"""Evidence packs: a project's events with inclusion proofs, verifiable offline.

A pack proves that every event in it is in the signed log at the stated leaf
index, and - because manifest.json is signed with the ledger key that signed
the head - that the server listed exactly these events for the project at that
tree size: dropping an event together with its manifest entry breaks the
manifest signature. (The pack cannot prove the server's own listing was
complete; `pmo-ledger verify` over the store covers that, docs/integrity.md.)
"""

from __future__ import annotations

import base64
import binascii
import json
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, Final

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from integrity.leaf import EventRecord, canonical_json
from integrity.signing import (
    SignedTreeHead,
    SigningKey,
    key_id,
    load_public_key_pem,
    public_key_raw,
    verify_tree_head,
)
from integrity.tree import LedgerError, verify_consistency, verify_inclusion

PACK_FORMAT: Final = "pmo-ledger-evidence/2"
MANIFEST_TAG: Final = b"PMOL-PACK1"
EVENTS, PROOFS, HEAD = "events.ndjson", "proofs.ndjson", "head.json"
MANIFEST, PUBLIC_KEY, README = "manifest.json", "public-key.pem", "README.txt"
MANIFEST_SIG = "manifest.sig"
# A fixed member timestamp makes the same evidence produce the same zip bytes.
_ZIP_TIME: Final = (1980, 1, 1, 0, 0, 0)

_README: Final = """\
Evidence pack for project {project} ({count} events), format {format}.

head.json       the signed tree head: tree_size, root_hash (hex), timestamp_ms,
                key_id and an Ed25519 signature (base64) over
                b"PMOL-STH1" + u64 tree_size + root_hash + u64 timestamp_ms
                (unsigned big-endian integers).
public-key.pem  the ledger's Ed25519 public key. Compare its key_id (first 16
                hex digits of SHA-256 of the raw 32-byte key) with the key the
                organisation publishes before trusting anything else here.
events.ndjson   one event per line with its leaf_index; state_b64 holds the
                exact stored bytes, state is a readable copy only.
proofs.ndjson   one RFC 9162 inclusion proof per event, same order, hex path.
manifest.json   the (leaf_index, position) of every event, in order.
manifest.sig    Ed25519 signature (base64), by the head's key, over
                b"PMOL-PACK1" + the exact bytes of manifest.json.

To verify by hand, for each event line: build the leaf data
b"PMOL1" + u64 position + 16-byte originator_id + u64 originator_version
+ u32 len(topic) + topic (UTF-8) + u32 len(state) + state, hash it as
SHA-256(0x00 + leaf data), walk the proof as in RFC 9162 section 2.1.3.2 and
compare the result with root_hash; then check the head signature.
`pmo-ledger verify-evidence PACK --head FILE` does all of this offline.
Then check manifest.sig: the events listed are exactly the ones the ledger
listed for this project at this tree size (see docs/integrity.md).
"""


@dataclass(frozen=True)
class EvidenceEntry:
    """One event of a pack, its leaf index and its inclusion proof."""

    leaf_index: int
    event: EventRecord
    proof: tuple[bytes, ...]


@dataclass(frozen=True)
class EvidenceReport:
    """The outcome of verifying a pack: ok, or the first problem and where."""

    ok: bool
    events_checked: int
    project: str | None = None
    tree_size: int | None = None
    key_id: str | None = None
    file: str | None = None
    line: int | None = None
    problem: str | None = None

    def summary(self) -> str:
        """Return one line for people: what was verified, or what is wrong."""
        if self.ok:
            return (
                f"verified {self.events_checked} events of project {self.project} "
                f"against tree head {self.tree_size} (key {self.key_id})"
            )
        where = self.file if self.line is None else f"{self.file} line {self.line}"
        return f"refused: {where}: {self.problem}"


class _RefusedError(Exception):
    def __init__(self, file: str, problem: str, line: int | None = None) -> None:
        super().__init__(problem)
        self.file, self.problem, self.line = file, problem, line


def write_evidence_pack(
    fileobj: IO[bytes],
    entries: Iterable[EvidenceEntry],
    head: SignedTreeHead,
    public_key_pem: bytes,
    project: str,
    signing_key: SigningKey,
) -> int:
    """Write a pack to fileobj and return its event count; refuse a bad proof."""
    if key_id(signing_key) != head.key_id:
        raise LedgerError("the manifest must be signed with the key of the head")
    entries = list(entries)
    indices = [entry.leaf_index for entry in entries]
    if indices != sorted(set(indices)):
        raise LedgerError("evidence entries must be in strictly increasing leaf order")
    events, proofs = [], []
    for entry in entries:
        if not verify_inclusion(
            entry.event.leaf_hash(),
            entry.leaf_index,
            head.tree_size,
            list(entry.proof),
            head.root_hash,
        ):
            raise LedgerError(f"leaf {entry.leaf_index} does not verify in the head")
        events.append({"leaf_index": entry.leaf_index, **entry.event.to_json_dict()})
        proofs.append(
            {
                "leaf_index": entry.leaf_index,
                "tree_size": head.tree_size,
                "path": [node.hex() for node in entry.proof],
            }
        )
    manifest = {
        "format": PACK_FORMAT,
        "project": project,
        "tree_size": head.tree_size,
        "root_hash": head.root_hash.hex(),
        "event_count": len(entries),
        "events": [[e.leaf_index, e.event.position] for e in entries],
    }
    readme = _README.format(project=project, count=len(entries), format=PACK_FORMAT)
    manifest_text = json.dumps(manifest, indent=1, sort_keys=True) + "\n"
    signature = signing_key.sign(MANIFEST_TAG + manifest_text.encode("utf-8"))
    members = {
        MANIFEST: manifest_text,
        MANIFEST_SIG: base64.b64encode(signature).decode("ascii") + "\n",
        HEAD: json.dumps(head.to_json_dict(), indent=1, sort_keys=True) + "\n",
        EVENTS: "".join(canonical_json(event) + "\n" for event in events),
        PROOFS: "".join(canonical_json(proof) + "\n" for proof in proofs),
        PUBLIC_KEY: public_key_pem.decode("ascii"),
        README: readme,
    }
    with zipfile.ZipFile(fileobj, "w", zipfile.ZIP_DEFLATED) as pack:
        for name, text in members.items():
            info = zipfile.ZipInfo(name, date_time=_ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            pack.writestr(info, text.encode("utf-8"))
    return len(entries)


def verify_evidence_pack(
    source: str | Path | IO[bytes],
    trusted_head: SignedTreeHead | None = None,
    *,
    consistency_proof: Sequence[bytes] | None = None,
    trusted_key_pem: bytes | None = None,
) -> EvidenceReport:
    """Verify a pack offline and report the first problem, if any.

    trusted_head is the auditor's own copy of a head: of the same size it must
    be identical; of another size, consistency_proof must link the two.
    trusted_key_pem pins the key; without it or a trusted head, the pack's own
    key is only as good as the key_id the auditor compares by eye.
    """
    checked = 0
    context: dict[str, Any] = {}
    try:
        with zipfile.ZipFile(source) as pack:
            members = {
                name: _read(pack, name)
                for name in (MANIFEST, MANIFEST_SIG, HEAD, EVENTS, PROOFS, PUBLIC_KEY)
            }
        head, manifest = _check_head(
            members, trusted_head, consistency_proof, trusted_key_pem, context
        )
        for _ in _check_events(members, head, manifest):
            checked += 1
    except zipfile.BadZipFile as error:
        return EvidenceReport(
            False, checked, file="pack", problem=f"not a zip: {error}"
        )
    except _RefusedError as refused:
        return EvidenceReport(
            False,
            checked,
            file=refused.file,
            line=refused.line,
            problem=refused.problem,
            **context,
        )
    return EvidenceReport(True, checked, **context)


def _read(pack: zipfile.ZipFile, name: str) -> str:
    try:
        return pack.read(name).decode("utf-8")
    except KeyError:
        raise _RefusedError(name, "missing from the pack") from None
    except UnicodeDecodeError as error:
        raise _RefusedError(name, f"not UTF-8: {error}") from None


def _json(text: str, file: str, line: int | None = None) -> dict[str, Any]:
    try:
        value = json.loads(text)
    except ValueError as error:
        raise _RefusedError(file, f"not JSON: {error}", line) from None
    if not isinstance(value, dict):
        raise _RefusedError(file, "not a JSON object", line)
    return value


def _check_head(
    members: dict[str, str],
    trusted: SignedTreeHead | None,
    consistency_proof: Sequence[bytes] | None,
    trusted_key_pem: bytes | None,
    context: dict[str, Any],
) -> tuple[SignedTreeHead, dict[str, Any]]:
    manifest = _json(members[MANIFEST], MANIFEST)
    if manifest.get("format") != PACK_FORMAT:
        raise _RefusedError(MANIFEST, f"unknown format {manifest.get('format')!r}")
    context["project"] = str(manifest.get("project"))
    try:
        key = load_public_key_pem(members[PUBLIC_KEY].encode("utf-8"))
    except LedgerError as error:
        raise _RefusedError(PUBLIC_KEY, str(error)) from None
    try:
        head = SignedTreeHead.from_json_dict(_json(members[HEAD], HEAD))
    except LedgerError as error:
        raise _RefusedError(HEAD, str(error)) from None
    context.update(tree_size=head.tree_size, key_id=head.key_id)
    if trusted_key_pem is not None:
        try:
            pinned = public_key_raw(load_public_key_pem(trusted_key_pem))
        except LedgerError as error:
            raise _RefusedError(PUBLIC_KEY, f"trusted key: {error}") from None
        if public_key_raw(key) != pinned:
            raise _RefusedError(PUBLIC_KEY, "not the trusted public key")
    if not verify_tree_head(key, head):
        raise _RefusedError(HEAD, "the signature does not verify under public-key.pem")
    _check_manifest_signature(key, members)
    if trusted is not None:
        _check_trusted(head, trusted, key, consistency_proof)
    if (
        manifest.get("tree_size") != head.tree_size
        or manifest.get("root_hash") != head.root_hash.hex()
    ):
        raise _RefusedError(MANIFEST, "tree size or root differs from head.json")
    return head, manifest


def _check_manifest_signature(key: Ed25519PublicKey, members: dict[str, str]) -> None:
    try:
        signature = base64.b64decode(members[MANIFEST_SIG].strip(), validate=True)
        key.verify(signature, MANIFEST_TAG + members[MANIFEST].encode("utf-8"))
    except (binascii.Error, ValueError, InvalidSignature):
        raise _RefusedError(
            MANIFEST_SIG, "the manifest signature does not verify under the key"
        ) from None


def _check_trusted(
    head: SignedTreeHead,
    trusted: SignedTreeHead,
    key: Ed25519PublicKey,
    proof: Sequence[bytes] | None,
) -> None:
    if not verify_tree_head(key, trusted):
        raise _RefusedError(HEAD, "the trusted head is not signed by the pack's key")
    if trusted.tree_size == head.tree_size:
        if trusted.root_hash != head.root_hash:
            raise _RefusedError(HEAD, "root differs from the trusted head: forked")
        return
    if proof is None:
        sizes = f"{trusted.tree_size} and {head.tree_size}"
        raise _RefusedError(HEAD, f"heads {sizes} need a consistency proof")
    older, newer = sorted((head, trusted), key=lambda h: h.tree_size)
    if not verify_consistency(
        older.tree_size, newer.tree_size, older.root_hash, newer.root_hash, list(proof)
    ):
        raise _RefusedError(HEAD, "the heads are not consistent: log rewritten")


def _check_events(
    members: dict[str, str], head: SignedTreeHead, manifest: dict[str, Any]
) -> Iterator[None]:
    """Check the events in order, yielding after each one that verifies."""
    listed = manifest.get("events")
    if not isinstance(listed, list) or manifest.get("event_count") != len(listed):
        raise _RefusedError(MANIFEST, "event_count does not match the events listed")
    events = members[EVENTS].splitlines()
    proofs = members[PROOFS].splitlines()
    for number, (expected, line) in enumerate(zip(listed, events, strict=False), 1):
        data = _json(line, EVENTS, number)
        try:
            event = EventRecord.from_json_dict(data)
        except LedgerError as error:
            raise _RefusedError(EVENTS, str(error), number) from None
        leaf_index = data.get("leaf_index")
        if type(leaf_index) is not int:
            raise _RefusedError(EVENTS, "leaf_index must be an integer", number)
        if [leaf_index, event.position] != expected:
            found = [leaf_index, event.position]
            raise _RefusedError(EVENTS, f"{found} is not manifest {expected}", number)
        if number > len(proofs):
            raise _RefusedError(PROOFS, "missing proof", number)
        proof = _json(proofs[number - 1], PROOFS, number)
        path = _hex_path(proof.get("path"), number)
        if (
            proof.get("leaf_index") != leaf_index
            or proof.get("tree_size") != head.tree_size
        ):
            raise _RefusedError(PROOFS, "proof is for another leaf or tree", number)
        if not verify_inclusion(
            event.leaf_hash(), leaf_index, head.tree_size, path, head.root_hash
        ):
            raise _RefusedError(EVENTS, "not in the signed tree (edited?)", number)
        yield None
    if len(events) != len(listed):
        counts = f"{len(events)} events for {len(listed)} in the manifest"
        missing = min(len(events), len(listed)) + 1
        raise _RefusedError(EVENTS, f"{counts}: a line was removed or added", missing)
    if len(proofs) != len(listed):
        raise _RefusedError(PROOFS, f"{len(proofs)} proofs for {len(listed)} events")


def _hex_path(path: Any, line: int) -> list[bytes]:
    if not isinstance(path, list) or not all(isinstance(p, str) for p in path):
        raise _RefusedError(PROOFS, "path must be a list of hex strings", line)
    try:
        return [bytes.fromhex(p) for p in path]
    except ValueError:
        raise _RefusedError(PROOFS, "path is not hex", line) from None

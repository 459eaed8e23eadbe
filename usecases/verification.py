"""Verification: the whole store against trusted keys, and an evidence pack offline.

Each recomputes what the ledger signed (leaves, heads, blobs) and, given kept
or witnessed checkpoints, checks the store or the pack against them; the
outcome of a store's verification is recorded for the integrity page
(usecases.integrity).
"""

from __future__ import annotations

import json
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from integrity.checkpoint import Checkpoint, WitnessPolicy, open_checkpoint
from integrity.evidence import EvidenceReport, verify_evidence_pack
from integrity.grace import DEFAULT_GRACE_SECONDS, Grace
from integrity.keys import trusted_public_key
from integrity.note import ED25519, Note, NoteError, NoteKey, parse_note
from integrity.proofs import LedgerReader
from integrity.published import PublishedCheckpoints
from integrity.signing import KeyUnavailableError, SignedTreeHead, load_public_key_pem
from integrity.tree import LedgerError, verify_consistency
from integrity.verifier import LogReaderError, Verifier, VerifyReport
from integrity.verifier import default_readers as default_readers
from usecases.errors import NotAvailableError, VerificationError
from usecases.root import Services


@dataclass(frozen=True)
class VerifyStore:
    """Recompute every leaf, head and blob from the stored events."""

    trusted_head: SignedTreeHead | None = None
    public_keys_pem: tuple[bytes, ...] = ()
    readers: int | None = None
    progress: Callable[[int], None] = field(default=lambda covered: None)
    grace_seconds: float = DEFAULT_GRACE_SECONDS
    checkpoints: tuple[str, ...] = ()
    witness_keys: tuple[str, ...] = ()
    quorum: int | None = None
    as_of: float | None = None
    """Judge the grace as at this time (a backup's), not now."""


@dataclass(frozen=True)
class VerifyEvidence:
    """Check an evidence pack offline, optionally against a head and a key."""

    pack: Path
    trusted_head: SignedTreeHead | None = None
    consistency_proof: tuple[bytes, ...] | None = None
    trusted_key_pem: bytes | None = None
    checkpoint: str | None = None
    witness_keys: tuple[str, ...] = ()
    quorum: int | None = None


def verify_store(services: Services, command: VerifyStore) -> VerifyReport:
    """Verify the whole store against trusted keys and record the outcome.

    Given public keys replace the data directory's key as the trusted set
    (they never add to it); with neither, nothing can be verified.
    """
    keys = _trusted_keys(services, command.public_keys_pem)
    reader = LedgerReader(services.views_engine)
    try:
        anchors, grace = _witnessed(services, command, keys)
    except NoteError as error:
        report = VerifyReport(False, 0, None, reason=f"checkpoints: {error}")
        reader.record_verification(report, datetime.now(UTC))
        return report
    verifier = Verifier(
        services.views_engine,
        services.app.recorder,
        services.app.blobs,
        keys,
        command.trusted_head,
        command.readers,
        grace,
        anchors,
    )
    try:
        report = verifier.run(progress=command.progress)
    except LogReaderError as error:
        raise VerificationError(str(error)) from error
    reader.record_verification(report, datetime.now(UTC))
    return report


def _witnessed(
    services: Services, command: VerifyStore, keys: list[Any]
) -> tuple[list[tuple[str, int, bytes]], Grace]:
    """Kept and (under a policy) witnessed checkpoints to compare, and the grace.

    Under a witness policy every event older than the grace must be covered by
    a checkpoint that enough of the witnesses cosigned.
    """
    policy = (
        WitnessPolicy.parse(command.witness_keys, command.quorum)
        if command.witness_keys
        else None
    )
    anchors: list[tuple[str, int, bytes]] = []
    for raw in command.checkpoints:
        checkpoint, note = _open(raw, keys)
        label = f"the checkpoint given (tree size {checkpoint.tree_size})"
        if policy is not None and not policy.satisfied(note):
            raise NoteError(f"{label} is not cosigned by {policy.describe()}")
        anchors.append((label, checkpoint.tree_size, checkpoint.root_hash))
    if policy is None:
        return anchors, _grace(command)
    published = PublishedCheckpoints(services.views_engine)
    for checkpoint, note in published.witnessed(policy):
        _open(note.render(), keys)
        label = f"the witnessed checkpoint of tree size {checkpoint.tree_size}"
        anchors.append((label, checkpoint.tree_size, checkpoint.root_hash))
    covering = max((size for _, size, _ in anchors), default=0)
    what = f"a checkpoint cosigned by {policy.describe()}"
    return anchors, _grace(command, covering=covering, what=what)


def _grace(command: VerifyStore, **given: Any) -> Grace:
    if command.as_of is not None:
        as_of = command.as_of
        given["now"] = lambda: as_of
    return Grace(command.grace_seconds, **given)


def _open(raw: str, keys: list[Any]) -> tuple[Checkpoint, Note]:
    """A checkpoint signed by one of the trusted keys under its own origin."""
    origin = Checkpoint.from_text(parse_note(raw).text).origin
    return open_checkpoint(raw, [NoteKey(origin, ED25519, key) for key in keys])


def _trusted_keys(services: Services, pems: tuple[bytes, ...]) -> list[Any]:
    """The keys given, or else the configured key (the file's, or the HSM's)."""
    if pems:
        return [load_public_key_pem(pem) for pem in pems]
    try:
        key = trusted_public_key(services.settings)
    except KeyUnavailableError as error:
        raise NotAvailableError(f"no trusted key: {error}; pass --public-key") from None
    if key is None:
        path = services.settings.key_path
        raise NotAvailableError(f"no trusted key: {path} is absent; pass --public-key")
    return [key]


def verify_evidence(command: VerifyEvidence) -> EvidenceReport:
    """Verify an evidence pack offline: no store, so no services.

    With a checkpoint (and a witness policy) the pack's head must also be that
    checkpoint's tree, or (with a consistency proof and no kept head) extend it.
    """
    proof = (
        None if command.consistency_proof is None else list(command.consistency_proof)
    )
    report = verify_evidence_pack(
        command.pack,
        command.trusted_head,
        consistency_proof=proof,
        trusted_key_pem=command.trusted_key_pem,
    )
    if not report.ok or (command.checkpoint is None and not command.witness_keys):
        return report
    try:
        _check_pack_checkpoint(command, proof)
    except (NoteError, LedgerError) as error:
        return replace(report, ok=False, file="checkpoint", problem=str(error))
    return report


def _check_pack_checkpoint(command: VerifyEvidence, proof: list[bytes] | None) -> None:
    if command.checkpoint is None:
        raise NoteError("a witness policy needs --checkpoint (a cosigned checkpoint)")
    with zipfile.ZipFile(command.pack) as pack:
        head = SignedTreeHead.from_json_dict(json.loads(pack.read("head.json")))
        pem = command.trusted_key_pem or pack.read("public-key.pem")
    checkpoint, note = _open(command.checkpoint, [load_public_key_pem(pem)])
    if command.witness_keys:
        policy = WitnessPolicy.parse(command.witness_keys, command.quorum)
        if not policy.satisfied(note):
            raise NoteError(f"the checkpoint is not cosigned by {policy.describe()}")
    size, root = checkpoint.tree_size, checkpoint.root_hash
    if size == head.tree_size:
        if root != head.root_hash:
            raise NoteError("the checkpoint and the pack's head differ: a fork")
        return
    linked = (
        size < head.tree_size
        and proof is not None
        and command.trusted_head is None
        and verify_consistency(size, head.tree_size, root, head.root_hash, proof)
    )
    if not linked:
        raise NoteError(
            f"the checkpoint (tree size {size}) is not linked to the pack's head "
            f"({head.tree_size}): give --consistency-proof from {size} to "
            f"{head.tree_size}"
        )

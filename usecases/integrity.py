"""The integrity ledger: signed heads, proofs, public keys, verification.

The only use-case module (with usecases.exports) that knows where the ledger's
modules live.
"""

from __future__ import annotations

import json
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from integrity.checkpoint import Checkpoint, WitnessPolicy, open_checkpoint
from integrity.evidence import EvidenceReport, verify_evidence_pack
from integrity.grace import DEFAULT_GRACE_SECONDS, Grace
from integrity.hsm import HsmKey, create_hsm_key
from integrity.keys import trusted_public_key
from integrity.note import ED25519, Note, NoteError, NoteKey, parse_note
from integrity.proofs import LedgerReader, NoHeadError
from integrity.published import (
    CosignatureRefusedError,
    Cosigned,
    PublishedCheckpoints,
)
from integrity.signer import adopt_key, now_ms, read_signing_state
from integrity.signing import (
    KeyUnavailableError,
    key_id,
    load_public_key_pem,
    public_key_b64,
    public_key_pem,
)
from integrity.signing import SignedTreeHead as SignedTreeHead
from integrity.tree import LedgerError, verify_consistency
from integrity.verifier import LogReaderError, Verifier, VerifyReport
from integrity.verifier import default_readers as default_readers
from service.config import ConfigError, Settings
from service.domain.base import InvalidValueError
from usecases.errors import NotAvailableError, ProofRefusedError, VerificationError
from usecases.root import Services


@dataclass(frozen=True)
class HeadsQuery:
    """A page of signed heads, oldest first, after a head id."""

    after: int | None = None
    limit: int = 100


@dataclass(frozen=True)
class InclusionQuery:
    """The proof that the event at a position is in a tree (default: the latest)."""

    position: int
    tree_size: int | None = None


@dataclass(frozen=True)
class ConsistencyQuery:
    """The proof that a tree of the first size is a prefix of one of the second."""

    first: int
    second: int


@dataclass(frozen=True)
class IntegrityStatus:
    """What the ledger has signed and when it was last verified."""

    head: dict[str, Any] | None
    events: int
    keys: list[dict[str, Any]]
    verification: dict[str, Any] | None


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


@dataclass(frozen=True)
class AddCosignature:
    """A witness's cosignature of a published checkpoint, pushed to be kept."""

    checkpoint: str
    witness_key: str


def _reader(services: Services) -> LedgerReader:
    return LedgerReader(services.views_engine)


def latest_head(services: Services) -> SignedTreeHead:
    """The newest signed tree head."""
    try:
        return _reader(services).latest_head()
    except NoHeadError as error:
        raise NotAvailableError(str(error)) from None


def list_heads(services: Services, query: HeadsQuery) -> list[dict[str, Any]]:
    """Signed heads oldest first, each with its head_id (the page cursor)."""
    found = _reader(services).heads(query.after, query.limit)
    return [{"head_id": head_id, **head.to_json_dict()} for head_id, head in found]


def inclusion_proof(services: Services, query: InclusionQuery) -> dict[str, Any]:
    """The RFC 9162 inclusion proof of an event in a tree of a given size."""
    reader = _reader(services)
    if reader.leaf_for_position(query.position) is None:
        raise NotAvailableError(f"position {query.position} is not in the ledger yet")
    size = query.tree_size or latest_head(services).tree_size
    try:
        return reader.inclusion(query.position, size)
    except LedgerError as error:
        raise ProofRefusedError(str(error)) from None


def consistency_proof(services: Services, query: ConsistencyQuery) -> dict[str, Any]:
    """The RFC 9162 consistency proof between two tree sizes."""
    try:
        return _reader(services).consistency(query.first, query.second)
    except LedgerError as error:
        raise ProofRefusedError(str(error)) from None


def _published(services: Services) -> PublishedCheckpoints:
    return PublishedCheckpoints(services.views_engine)


def checkpoint(services: Services, tree_size: int | None = None) -> str:
    """A C2SP checkpoint with its cosignatures (default: the newest), as text."""
    beyond = tree_size is not None and tree_size >= 2**63  # no database holds it
    note = None if beyond else _published(services).note(tree_size)
    if note is None:
        which = "yet" if tree_size is None else f"for tree size {tree_size}"
        raise NotAvailableError(f"no checkpoint has been published {which}")
    return note.render()


def verifier_keys(services: Services) -> list[str]:
    """The checkpoint verifier keys (C2SP vkeys), oldest first, current last."""
    return [key.vkey for key in _published(services).log_keys()]


def add_cosignature(services: Services, command: AddCosignature) -> Cosigned:
    """Keep a witness cosignature of a checkpoint published here (422 if not)."""
    try:
        return _published(services).add_cosignature(
            command.checkpoint, command.witness_key, now_ms()
        )
    except CosignatureRefusedError as error:
        raise InvalidValueError("checkpoint", str(error)) from None


def adopt_ledger_key(services: Services) -> str:
    """Make this process's key the ledger's from the next head on; its key id.

    A signer holding any other key pauses from then on (docs/scaling.md).
    """
    return adopt_key(services.views_engine, services.ledger_key)


def signing_keys(services: Services) -> list[dict[str, Any]]:
    """Every key that signed heads here, oldest first, in PEM, base64 and vkey."""
    vkeys = verifier_keys(services)
    return [
        {
            "key_id": key["key_id"],
            "algorithm": "Ed25519",
            "public_key_pem": key["public_key_pem"],
            "public_key_b64": public_key_b64(
                load_public_key_pem(key["public_key_pem"].encode("ascii"))
            ),
            "first_used_ms": key["first_used_ms"],
            "verifier_key": vkey,
        }
        for key, vkey in zip(_reader(services).public_keys(), vkeys, strict=True)
    ]


def leaf_indices(services: Services, positions: Iterable[int]) -> dict[int, int]:
    """The ledger leaf index of each position that has one."""
    return _reader(services).leaf_indices(positions)


def integrity_status(services: Services) -> IntegrityStatus:
    """The latest head (if any), the events stored, the keys, the last verification."""
    reader = _reader(services)
    try:
        head: dict[str, Any] | None = reader.latest_head().to_json_dict()
    except NoHeadError:
        head = None
    return IntegrityStatus(
        head,
        services.app.head_position(),
        reader.public_keys(),
        reader.last_verification(),
    )


def verify_store(services: Services, command: VerifyStore) -> VerifyReport:
    """Verify the whole store against trusted keys and record the outcome.

    Given public keys replace the data directory's key as the trusted set
    (they never add to it); with neither, nothing can be verified.
    """
    keys = _trusted_keys(services, command.public_keys_pem)
    try:
        anchors, grace = _witnessed(services, command, keys)
    except NoteError as error:
        report = VerifyReport(False, 0, None, reason=f"checkpoints: {error}")
        _reader(services).record_verification(report, datetime.now(UTC))
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
    _reader(services).record_verification(report, datetime.now(UTC))
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
    for checkpoint, note in _published(services).witnessed(policy):
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


@dataclass(frozen=True)
class SigningStatus:
    """Whether the ledger key is signing; when paused, since when and why."""

    state: str
    key: str | None
    paused_since: str | None = None
    reason: str | None = None


def signing_status(services: Services) -> SigningStatus:
    """What the signing process last recorded ("unknown" before it first tried)."""
    with services.views_engine.connect() as conn:
        recorded = read_signing_state(conn)
    if recorded is None:
        return SigningStatus("unknown", None)
    if not recorded.paused:
        return SigningStatus("signing", recorded.key)
    since = datetime.fromtimestamp((recorded.paused_since_ms or 0) / 1000, tz=UTC)
    return SigningStatus(
        "paused",
        recorded.key,
        since.isoformat(timespec="seconds").replace("+00:00", "Z"),
        recorded.reason,
    )


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


def signed_head(data: Any) -> SignedTreeHead:
    """A signed head from its JSON form (ValueError when it is not one)."""
    return SignedTreeHead.from_json_dict(data)


@dataclass(frozen=True)
class CreatedKey:
    """A ledger key just generated in an HSM: its id and public half."""

    key_id: str
    public_key_pem: str
    where: str


def create_ledger_hsm_key(settings: Settings) -> CreatedKey:
    """Generate the ledger key in the configured PKCS#11 token (never exported)."""
    if settings.pkcs11 is None:
        raise ConfigError("set PMO_LEDGER_PKCS11_MODULE (and its companions) first")
    public = create_hsm_key(settings.pkcs11)
    where = HsmKey(settings.pkcs11).where
    return CreatedKey(key_id(public), public_key_pem(public).decode("ascii"), where)

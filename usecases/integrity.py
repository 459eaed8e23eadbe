"""The integrity ledger: signed heads, proofs, public keys, verification.

With usecases.verification (the store and evidence packs verified) and
usecases.exports, the only use-case modules that know where the ledger's
modules live.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from integrity.hsm import HsmKey, create_hsm_key
from integrity.proofs import LedgerReader, NoHeadError
from integrity.published import (
    CosignatureRefusedError,
    Cosigned,
    PublishedCheckpoints,
)
from integrity.signer import adopt_key, now_ms, read_signing_state
from integrity.signing import SignedTreeHead as SignedTreeHead
from integrity.signing import (
    key_id,
    load_public_key_pem,
    public_key_b64,
    public_key_pem,
)
from integrity.tree import LedgerError
from service.config import ConfigError, Settings
from service.domain.base import InvalidValueError
from usecases.errors import NotAvailableError, ProofRefusedError
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

"""Personal values sealed in stored events and snapshots, and opened on reading.

The application's mapper seals every personal value (declared by the `personal`
flag of a register field, and `service.domain.document.PERSONAL`) with AES-GCM
under its data subject's key before the event is encoded, so the stored state,
and with it the ledger leaf, covers only the ciphertext. Reading opens each
sealed value with its subject's key, or shows `ERASED` once the key is gone;
plaintext personal values of events recorded before sealing show `ERASED` once
their keyed hash is in the store's redacted list. A sealed value is a string
(`pmo-sealed:1:<subject>:<base64 nonce and ciphertext>`), so it fits wherever
the plain text did, also inside a snapshot's value objects.
"""

from __future__ import annotations

import base64
import binascii
import dataclasses
import secrets
from collections.abc import Mapping
from typing import Any
from uuid import UUID

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from eventsourcing.domain import Aggregate, CanSnapshotAggregate
from eventsourcing.persistence import Mapper, StoredEvent, Transcoder
from eventsourcing.utils import get_topic

from service.domain import catalogue
from service.domain.document import PERSONAL, Document
from service.domain.erasure import ERASED
from service.privacy.keys import KeyStore

PREFIX = "pmo-sealed:1:"
IDENTIFYING = ("email", "name")
Spec = Mapping[str, Any]
"""Attribute -> "name" | "email" | "text", or the Spec of a list's value objects."""


def personal_specs() -> dict[str, Spec]:
    """The personal attributes of every event and aggregate topic that has any."""
    specs: dict[str, Spec] = {}
    declared: list[tuple[type[Aggregate], Spec]] = [(Document, PERSONAL)]
    for cls in catalogue.entries():
        kind = cls.register_kind
        params = [p for c in (kind.create, *kind.commands) for p in c.params]
        flags = {f.name: f.personal for f in (*kind.fields, *params) if f.personal}
        if flags:
            declared.append((cls, flags))
    for aggregate, spec in declared:
        specs[get_topic(aggregate)] = spec
        for name in dir(aggregate):
            member = getattr(aggregate, name)
            if isinstance(member, type) and member.__qualname__.startswith(
                f"{aggregate.__qualname__}."
            ):
                specs[get_topic(member)] = spec
    return specs


def is_sealed(value: Any) -> bool:
    """Whether a stored value is sealed."""
    return isinstance(value, str) and value.startswith(PREFIX)


def sealed_subject(value: str) -> UUID | None:
    """The subject a sealed value belongs to (None if it is malformed)."""
    try:
        return UUID(value[len(PREFIX) :].split(":", 1)[0])
    except ValueError:
        return None


class SealingMapper(Mapper[UUID]):
    """The application's mapper, sealing and opening personal values."""

    def __init__(self, transcoder: Transcoder, keys: KeyStore) -> None:
        super().__init__(transcoder)
        self.keys = keys
        self.specs = personal_specs()

    def to_stored_event(self, domain_event: Any) -> StoredEvent:
        """Encode an event or snapshot with its personal values sealed."""
        state = dict(vars(domain_event))
        snapshot = isinstance(domain_event, CanSnapshotAggregate)
        spec = self.specs.get(
            state["topic"] if snapshot else get_topic(type(domain_event))
        )
        if spec is None:
            return super().to_stored_event(domain_event)
        originator_id = domain_event.originator_id
        if snapshot:
            state["state"] = self._seal(dict(state["state"]), spec, originator_id)
        else:
            state = self._seal(state, spec, originator_id)
        sealed = object.__new__(type(domain_event))
        object.__setattr__(sealed, "__dict__", state)
        return super().to_stored_event(sealed)

    def to_domain_event(self, stored_event: StoredEvent) -> Any:
        """Decode an event or snapshot with its personal values opened or erased."""
        domain_event = super().to_domain_event(stored_event)
        state = vars(domain_event)
        spec = self.specs.get(stored_event.topic)
        if spec is not None:
            self._open(state, spec)
        elif isinstance(domain_event, CanSnapshotAggregate):
            spec = self.specs.get(state["topic"])
            if spec is not None:
                self._open(state["state"], spec)
        return domain_event

    def _seal(
        self, state: dict[str, Any], spec: Spec, originator: UUID
    ) -> dict[str, Any]:
        plain = {
            name: state[name]
            for name, kind in spec.items()
            if isinstance(kind, str) and _sealable(state.get(name))
        }
        if plain:
            digests = [
                self.keys.digest(kind, plain[name])
                for wanted in IDENTIFYING
                for name, kind in spec.items()
                if kind == wanted and name in plain
            ]
            subject, key = self.keys.subject_for(digests, originator)
            for name, value in plain.items():
                state[name] = seal(subject, key, value)
        for name, inner in spec.items():
            if isinstance(inner, Mapping) and isinstance(state.get(name), list):
                state[name] = [
                    self._seal_item(item, inner, originator) for item in state[name]
                ]
        return state

    def _seal_item(self, item: Any, spec: Spec, originator: UUID) -> Any:
        if not dataclasses.is_dataclass(item) or isinstance(item, type):
            return item
        values = self._seal({f: getattr(item, f) for f in spec}, spec, originator)
        return dataclasses.replace(item, **values)

    def _open(self, state: dict[str, Any], spec: Spec) -> None:
        erased_plain = any(
            kind in IDENTIFYING
            and _sealable(state.get(name))
            and self.keys.is_redacted(self.keys.digest(kind, state[name]))
            for name, kind in spec.items()
        )
        for name, kind in spec.items():
            value = state.get(name)
            if isinstance(kind, Mapping):
                if isinstance(value, list):
                    state[name] = [self._open_item(item, kind) for item in value]
            elif isinstance(value, str) and is_sealed(value):
                state[name] = self._opened(value)
            elif erased_plain and _sealable(value):
                state[name] = ERASED

    def _open_item(self, item: Any, spec: Spec) -> Any:
        if not dataclasses.is_dataclass(item) or isinstance(item, type):
            return item
        values = {f: getattr(item, f) for f in spec}
        self._open(values, spec)
        return dataclasses.replace(item, **values)

    def _opened(self, value: str) -> str:
        subject = sealed_subject(value)
        key = None if subject is None else self.keys.key(subject)
        if subject is None or key is None:
            return ERASED
        return open_sealed(subject, key, value)


def _sealable(value: Any) -> bool:
    return (
        isinstance(value, str)
        and bool(value)
        and value != ERASED
        and not is_sealed(value)
    )


def seal(subject: UUID, key: bytes, value: str) -> str:
    """A value sealed under a subject's key (a fresh 96-bit nonce each time)."""
    nonce = secrets.token_bytes(12)
    sealed = AESGCM(key).encrypt(nonce, value.encode(), subject.bytes)
    return f"{PREFIX}{subject.hex}:{base64.b64encode(nonce + sealed).decode('ascii')}"


def open_sealed(subject: UUID, key: bytes, value: str) -> str:
    """The plaintext of a sealed value (ERASED if it does not open with the key)."""
    try:
        raw = base64.b64decode(value.rsplit(":", 1)[1], validate=True)
        return AESGCM(key).decrypt(raw[:12], raw[12:], subject.bytes).decode()
    except (IndexError, binascii.Error, InvalidTag, UnicodeDecodeError):
        return ERASED

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

The actor who recorded each event (its `Meta.actor`), and a token's holder, are
sealed the same way under the actor's own subject, so erasing an account
(`usecases.privacy.erase_account`) leaves each event's actor unreadable. An
actor's value is sealed deterministically (its nonce derived from the key and
the value) so that one actor is one stored string, opened once per process.
"""

from __future__ import annotations

import base64
import binascii
import dataclasses
import hashlib
import hmac
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
from service.domain.base import SYSTEM_ACTORS, Meta
from service.domain.document import PERSONAL, Document
from service.domain.erasure import ERASED, Erasure
from service.domain.token import Token
from service.privacy.keys import KeyStore

PREFIX = "pmo-sealed:1:"
IDENTIFYING = ("email", "name")
ACTOR = "actor"
"""The kind an actor's name is looked up by (a key of its own, not a subject's)."""
ERASURE_TOPIC = get_topic(Erasure.Recorded)  # type: ignore[attr-defined]
CACHE_LIMIT = 10_000
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


def actor_specs() -> dict[str, tuple[str, ...]]:
    """The attributes (besides `meta.actor`) that name an account, per topic."""
    specs: dict[str, tuple[str, ...]] = {}
    for name in dir(Token):
        member = getattr(Token, name)
        if isinstance(member, type) and member.__qualname__.startswith("Token."):
            specs[get_topic(member)] = ("name",)
    specs[get_topic(Token)] = ("name",)
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
        self.actor_fields = actor_specs()
        # actor -> sealed; sealed or plaintext actor -> as read; Meta -> opened.
        self._sealed_actors: dict[str, str] = {}
        self._read_actors: dict[str, str] = {}
        self._opened_metas: dict[Meta, Meta] = {}

    def forget(self) -> None:
        """Drop what was opened or sealed with keys (after an erasure)."""
        # In place: a copy of this mapper (projections.decoding) shares them.
        self._sealed_actors.clear()
        self._read_actors.clear()
        self._opened_metas.clear()

    def seal_actor(self, actor: str) -> str:
        """An account's name sealed under its own key (the same string each time)."""
        if actor in SYSTEM_ACTORS or not _sealable(actor):
            return actor
        sealed = self._sealed_actors.get(actor)
        if sealed is None:
            subject, key = self.keys.actor_subject(self.keys.digest(ACTOR, actor))
            sealed = seal(subject, key, actor, deterministic=True)
            if len(self._sealed_actors) >= CACHE_LIMIT:
                self._sealed_actors.clear()
            self._sealed_actors[actor] = sealed
        return sealed

    def open_actor(self, value: str) -> str:
        """An account's name as read: opened, or ERASED once its key is destroyed.

        A plaintext name (an event recorded before actors were sealed) reads as
        ERASED once the account is erased (its keyed hash is redacted).
        """
        if not isinstance(value, str) or value in SYSTEM_ACTORS or not value:
            return value
        found = self._read_actors.get(value)
        if found is None:
            if is_sealed(value):
                found = self._opened(value)
            elif value != ERASED and self.keys.is_redacted(
                self.keys.digest(ACTOR, value)
            ):
                found = ERASED
            else:
                found = value
            if len(self._read_actors) >= CACHE_LIMIT:
                self._read_actors.clear()
            self._read_actors[value] = found
        return found

    def to_stored_event(self, domain_event: Any) -> StoredEvent:
        """Encode an event or snapshot with its personal values sealed."""
        state = dict(vars(domain_event))
        snapshot = isinstance(domain_event, CanSnapshotAggregate)
        topic = state["topic"] if snapshot else get_topic(type(domain_event))
        spec = self.specs.get(topic)
        originator_id = domain_event.originator_id
        if snapshot:
            inner = dict(state["state"])
            if spec is not None:
                inner = self._seal(inner, spec, originator_id)
            self._seal_actors(inner, topic)
            state["state"] = inner
        else:
            if spec is not None:
                state = self._seal(state, spec, originator_id)
            self._seal_actors(state, topic)
        sealed = object.__new__(type(domain_event))
        object.__setattr__(sealed, "__dict__", state)
        return super().to_stored_event(sealed)

    def _seal_actors(self, state: dict[str, Any], topic: str) -> None:
        meta = state.get("meta")
        if type(meta) is Meta:
            state["meta"] = Meta(
                self.seal_actor(meta.actor), meta.role, meta.reason, meta.request_id
            )
        for name in self.actor_fields.get(topic, ()):
            value = state.get(name)
            if isinstance(value, str):
                state[name] = self.seal_actor(value)

    def to_domain_event(self, stored_event: StoredEvent) -> Any:
        """Decode an event or snapshot with its personal values opened or erased."""
        domain_event = super().to_domain_event(stored_event)
        state = vars(domain_event)
        topic = stored_event.topic
        if topic == ERASURE_TOPIC:
            self.forget()  # what this process opened may now be erased
        spec = self.specs.get(topic)
        if spec is not None:
            self._open(state, spec)
        elif isinstance(domain_event, CanSnapshotAggregate):
            topic = state["topic"]
            spec = self.specs.get(topic)
            if spec is not None:
                self._open(state["state"], spec)
            self._open_actors(state["state"], topic)
            return domain_event
        self._open_actors(state, topic)
        return domain_event

    def _open_actors(self, state: dict[str, Any], topic: str) -> None:
        meta = state.get("meta")
        if type(meta) is Meta:
            opened = self._opened_metas.get(meta)
            if opened is None:
                actor = self.open_actor(meta.actor)
                opened = (
                    meta
                    if actor == meta.actor
                    else dataclasses.replace(meta, actor=actor)
                )
                if len(self._opened_metas) >= CACHE_LIMIT:
                    self._opened_metas.clear()
                self._opened_metas[meta] = opened
            state["meta"] = opened
        for name in self.actor_fields.get(topic, ()):
            value = state.get(name)
            if isinstance(value, str):
                state[name] = self.open_actor(value)

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


def seal(subject: UUID, key: bytes, value: str, *, deterministic: bool = False) -> str:
    """A value sealed under a subject's key (a fresh 96-bit nonce each time).

    `deterministic` derives the nonce from the key and the value (synthetic IV),
    so one value seals to one string; a nonce then repeats only with its value.
    """
    if deterministic:
        nonce = hmac.new(key, b"nonce:" + value.encode(), hashlib.sha256).digest()[:12]
    else:
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

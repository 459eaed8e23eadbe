"""Erasing a data subject's personal data, and telling them what is held.

Erasure destroys the subject's key (their sealed values can no longer be read
anywhere), records the request as an event (who, why, the legal basis, the
subjects' random ids, never a name), and then redacts every derived copy: the
cached aggregates, the snapshots, the idempotency records, and every read
model, rebuilt from the events; the files are then compacted so no old page
keeps the plaintext (docs/privacy.md).
"""

from __future__ import annotations

import json
import logging
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from projections.engine import compact
from projections.models import models
from service.domain.base import SYSTEM_ACTORS, InvalidValueError, Meta
from service.domain.erasure import Erasure
from service.privacy.keys import normalised
from service.privacy.sealing import ACTOR, is_sealed, personal_specs, sealed_subject
from service.snapshots import delete_all
from usecases.rebuild import RebuildReadModels, Rebuilt, rebuild_read_models
from usecases.root import Services

log = logging.getLogger("pmo_ledger.privacy")


@dataclass(frozen=True)
class Person:
    """A data subject as a request names them: a name, an e-mail address, or both."""

    name: str = ""
    email: str = ""

    def identifiers(self) -> list[tuple[str, str]]:
        """(kind, value) of each identifier given; InvalidValueError if none is."""
        given = [
            (k, v.strip()) for k, v in (("name", self.name), ("email", self.email))
        ]
        found = [(k, v) for k, v in given if v]
        if not found:
            raise InvalidValueError("name", "give the person's name or e-mail address")
        for kind, value in found:
            if len(value) > 254:
                raise InvalidValueError(kind, "must be at most 254 characters")
        return found


@dataclass(frozen=True)
class EraseSubject:
    """Erase a person's personal data, on a legal basis, for a reason."""

    person: Person
    legal_basis: str
    reason: str


@dataclass(frozen=True)
class EraseAccount:
    """Erase an account: its tokens revoked, its name unreadable in every event."""

    name: str
    legal_basis: str
    reason: str


@dataclass(frozen=True)
class ErasureDone:
    """What an erasure did: its event, the subjects whose keys are destroyed."""

    erasure_id: UUID
    subjects: list[str]
    position: int
    rebuilt: list[str] = field(default_factory=list)
    pending: list[str] = field(default_factory=list)
    """Read models another rebuild held: `projections rebuild NAME` redacts them."""
    compacted: bool = True
    """False if a busy database kept the files from being rewritten (logged)."""


@dataclass(frozen=True)
class HeldItem:
    """One recorded event holding a subject's personal data, as read now."""

    entity_id: UUID
    event: str
    version: int
    recorded_at: datetime | None
    recorded_by: str
    values: dict[str, Any]


@dataclass(frozen=True)
class SubjectAccess:
    """Everything held about a person: their subjects and the events holding them."""

    subjects: list[str]
    items: list[HeldItem]

    def as_json(self) -> dict[str, Any]:
        """The export's JSON form."""
        return {
            "subjects": self.subjects,
            "items": [
                {
                    "entity_id": str(i.entity_id),
                    "event": i.event,
                    "version": i.version,
                    "recorded_at": i.recorded_at.isoformat() if i.recorded_at else None,
                    "recorded_by": i.recorded_by,
                    "values": i.values,
                }
                for i in self.items
            ],
        }


def erase_subject(services: Services, command: EraseSubject, meta: Meta) -> ErasureDone:
    """Destroy the person's keys, record the erasure, redact every derived copy."""
    app, keys = services.app, services.app.keys
    identifiers = command.person.identifiers()
    meta = Meta(meta.actor, meta.role, command.reason, meta.request_id)
    digests = [keys.digest(kind, value) for kind, value in identifiers]
    subject_ids = keys.subjects_of(digests)
    erasure = Erasure.record(
        [s.hex for s in subject_ids], len(digests), command.legal_basis, meta
    )
    # Keys first: an aggregate loaded after the event is seen must not open.
    keys.destroy(subject_ids, digests)
    written = app.create(erasure)
    redact_copies(services, [value for _, value in identifiers])
    outcomes = [
        done
        for name in holding_personal_data()
        for done in rebuild_read_models(services, RebuildReadModels(name), _Quiet())
    ]
    return carried_out(services, erasure.id, subject_ids, written.position, outcomes)


def erase_account(services: Services, command: EraseAccount, meta: Meta) -> ErasureDone:
    """Revoke the account's tokens, destroy its key, redact every derived copy.

    Every event the account recorded (and every token issued to it) names it
    only sealed under the account's key: with the key destroyed the actor reads
    as erased everywhere, while every event, leaf and proof stays as it was.
    """
    app, keys = services.app, services.app.keys
    name = command.name.strip()
    if not name:
        raise InvalidValueError("name", "give the account's name as it was recorded")
    if len(name) > 200:
        raise InvalidValueError("name", "must be at most 200 characters")
    if name in SYSTEM_ACTORS:
        raise InvalidValueError("name", "names the service itself, not a person")
    if normalised(name) == normalised(meta.actor):
        raise InvalidValueError(
            "name", "is your own account: another PMO head erases it"
        )
    meta = Meta(meta.actor, meta.role, command.reason, meta.request_id)
    digest = keys.digest(ACTOR, name)
    subject_ids = keys.subjects_of([digest])
    # Validated (legal basis, reason) before anything is written.
    erasure = Erasure.record([s.hex for s in subject_ids], 1, command.legal_basis, meta)
    # The tokens first, while their holder's name still opens: the account can
    # no longer act once its name reads as erased.
    for token in app.list_tokens():
        if token.status == "active" and normalised(token.name) == normalised(name):
            app.revoke_token(token.token_id, meta)
    keys.destroy(subject_ids, [digest])
    written = app.create(erasure)
    redact_copies(services, [name])
    # Every read model shows who recorded what: all are rebuilt, in one pass
    # of the log in this process.
    outcomes = rebuild_read_models(
        services, RebuildReadModels(None, workers=1), _Quiet()
    )
    return carried_out(services, erasure.id, subject_ids, written.position, outcomes)


def carried_out(
    services: Services,
    erasure_id: UUID,
    subject_ids: Sequence[UUID],
    position: int,
    outcomes: Sequence[Rebuilt],
) -> ErasureDone:
    """What an erasure did, once its files are compacted."""
    return ErasureDone(
        erasure_id,
        [s.hex for s in subject_ids],
        position,
        [o.name for o in outcomes if o.generation is not None],
        [o.name for o in outcomes if o.generation is None],
        compact_stores(services),
    )


def holding_personal_data() -> list[str]:
    """The read models that read an event with personal values (or every event)."""
    personal = set(personal_specs())
    return [m.name for m in models() if not m.topics() or personal & set(m.topics())]


def redact_copies(services: Services, values: Sequence[str]) -> None:
    """Drop the cached aggregates, the snapshots and the adapters' kept responses."""
    services.app.cache.clear()
    if services.app.snapshots is not None:
        delete_all(services.app.snapshots.recorder)
    for redactor in services.redactors:
        redactor(values)


def compact_stores(services: Services) -> bool:
    """Rewrite the files that held a redacted copy, leaving no old page behind.

    False (and logged) if a busy database refused: the erasure itself is done,
    and the next erasure or `VACUUM` rewrites them.
    """
    settings = services.settings
    try:
        compact(services.views_engine)
        if settings.backend == "sqlite":
            with sqlite3.connect(settings.sqlite_path) as conn:
                conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            return True
        snapshots = services.app.snapshots
        if snapshots is not None:
            table = getattr(snapshots.recorder, "events_table_name", "")
            with services.views_engine.connect().execution_options(
                isolation_level="AUTOCOMMIT"
            ) as conn:
                conn.execute(text(f'VACUUM FULL "{table}"'))
    except (sqlite3.Error, DBAPIError) as error:
        log.error("files not compacted after an erasure: %s", error)
        return False
    return True


@dataclass(frozen=True)
class ErasureRecord:
    """An erasure as recorded: when, by whom, why, on which basis, how many subjects."""

    erasure_id: UUID
    recorded_at: datetime
    actor: str
    reason: str
    legal_basis: str
    subjects: int
    position: int


def list_erasures(services: Services) -> list[ErasureRecord]:
    """Every erasure recorded, oldest first."""
    recorded = Erasure.Recorded  # type: ignore[attr-defined]
    return [
        ErasureRecord(
            e.originator_id,
            e.timestamp,
            e.meta.actor,
            e.meta.reason or "",
            e.legal_basis,
            len(e.subjects),
            position,
        )
        for e, position in services.app.iter_events_of(recorded)
    ]


def subject_access(services: Services, person: Person, meta: Meta) -> SubjectAccess:
    """Every event holding the person's personal data, opened; the export recorded."""
    app, keys, specs = services.app, services.app.keys, personal_specs()
    digests = [keys.digest(kind, value) for kind, value in person.identifiers()]
    subject_ids = keys.subjects_of(digests)
    # The record names the subjects by their random ids, never by the person.
    filters = {"subjects": ",".join(s.hex for s in subject_ids)}
    app.record_export("subject-access", "json", filters, meta)
    wanted = set(subject_ids)
    items: list[HeldItem] = []
    for originator_id in keys.originators_of(subject_ids):
        for stored in app.recorder.select_events(originator_id):
            spec = specs.get(stored.topic)
            if spec is None:
                continue
            raw = json.loads(stored.state)
            names = [
                n
                for n in spec
                if is_sealed(raw.get(n)) and sealed_subject(raw[n]) in wanted
            ]
            if not names:
                continue
            event = app.mapper.to_domain_event(stored)
            recorded = vars(event)
            items.append(
                HeldItem(
                    originator_id,
                    stored.topic.rsplit(".", 1)[-1],
                    stored.originator_version,
                    recorded.get("timestamp"),
                    getattr(recorded.get("meta"), "actor", ""),
                    {n: recorded[n] for n in names},
                )
            )
    return SubjectAccess([s.hex for s in subject_ids], items)


class _Quiet:
    """A rebuild's progress, not shown."""

    def begin(self, label: str, length: int) -> None:
        """Nothing to show."""

    def advance(self, count: int) -> None:
        """Nothing to show."""

    def end(self) -> None:
        """Nothing to show."""

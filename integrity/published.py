"""Published checkpoints and the witness cosignatures collected for them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from sqlalchemy import Engine, insert, select

from integrity.checkpoint import Checkpoint, WitnessPolicy, check_cosignature
from integrity.note import (
    COSIGNATURE,
    ED25519,
    Note,
    NoteError,
    NoteKey,
    parse_note,
    verified_by,
)
from integrity.signing import load_public_key_pem
from integrity.tables import (
    checkpoints,
    cosignatures,
    default_origin,
    keys,
    ledger_origin,
)
from service.durability import durable

MAX_WITNESSES: Final = 15  # with the log's own line, the 16 every verifier takes
MAX_VKEY: Final = 200


class CosignatureRefusedError(NoteError):
    """A pushed cosignature that is not kept (the reason says why)."""


@dataclass(frozen=True)
class Cosigned:
    """The outcome of a push: which checkpoint, which witness, whether new."""

    tree_size: int
    witness: str
    added: bool


class PublishedCheckpoints:
    """Checkpoints as published: the log's note plus every kept cosignature."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def note(self, tree_size: int | None = None) -> Note | None:
        """The checkpoint of a size (default: the newest), cosignatures appended."""
        query = select(checkpoints.c.tree_size, checkpoints.c.note)
        if tree_size is None:
            query = query.order_by(checkpoints.c.tree_size.desc()).limit(1)
        else:
            query = query.where(checkpoints.c.tree_size == tree_size)
        with self.engine.connect() as conn:
            row = conn.execute(query).first()
            if row is None:
                return None
            lines = conn.execute(
                select(cosignatures.c.line)
                .where(cosignatures.c.tree_size == row.tree_size)
                .order_by(cosignatures.c.received_ms, cosignatures.c.witness_key)
            ).scalars()
            extra = parse_note(row.note + "".join(lines))
        return extra

    def log_keys(self) -> list[NoteKey]:
        """Every key that signed heads here as a checkpoint key, oldest first."""
        with self.engine.connect() as conn:
            origin = ledger_origin(conn)
            rows = conn.execute(
                select(keys).order_by(keys.c.first_used_ms, keys.c.key_id)
            ).all()
        if not rows:
            return []
        origin = origin or default_origin(str(rows[0].key_id))
        return [
            NoteKey(origin, ED25519, load_public_key_pem(row.public_key_pem.encode()))
            for row in rows
        ]

    def all_notes(self) -> list[Note]:
        """Every published checkpoint with its cosignatures, oldest first."""
        with self.engine.connect() as conn:
            sizes = conn.execute(
                select(checkpoints.c.tree_size).order_by(checkpoints.c.tree_size)
            ).scalars()
            wanted = [int(size) for size in sizes]
        found = [self.note(size) for size in wanted]
        return [note for note in found if note is not None]

    def witnessed(self, policy: WitnessPolicy) -> list[tuple[Checkpoint, Note]]:
        """The published checkpoints that satisfy a witness policy, oldest first."""
        return [
            (Checkpoint.from_text(note.text), note)
            for note in self.all_notes()
            if policy.satisfied(note)
        ]

    def add_cosignature(self, raw: str, witness_vkey: str, now_ms: int) -> Cosigned:
        """Keep a witness's cosignature of a checkpoint published here.

        Refused (CosignatureRefusedError, nothing written) unless the note's text
        is exactly a checkpoint published here and it carries a valid
        cosignature by the given witness key.
        """
        try:
            witness = NoteKey.from_vkey(witness_vkey)
            note = parse_note(raw)
            checkpoint = Checkpoint.from_text(note.text)
        except NoteError as error:
            raise CosignatureRefusedError(str(error)) from None
        if witness.kind != COSIGNATURE:
            raise CosignatureRefusedError("the witness key is not a cosignature key")
        if len(witness.vkey) > MAX_VKEY:
            raise CosignatureRefusedError(f"witness keys longer than {MAX_VKEY}")
        try:
            good = verified_by(note, [witness], check_cosignature)
        except NoteError as error:
            raise CosignatureRefusedError(str(error)) from None
        if not good:
            raise CosignatureRefusedError(
                f"the note carries no cosignature by {witness.name}"
            )
        line = next(s for s in note.signatures if s.made_by(witness)).line()
        with durable(self.engine) as conn:
            published = conn.execute(
                select(checkpoints.c.note).where(
                    checkpoints.c.tree_size == checkpoint.tree_size
                )
            ).scalar()
            if published is None or parse_note(published).text != note.text:
                raise CosignatureRefusedError(
                    f"no checkpoint of size {checkpoint.tree_size} with this root "
                    "was published here"
                )
            kept = set(
                conn.execute(
                    select(cosignatures.c.witness_key).where(
                        cosignatures.c.tree_size == checkpoint.tree_size
                    )
                ).scalars()
            )
            if witness.vkey in kept:
                return Cosigned(checkpoint.tree_size, witness.name, False)
            if len(kept) >= MAX_WITNESSES:
                raise CosignatureRefusedError(
                    f"checkpoint {checkpoint.tree_size} already has "
                    f"{MAX_WITNESSES} cosignatures"
                )
            conn.execute(
                insert(cosignatures).values(
                    tree_size=checkpoint.tree_size,
                    witness_key=witness.vkey,
                    line=line,
                    received_ms=now_ms,
                )
            )
        return Cosigned(checkpoint.tree_size, witness.name, True)

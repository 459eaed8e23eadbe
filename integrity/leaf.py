"""The canonical, versioned leaf data of a stored event, and its JSON form.

Leaf data, format PMOL1 (all integers unsigned big-endian):

    b"PMOL1"                      5 bytes  format tag and version
    position                      8 bytes  global notification id
    originator_id                16 bytes  UUID, RFC 4122 byte order
    originator_version            8 bytes
    len(topic)                    4 bytes
    topic                         UTF-8
    len(state)                    4 bytes
    state                         the stored state bytes, exactly as persisted

The leaf hash is SHA-256(0x00 || leaf data). The JSON form carries the state as
base64 (`state_b64`, the bytes that are hashed) plus a decoded copy (`state`)
for people to read; a reader must check that copy, never hash it.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import struct
from collections.abc import Sequence
from dataclasses import dataclass
from operator import itemgetter
from typing import Any, Final
from uuid import UUID

from integrity.tree import LedgerError, leaf_hash

LEAF_FORMAT: Final = b"PMOL1"
_U32_MAX: Final = 2**32 - 1
_U64_MAX: Final = 2**64 - 1
_FIXED: Final = struct.Struct(">Q16sQI")  # position, id, version, len(topic)
_LENGTH: Final = struct.Struct(">I")
_LEAF_TAG: Final = b"\x00" + LEAF_FORMAT  # RFC 9162 leaf prefix, then the format

# One stored event as read raw: position, originator id (16 bytes), version,
# topic, state.
RawEvent = tuple[int, bytes, int, str, bytes]


@dataclass(frozen=True)
class EventRecord:
    """The stored fields of one event that the ledger commits to."""

    position: int
    originator_id: UUID
    originator_version: int
    topic: str
    state: bytes

    def leaf_data(self) -> bytes:
        """Return the canonical PMOL1 leaf data of this event."""
        return leaf_data(
            self.position,
            self.originator_id,
            self.originator_version,
            self.topic,
            self.state,
        )

    def leaf_hash(self) -> bytes:
        """Return the RFC 9162 leaf hash of this event."""
        return leaf_hash(self.leaf_data())

    def to_json_dict(self) -> dict[str, Any]:
        """Return the canonical JSON form; `state` is a readable, unhashed copy."""
        return {
            "position": self.position,
            "originator_id": str(self.originator_id),
            "originator_version": self.originator_version,
            "topic": self.topic,
            "state_b64": base64.b64encode(self.state).decode("ascii"),
            "state": _readable_state(self.state),
        }

    @classmethod
    def from_json_dict(cls, data: dict[str, Any]) -> EventRecord:
        """Parse the canonical JSON form, refusing a `state` copy that disagrees."""
        try:
            position = _json_int(data["position"], "position")
            version = _json_int(data["originator_version"], "originator_version")
            originator_id = UUID(data["originator_id"])
            topic, encoded = data["topic"], data["state_b64"]
        except (KeyError, TypeError, ValueError, AttributeError) as error:
            raise LedgerError(f"malformed event: {error}") from error
        if not isinstance(topic, str) or not isinstance(encoded, str):
            raise LedgerError("malformed event: topic and state_b64 must be strings")
        try:
            state = base64.b64decode(encoded, validate=True)
        except binascii.Error as error:
            raise LedgerError(f"malformed event: state_b64: {error}") from error
        if base64.b64encode(state).decode("ascii") != encoded:
            raise LedgerError("malformed event: state_b64 is not canonical base64")
        if "state" in data and data["state"] != _readable_state(state):
            raise LedgerError("the readable state differs from state_b64")
        record = cls(position, originator_id, version, topic, state)
        record.leaf_data()  # range checks
        return record


def leaf_data(
    position: int,
    originator_id: UUID,
    originator_version: int,
    topic: str,
    state: bytes,
) -> bytes:
    """Encode one stored event as PMOL1 leaf data."""
    if not isinstance(originator_id, UUID):
        raise TypeError("originator_id must be a UUID")
    if not isinstance(state, bytes):
        raise TypeError("state must be bytes")
    for name, value in (("position", position), ("version", originator_version)):
        if isinstance(value, bool) or not isinstance(value, int):
            raise TypeError(f"{name} must be an int")
        if not 0 <= value <= _U64_MAX:
            raise LedgerError(f"{name} {value} does not fit in 64 bits")
    topic_bytes = topic.encode("utf-8")
    if len(topic_bytes) > _U32_MAX or len(state) > _U32_MAX:
        raise LedgerError("topic or state is longer than 2**32 - 1 bytes")
    return b"".join(
        (
            LEAF_FORMAT,
            struct.pack(">Q", position),
            originator_id.bytes,
            struct.pack(">QI", originator_version, len(topic_bytes)),
            topic_bytes,
            struct.pack(">I", len(state)),
            state,
        )
    )


def event_leaf_hash(
    position: int,
    originator_id: UUID,
    originator_version: int,
    topic: str,
    state: bytes,
) -> bytes:
    """Return SHA-256(0x00 || PMOL1 leaf data) of one stored event."""
    return leaf_hash(
        leaf_data(position, originator_id, originator_version, topic, state)
    )


def leaf_hashes(events: Sequence[RawEvent]) -> list[bytes]:
    """Return the leaf hash of each raw event, as event_leaf_hash does, in one loop."""
    fixed, length, sha256 = _FIXED.pack, _LENGTH.pack, hashlib.sha256
    # A page holds a few distinct topics: encode each once.
    names = {topic: topic.encode("utf-8") for topic in set(map(itemgetter(3), events))}
    try:
        if set(map(len, map(itemgetter(1), events))) - {16}:
            raise ValueError("an originator id is not 16 bytes")
        return [
            sha256(
                b"".join(
                    (
                        _LEAF_TAG,
                        fixed(position, oid, version, len(names[topic])),
                        names[topic],
                        length(len(state)),
                        state,
                    )
                )
            ).digest()
            for position, oid, version, topic, state in events
        ]
    except (struct.error, TypeError, ValueError):
        # The checked encoder names what is wrong, and with which value.
        return [
            event_leaf_hash(position, UUID(bytes=oid), version, topic, state)
            for position, oid, version, topic, state in events
        ]


def canonical_json(data: dict[str, Any]) -> str:
    """Serialise a JSON object as one line: sorted keys, no spaces, UTF-8 text."""
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _readable_state(state: bytes) -> Any:
    """Decode state as JSON for reading, or None when it is not UTF-8 JSON."""
    try:
        return json.loads(state.decode("utf-8"))
    except ValueError:
        return None


def _json_int(value: Any, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"{name} must be an integer")
    return value

"""The PMOL1 leaf encoding and the canonical JSON form of an event."""

from __future__ import annotations

import base64
import hashlib
import json
from uuid import UUID

import pytest

from integrity.leaf import (
    EventRecord,
    canonical_json,
    event_leaf_hash,
    leaf_data,
    leaf_hashes,
)
from integrity.tree import LedgerError

ORIGINATOR = UUID("12345678-9abc-def0-1234-56789abcdef0")
EVENT = EventRecord(7, ORIGINATOR, 3, "pmo.Project.Created", b'{"a":1}')


def test_leaf_data_byte_layout_is_frozen() -> None:
    expected = (
        b"PMOL1"
        + b"\x00\x00\x00\x00\x00\x00\x00\x07"
        + bytes.fromhex("123456789abcdef0123456789abcdef0")
        + b"\x00\x00\x00\x00\x00\x00\x00\x03"
        + b"\x00\x00\x00\x13"
        + b"pmo.Project.Created"
        + b"\x00\x00\x00\x07"
        + b'{"a":1}'
    )
    assert EVENT.leaf_data() == expected
    assert leaf_data(7, ORIGINATOR, 3, "pmo.Project.Created", b'{"a":1}') == expected
    assert EVENT.leaf_hash() == hashlib.sha256(b"\x00" + expected).digest()
    assert EVENT.leaf_hash().hex() == (
        "a3317401ad450a0ba0c91e255a14b650d52ec6d9915f300127dc7118856828ae"
    )


def test_every_field_changes_the_leaf_hash() -> None:
    variants = [
        (8, ORIGINATOR, 3, "pmo.Project.Created", b'{"a":1}'),
        (7, UUID(int=ORIGINATOR.int ^ 1), 3, "pmo.Project.Created", b'{"a":1}'),
        (7, ORIGINATOR, 4, "pmo.Project.Created", b'{"a":1}'),
        (7, ORIGINATOR, 3, "pmo.Project.Closed", b'{"a":1}'),
        (7, ORIGINATOR, 3, "pmo.Project.Created", b'{"a":2}'),
        # Moving bytes between topic and state must not collide: lengths are framed.
        (7, ORIGINATOR, 3, "pmo.Project.Created{", b'"a":1}'),
    ]
    hashes = {event_leaf_hash(*variant) for variant in variants}
    assert len(hashes) == len(variants)
    assert EVENT.leaf_hash() not in hashes


def test_leaf_data_refuses_values_that_do_not_fit() -> None:
    with pytest.raises(LedgerError):
        leaf_data(-1, ORIGINATOR, 1, "t", b"")
    with pytest.raises(LedgerError):
        leaf_data(1, ORIGINATOR, 2**64, "t", b"")
    with pytest.raises(TypeError):
        leaf_data(1, str(ORIGINATOR), 1, "t", b"")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        leaf_data(1, ORIGINATOR, 1, "t", "text")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        leaf_data(True, ORIGINATOR, 1, "t", b"")


def test_json_form_round_trips_and_keeps_exact_bytes() -> None:
    # Non-canonical JSON spacing in the stored bytes must survive untouched.
    event = EventRecord(9, ORIGINATOR, 1, "t", b'{ "b": [1, 2],  "a": "\xc3\xa9" }')
    data = json.loads(canonical_json(event.to_json_dict()))
    assert data["state"] == {"a": "é", "b": [1, 2]}
    assert base64.b64decode(data["state_b64"]) == event.state
    assert EventRecord.from_json_dict(data) == event


def test_non_json_state_has_no_readable_copy() -> None:
    event = EventRecord(9, ORIGINATOR, 1, "t", b"\xff\x00")
    data = event.to_json_dict()
    assert data["state"] is None
    assert EventRecord.from_json_dict(data) == event


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"state": {"a": 2}}, "readable state differs"),
        ({"state_b64": "eyJhIjoxfQ"}, "state_b64"),
        ({"state_b64": "eyJhIjoxfR=="}, "not canonical"),
        ({"position": "7"}, "position"),
        ({"originator_version": True}, "originator_version"),
        ({"originator_id": "not-a-uuid"}, "malformed"),
        ({"topic": 5}, "must be strings"),
        ({"position": -1}, "64 bits"),
    ],
)
def test_json_form_refuses_tampered_or_malformed_fields(
    change: dict[str, object], reason: str
) -> None:
    data = {**EVENT.to_json_dict(), **change}
    with pytest.raises(LedgerError, match=reason):
        EventRecord.from_json_dict(data)


def test_canonical_json_is_one_sorted_compact_line() -> None:
    assert canonical_json({"b": 1, "a": "é"}) == '{"a":"é","b":1}'


def test_leaf_hashes_of_raw_events_equal_the_checked_encoding() -> None:
    events = [
        (7, ORIGINATOR.bytes, 3, "pmo.Project.Created", b'{"a":1}'),
        (8, ORIGINATOR.bytes, 4, "", b""),
        (2**64 - 1, bytes(16), 0, "pmo.Ünïcode", bytes(range(256))),
    ]
    expected = [event_leaf_hash(p, UUID(bytes=o), v, t, s) for p, o, v, t, s in events]
    assert leaf_hashes(events) == expected
    assert leaf_hashes(events)[0] == EVENT.leaf_hash()


@pytest.mark.parametrize(
    "event",
    [
        (2**64, ORIGINATOR.bytes, 1, "t", b""),
        (1, ORIGINATOR.bytes, -1, "t", b""),
        (1, ORIGINATOR.bytes[:15], 1, "t", b""),
    ],
)
def test_leaf_hashes_refuse_what_the_encoding_refuses(
    event: tuple[int, bytes, int, str, bytes],
) -> None:
    with pytest.raises((LedgerError, ValueError)):
        leaf_hashes([(1, ORIGINATOR.bytes, 1, "t", b""), event])

"""C2SP signed notes, checkpoints and cosignatures: spec vectors and refusals."""

from __future__ import annotations

import base64
import hashlib

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from integrity.checkpoint import (
    Checkpoint,
    WitnessPolicy,
    cosign,
    cosigned_message,
    log_key,
    open_checkpoint,
    sign_checkpoint,
)
from integrity.note import (
    COSIGNATURE,
    ED25519,
    NoteError,
    NoteKey,
    Signature,
    check_plain,
    parse_note,
    verified_by,
)

# The example of c2sp.org/signed-note: this vkey verifies this note.
SPEC_VKEY = "example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k"
SPEC_NOTE = (
    "This is an example message.\n\n"
    "\u2014 example.com/foo Uw2QOkn8srV1yJGh2VYRlL1Tnagv1YEq6TfXppzi2ONncAlTgK7Zt"
    "g1ERYNZXsYjOBH3mFXmRKuwHjG1Yu72IneyaQM=\n"
)
ROOT = hashlib.sha256(b"root").digest()


def test_the_spec_example_verifies_and_an_edit_does_not() -> None:
    key = NoteKey.from_vkey(SPEC_VKEY)
    assert key.vkey == SPEC_VKEY
    assert verified_by(parse_note(SPEC_NOTE), [key], check_plain) == [key]
    edited = parse_note(SPEC_NOTE.replace("example message", "exemplary message"))
    with pytest.raises(NoteError, match="does not verify"):
        verified_by(edited, [key], check_plain)


def test_unknown_keys_are_ignored() -> None:
    other = NoteKey(
        "example.com/bar", ED25519, Ed25519PrivateKey.generate().public_key()
    )
    assert verified_by(parse_note(SPEC_NOTE), [other], check_plain) == []


def test_checkpoint_text_and_round_trip() -> None:
    key = Ed25519PrivateKey.generate()
    checkpoint = Checkpoint("pmo.example/log", 7, ROOT)
    note = sign_checkpoint(checkpoint, key)
    root = base64.b64encode(ROOT).decode()
    assert note.text == f"pmo.example/log\n7\n{root}\n"
    rendered = note.render()
    assert rendered.startswith(note.text + "\n\u2014 pmo.example/log ")
    opened, _ = open_checkpoint(rendered, [log_key("pmo.example/log", key)])
    assert opened == checkpoint


def test_a_checkpoint_under_another_key_or_origin_is_refused() -> None:
    key, other = Ed25519PrivateKey.generate(), Ed25519PrivateKey.generate()
    rendered = sign_checkpoint(Checkpoint("pmo.example/log", 7, ROOT), key).render()
    with pytest.raises(NoteError, match="no signature by a trusted log key"):
        open_checkpoint(rendered, [log_key("pmo.example/log", other)])
    with pytest.raises(NoteError, match="no signature by a trusted log key"):
        open_checkpoint(rendered, [log_key("pmo.example/other", key)])


@pytest.mark.parametrize(
    "text",
    [
        "origin\n7\n",
        "origin\n07\n" + base64.b64encode(ROOT).decode() + "\n",
        "origin\n-1\n" + base64.b64encode(ROOT).decode() + "\n",
        "origin\n7\n" + base64.b64encode(ROOT[:31]).decode() + "\n",
        "origin\n7\nnot base64!\n",
    ],
)
def test_malformed_checkpoints_are_refused(text: str) -> None:
    with pytest.raises(NoteError):
        Checkpoint.from_text(text)


@pytest.mark.parametrize(
    "raw",
    [
        "no blank line\n\u2014 a AAAAAAA=\n",
        "text\n\n\u2014 a\n",
        "text\n\n- a AAAAAAAA\n",
        "text\n\n\u2014 a b AAAAAAAA\n",
        "te\x01xt\n\n\u2014 a AAAAAAAA\n",
        b"\xff\n\n\xe2\x80\x94 a AAAAAAAA\n",
    ],
)
def test_malformed_notes_are_refused(raw: str | bytes) -> None:
    with pytest.raises(NoteError):
        parse_note(raw)


def test_cosignature_message_and_policy() -> None:
    log, w1, w2 = (Ed25519PrivateKey.generate() for _ in range(3))
    note = sign_checkpoint(Checkpoint("pmo.example/log", 7, ROOT), log)
    assert cosigned_message(note.text, 1679315147) == (
        b"cosignature/v1\ntime 1679315147\n" + note.text.encode()
    )
    line = cosign(note.text, "w1.example", w1, 1679315147)
    assert line.signature[:8] == (1679315147).to_bytes(8, "big")
    vkeys = [
        NoteKey("w1.example", COSIGNATURE, w1.public_key()).vkey,
        NoteKey("w2.example", COSIGNATURE, w2.public_key()).vkey,
    ]
    one, both = WitnessPolicy.parse(vkeys, 1), WitnessPolicy.parse(vkeys)
    cosigned = note.with_signatures([line])
    assert one.satisfied(cosigned)
    assert not both.satisfied(cosigned)
    assert both.satisfied(
        cosigned.with_signatures([cosign(note.text, "w2.example", w2, 1679315150)])
    )
    impostor = note.with_signatures([cosign(note.text, "w1.example", w2, 1)])
    assert not one.satisfied(impostor)  # another key under w1's name: ignored
    later = Signature(
        line.name, line.key_id, (9).to_bytes(8, "big") + line.signature[8:]
    )
    with pytest.raises(NoteError, match="does not verify"):
        one.satisfied(note.with_signatures([later]))


def test_a_policy_needs_cosignature_keys_and_a_possible_quorum() -> None:
    plain = NoteKey("w.example", ED25519, Ed25519PrivateKey.generate().public_key())
    with pytest.raises(NoteError, match="0x04"):
        WitnessPolicy.parse([plain.vkey])
    cos = NoteKey("w.example", COSIGNATURE, Ed25519PrivateKey.generate().public_key())
    with pytest.raises(NoteError, match="quorum"):
        WitnessPolicy.parse([cos.vkey], 2)
    with pytest.raises(NoteError, match="key id"):
        NoteKey.from_vkey(cos.vkey.replace(cos.vkey.split("+")[1], "00000000"))

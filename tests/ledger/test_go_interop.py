"""Go's sumdb packages verify our checkpoints and proofs (tests/ledger/interop).

Built in GOPATH mode from Debian's golang-go and golang-golang-x-mod-dev: no
module download. Skipped where Go is absent, except under CI=true, where
.ci/run installs it and its absence is a failure.
"""

from __future__ import annotations

import base64
import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from flask.testing import FlaskClient

from integrity.eventlog import read_events
from integrity.leaf import leaf_data
from integrity.note import ED25519, NoteKey
from tests.ledger.store import Store

API = "/api/v1"
SOURCE = Path(__file__).parent / "interop" / "check.go"
GOCODE = Path("/usr/share/gocode")


def go_tool() -> str | None:
    """The go command, if it and the x/mod sources are installed."""
    found = shutil.which("go") or shutil.which("go", path="/usr/lib/go/bin")
    if found and (GOCODE / "src/golang.org/x/mod/sumdb/tlog").is_dir():
        return found
    return None


@pytest.fixture(scope="module")
def checker(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The Go checker, built once per module."""
    go = go_tool()
    if go is None:
        reason = "go and golang-golang-x-mod-dev are not installed"
        if os.environ.get("CI"):
            pytest.fail(f"{reason}; .ci/run installs them")
        pytest.skip(reason)
    work = tmp_path_factory.mktemp("go")
    env = {
        **os.environ,
        "GO111MODULE": "off",
        "GOPATH": f"{work / 'gopath'}:{GOCODE}",
        "GOCACHE": str(work / "cache"),
        "GOFLAGS": "",
        "GOPROXY": "off",
    }
    binary = work / "check"
    subprocess.run(
        [go, "build", "-o", str(binary), str(SOURCE)], check=True, env=env, cwd=work
    )
    return binary


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def interop_input(client: FlaskClient, store: Store) -> dict[str, Any]:
    """Everything the Go checker reads, as our API serves it."""
    first, second = store.heads
    recorder = store.services.app.recorder
    events = [e for page in read_events(recorder, 0, None, 1000) for e in page]
    leaves = [leaf_data(p, UUID(bytes=i), v, t, s) for p, i, v, t, s in events][
        : second.tree_size
    ]
    inclusions = []
    for index in (0, 1, second.tree_size // 2, second.tree_size - 1):
        position = events[index][0]
        proof = client.get(f"{API}/ledger/proofs/inclusion?position={position}")
        body = proof.get_json()
        assert body["leaf_index"] == index
        inclusions.append(
            {"index": index, "leaf_data": b64(leaves[index]), "path": body["path_b64"]}
        )
    consistency = []
    for size in (1, first.tree_size, second.tree_size):
        link = client.get(
            f"{API}/ledger/proofs/consistency?first={size}&second={second.tree_size}"
        ).get_json()
        consistency.append(
            {
                "size": size,
                "root": link["first_root_hash_b64"],
                "path": link["path_b64"],
            }
        )
    return {
        "verifier_key": client.get(f"{API}/ledger/verifier-key").text.split()[-1],
        "checkpoint": client.get(f"{API}/ledger/checkpoint").text,
        "leaves": [b64(leaf) for leaf in leaves],
        "inclusions": inclusions,
        "consistency": consistency,
    }


def run(checker: Path, data: dict[str, Any], tmp_path: Path) -> tuple[int, str]:
    path = tmp_path / "input.json"
    path.write_text(json.dumps(data))
    done = subprocess.run(
        [str(checker), str(path)], capture_output=True, text=True, check=False
    )
    return done.returncode, done.stdout + done.stderr


def test_go_verifies_our_checkpoint_and_proofs(
    checker: Path, client: FlaskClient, store: Store, tmp_path: Path
) -> None:
    code, output = run(checker, interop_input(client, store), tmp_path)
    assert code == 0, output
    assert output.startswith("ok: pmo-ledger.local/")


def edit_root(data: dict[str, Any]) -> None:
    text = data["checkpoint"]
    root = text.split("\n")[2]
    data["checkpoint"] = text.replace(root, b64(bytes(32)))


def edit_leaf(data: dict[str, Any]) -> None:
    data["leaves"][3] = b64(base64.b64decode(data["leaves"][3]) + b" ")


def edit_inclusion(data: dict[str, Any]) -> None:
    data["inclusions"][1]["index"] = 2


def edit_consistency(data: dict[str, Any]) -> None:
    data["consistency"][1]["root"] = b64(bytes(32))


def other_key(data: dict[str, Any]) -> None:
    name = data["verifier_key"].split("+")[0]
    swapped = Ed25519PrivateKey.generate().public_key()
    data["verifier_key"] = NoteKey(name, ED25519, swapped).vkey


@pytest.mark.parametrize(
    ("tamper", "message"),
    [
        (edit_root, "checkpoint signature"),
        (edit_leaf, "differs from the checkpoint"),
        (edit_inclusion, "inclusion of leaf 2"),
        (edit_consistency, "consistency from size"),
        (other_key, "checkpoint signature"),
    ],
)
def test_go_refuses_what_does_not_verify(
    checker: Path,
    client: FlaskClient,
    store: Store,
    tmp_path: Path,
    tamper: Any,
    message: str,
) -> None:
    data = interop_input(client, store)
    tamper(data)
    code, output = run(checker, data, tmp_path)
    assert code == 1
    assert message in output

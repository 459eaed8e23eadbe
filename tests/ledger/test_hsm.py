"""The ledger key in a PKCS#11 token (SoftHSM2): signing, outages, configuration.

Skipped where SoftHSM2 is absent, except under CI=true, where .ci/run
installs it and its absence is a failure.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path

import pkcs11
import pytest
from click.testing import CliRunner
from flask.testing import FlaskClient
from pkcs11 import Attribute, KeyType, ObjectClass
from pkcs11.exceptions import AttributeSensitive

from api import create_app
from api.cli import main
from integrity.checkpoint import Checkpoint, open_checkpoint, sign_checkpoint
from integrity.hsm import HsmKey, create_hsm_key
from integrity.note import ED25519, NoteKey
from integrity.signing import (
    KeyUnavailableError,
    key_id,
    sign_tree_head,
    verify_tree_head,
)
from service.config import ConfigError, Pkcs11Settings, Settings
from service.domain.base import Meta
from tests.conftest import settings_for
from tests.values import RISK
from usecases import integrity, verification
from usecases.membership import grant_existing_tokens
from usecases.root import Services, build_services

MODULE = "/usr/lib/softhsm/libsofthsm2.so"
PIN = "4321"
SO_AND_USER_PINS = ("--pin", PIN, "--so-pin", "87654321")
META = Meta("hsm-test", "pmo-head")


@dataclass
class Token:
    """A SoftHSM2 token directory with one initialised token and the ledger key."""

    tokens: Path
    settings: Pkcs11Settings

    def unplug(self) -> None:
        """Take the token away, as a network HSM that stops answering."""
        self.tokens.rename(self.tokens.with_name("unplugged"))

    def plug_in(self) -> None:
        """Bring the token back."""
        self.tokens.with_name("unplugged").rename(self.tokens)


def softhsm_util() -> str:
    """The SoftHSM2 tool, or a skip (a failure under CI, which installs it)."""
    tool = shutil.which("softhsm2-util")
    if tool is None or not Path(MODULE).exists():
        reason = "SoftHSM2 (Debian package softhsm2) is not installed"
        if os.environ.get("CI"):
            pytest.fail(f"{reason}; .ci/run installs it")
        pytest.skip(reason)
    return tool


@pytest.fixture
def token(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Token]:
    """A fresh token labelled per test, holding an Ed25519 ledger key."""
    tool = softhsm_util()
    tokens = tmp_path / "hsm" / "tokens"
    tokens.mkdir(parents=True)
    conf = tmp_path / "hsm" / "softhsm2.conf"
    conf.write_text(
        f"directories.tokendir = {tokens}\nobjectstore.backend = file\n"
        "log.level = ERROR\n"
    )
    monkeypatch.setenv("SOFTHSM2_CONF", str(conf))
    label = f"ledger-{tmp_path.name[-20:]}"
    subprocess.run(
        [tool, "--init-token", "--free", "--label", label, *SO_AND_USER_PINS],
        check=True,
        capture_output=True,
    )
    # The module is loaded once per process: let it see this test's token.
    pkcs11.lib(MODULE).reinitialize()
    settings = Pkcs11Settings(MODULE, label, "pmo-ledger", pin=PIN)
    create_hsm_key(settings)
    yield Token(tokens, settings)
    HsmKey.shared(settings).close()


@pytest.fixture
def services(token: Token, tmp_path: Path) -> Iterator[Services]:
    """Services on SQLite whose ledger key is the token's."""
    with settings_for("sqlite", tmp_path / "data", pkcs11=token.settings) as value:
        built = build_services(value)
        yield built
        built.close()


def client_for(services: Services, role: str) -> FlaskClient:
    """A test client holding a fresh token of the role."""
    secret = services.app.issue_token(role, role, META).secret
    grant_existing_tokens(services, META)  # a project role reaches every project
    client = create_app(services=services).test_client()
    client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {secret}"
    return client


def wait_for(condition: Callable[[], bool], seconds: float = 20.0) -> None:
    """Poll until the condition holds, failing after a bounded wait."""
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.1)


def test_signs_heads_and_checkpoints_that_verify_under_its_public_key(
    token: Token,
) -> None:
    key = HsmKey(token.settings)
    public = key.public_key()
    head = sign_tree_head(key, 3, b"\x07" * 32, 1_700_000_000_000)
    assert head.key_id == key.key_id == key_id(public)
    assert verify_tree_head(public, head)
    assert not verify_tree_head(public, replace(head, tree_size=4))
    origin = f"pmo-ledger.local/{key.key_id}"
    note = sign_checkpoint(Checkpoint(origin, 3, b"\x07" * 32), key)
    opened, _ = open_checkpoint(note.render(), [NoteKey(origin, ED25519, public)])
    assert opened.tree_size == 3


def test_the_private_key_cannot_be_read_out_of_the_token(token: Token) -> None:
    lib = pkcs11.lib(MODULE)
    with lib.get_token(token_label=token.settings.token_label).open(
        user_pin=PIN
    ) as session:
        private = session.get_key(
            ObjectClass.PRIVATE_KEY, KeyType.EC_EDWARDS, label="pmo-ledger"
        )
        assert private[Attribute.SENSITIVE] and not private[Attribute.EXTRACTABLE]
        with pytest.raises(AttributeSensitive):
            private[Attribute.VALUE]


def test_hsm_mode_signs_the_ledger_and_keeps_no_key_in_the_data_dir(
    services: Services, token: Token
) -> None:
    project = services.app.register_project("HSM-1", "HSM", "d", "s", "m", META)
    head = services.ledger_worker.sign_now()
    assert head is not None and head.key_id == services.ledger_key.key_id
    report = verification.verify_store(services, verification.VerifyStore(readers=0))
    assert report.ok, report
    assert report.head == head and report.events >= project.position
    data = services.settings.data_dir
    assert not (data / "signing-key.pem").exists()
    for path in data.rglob("*"):
        if path.is_file():
            assert b"PRIVATE KEY" not in path.read_bytes(), path


def test_a_token_absent_at_startup_pauses_signing_and_writes_continue(
    token: Token, tmp_path: Path
) -> None:
    token.unplug()
    with settings_for("sqlite", tmp_path / "data", pkcs11=token.settings) as value:
        services = build_services(value)
    try:
        client = client_for(services, "project-officer")
        project = services.app.register_project("HSM-2", "HSM", "d", "s", "m", META)
        answer = client.post(f"/api/v1/projects/{project.id}/risks", json=RISK)
        assert answer.status_code == 201, answer.json
        worker = services.ledger_worker
        assert worker.catch_up() > 0
        assert worker.sign_or_pause() is None
        ready = client.get("/readyz")
        assert ready.status_code == 200
        assert ready.json["status"] == "degraded"
        signing = ready.json["signing"]
        assert signing["state"] == "paused"
        assert token.settings.token_label in signing["reason"]
        assert signing["paused_since"]
        token.plug_in()
        head = worker.sign_or_pause()
        assert head is not None
        assert head.tree_size == services.app.head_position()
        ready = client.get("/readyz").json
        assert (ready["status"], ready["signing"]["state"]) == ("ok", "signing")
        assert ready["signing"]["reason"] is None
    finally:
        services.close()


def test_a_token_lost_mid_run_pauses_signing_then_resumes_by_itself(
    services: Services, token: Token
) -> None:
    services.ledger_worker.interval = 0.2
    services.start_processors()
    client = client_for(services, "project-officer")
    project = services.app.register_project("HSM-3", "HSM", "d", "s", "m", META)
    risks = f"/api/v1/projects/{project.id}/risks"
    assert client.post(risks, json=RISK).status_code == 201

    def head_size() -> int:
        try:
            return integrity.latest_head(services).tree_size
        except Exception:
            return 0

    wait_for(lambda: head_size() > 0)
    signed_before = head_size()
    token.unplug()
    for _ in range(3):
        answer = client.post(risks, json=RISK)
        assert answer.status_code == 201, answer.json
    wait_for(lambda: client.get("/readyz").json["signing"]["state"] == "paused")
    ready = client.get("/readyz").json
    assert ready["status"] == "degraded"
    assert (
        "unavailable" in ready["signing"]["reason"]
        or "no " in (ready["signing"]["reason"])
    )
    assert head_size() == signed_before
    token.plug_in()
    wait_for(lambda: client.get("/readyz").json["signing"]["state"] == "signing")
    wait_for(lambda: head_size() >= signed_before + 3)
    assert verification.verify_store(services, verification.VerifyStore(readers=0)).ok


def test_an_evidence_pack_waits_for_the_key_with_a_503(
    services: Services, token: Token
) -> None:
    project = services.app.register_project("HSM-4", "HSM", "d", "s", "m", META)
    assert services.ledger_worker.sign_now() is not None
    client = client_for(services, "auditor")
    head_before = services.app.head_position()
    token.unplug()
    answer = client.get(f"/api/v1/projects/{project.id}/evidence")
    assert answer.status_code == 503
    assert answer.mimetype == "application/problem+json"
    assert "cannot be signed now" in answer.json["detail"]
    assert services.app.head_position() == head_before
    token.plug_in()
    assert client.get(f"/api/v1/projects/{project.id}/evidence").status_code == 200


def test_a_refused_pin_is_not_tried_again_until_it_changes(
    token: Token, tmp_path: Path
) -> None:
    pin_file = tmp_path / "pin"
    pin_file.write_text("0000\n")
    settings = replace(token.settings, pin=None, pin_file=pin_file)
    key = HsmKey(settings)
    with pytest.raises(KeyUnavailableError, match="PIN was refused"):
        key.sign(b"x")
    with pytest.raises(KeyUnavailableError, match="not tried again"):
        key.sign(b"x")
    pin_file.write_text(PIN + "\n")
    assert len(key.sign(b"x")) == 64


def test_a_different_key_under_the_label_is_refused(token: Token) -> None:
    key = HsmKey(token.settings)
    first = key.key_id
    key.close()
    lib = pkcs11.lib(MODULE)
    with lib.get_token(token_label=token.settings.token_label).open(
        user_pin=PIN, rw=True
    ) as session:
        for obj in session.get_objects({Attribute.LABEL: "pmo-ledger"}):
            obj.destroy()
    create_hsm_key(token.settings)
    with pytest.raises(KeyUnavailableError, match=f"not the key {first}"):
        key.sign(b"x")


def test_create_hsm_key_from_the_command_line_refuses_a_second_key(
    token: Token, tmp_path: Path
) -> None:
    env = {
        "PMO_LEDGER_DATA_DIR": str(tmp_path / "cli"),
        "PMO_LEDGER_PKCS11_MODULE": MODULE,
        "PMO_LEDGER_PKCS11_TOKEN": token.settings.token_label,
        "PMO_LEDGER_PKCS11_KEY": "second",
        "PMO_LEDGER_PKCS11_PIN": PIN,
    }
    created = CliRunner().invoke(main, ["ledger", "create-hsm-key"], env=env)
    assert created.exit_code == 0, created.output
    assert "BEGIN PUBLIC KEY" in created.output
    again = CliRunner().invoke(main, ["ledger", "create-hsm-key"], env=env)
    assert again.exit_code == 1
    assert "already holds objects labelled 'second'" in again.output


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"PMO_LEDGER_PKCS11_KEY": "k", "PMO_LEDGER_PKCS11_PIN": "1"}, "TOKEN"),
        ({"PMO_LEDGER_PKCS11_TOKEN": "t", "PMO_LEDGER_PKCS11_PIN": "1"}, "KEY"),
        ({"PMO_LEDGER_PKCS11_TOKEN": "t", "PMO_LEDGER_PKCS11_KEY": "k"}, "exactly"),
        (
            {
                "PMO_LEDGER_PKCS11_TOKEN": "t",
                "PMO_LEDGER_PKCS11_KEY": "k",
                "PMO_LEDGER_PKCS11_PIN": "1",
                "PMO_LEDGER_PKCS11_PIN_FILE": "/p",
            },
            "exactly",
        ),
        (
            {
                "PMO_LEDGER_PKCS11_TOKEN": "t",
                "PMO_LEDGER_PKCS11_KEY": "k",
                "PMO_LEDGER_PKCS11_PIN": "1",
                "PMO_LEDGER_SIGNING_KEY": "/k.pem",
            },
            "exclude each other",
        ),
    ],
)
def test_an_incomplete_hsm_configuration_is_refused(
    env: dict[str, str], message: str
) -> None:
    with pytest.raises(ConfigError, match=message):
        Settings.from_env({"PMO_LEDGER_PKCS11_MODULE": MODULE, **env})


def test_the_pin_is_never_in_the_settings_repr() -> None:
    settings = Settings.from_env(
        {
            "PMO_LEDGER_PKCS11_MODULE": MODULE,
            "PMO_LEDGER_PKCS11_TOKEN": "t",
            "PMO_LEDGER_PKCS11_KEY": "k",
            "PMO_LEDGER_PKCS11_PIN": "secret-pin-97",
        }
    )
    assert settings.pkcs11 is not None and settings.pkcs11.read_pin() == "secret-pin-97"
    assert "secret-pin-97" not in repr(settings)

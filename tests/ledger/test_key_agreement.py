"""Instances sharing a database sign with the ledger's key, or not at all."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from integrity.keys import FileKey
from integrity.signer import KeyMismatchError, build_ledger_worker, latest_row
from tests.ledger.store import META, Store
from tests.ledger.test_ledger_cli import run
from usecases import integrity
from usecases.root import Services


def test_another_key_pauses_until_adopted(store: Store, tmp_path: Path) -> None:
    services, app = store.services, store.services.app
    # A second host whose key file is its own: it must not sign.
    stray = FileKey.load_or_create(tmp_path / "elsewhere" / "signing-key.pem")
    assert stray.key_id != services.ledger_key.key_id
    other = build_ledger_worker(
        services.views_engine, app.recorder, app.mapper, stray, interval=0
    )
    app.register_project("KEY-1", "Key", "d", "s", "m", META)
    other.catch_up()
    with services.views_engine.connect() as conn:
        before = latest_row(conn)
    assert other.sign_or_pause() is None
    assert other.signing is not None and other.signing.paused
    reason = other.signing.reason or ""
    assert stray.key_id in reason and services.ledger_key.key_id in reason
    assert integrity.signing_status(services).state == "paused"  # /readyz says so
    with services.views_engine.connect() as conn:
        assert latest_row(conn).head_id == before.head_id  # nothing was signed

    # The host configured with the ledger's key signs as before.
    head = store.worker.sign_now()
    assert head is not None and head.key_id == services.ledger_key.key_id

    # An operator adopts the new key (after losing the old one, say).
    exit_code, out = run(store, "ledger", "adopt-key")
    assert exit_code == 0 and services.ledger_key.key_id in out  # the CLI's own key
    adopted = integrity.adopt_ledger_key(_with_key(services, stray))
    assert adopted == stray.key_id
    app.register_project("KEY-2", "Key", "d", "s", "m", META)
    other.catch_up()
    head = other.sign_or_pause()
    assert head is not None and head.key_id == stray.key_id
    app.register_project("KEY-3", "Key", "d", "s", "m", META)
    store.worker.catch_up()
    with pytest.raises(KeyMismatchError):  # now the old key is the stray one
        store.worker.signer.sign_now()


def _with_key(services: Services, key: FileKey) -> Services:
    """The same services seen with another key (as on the host that holds it)."""
    return replace(services, ledger_key=key)

"""UI sessions live on the server: sign-out, revocation and timeouts end them."""

from __future__ import annotations

import hashlib
from typing import Any

from flask import Flask
from flask.sessions import SecureCookieSessionInterface
from sqlalchemy import select, update

from api.ui.session import load_secret_key
from api.ui.sessions import sessions
from service.domain.base import Meta
from tests.ui.conftest import Ui

COOKIE = "pmo_ui"


def signed_in_cookie(ui: Ui, role: str = "auditor") -> str:
    assert ui.sign_in(role).status_code == 302
    assert ui.client.get("/ui/").status_code == 200
    cookie = ui.client.get_cookie(COOKIE, path="/ui")
    assert cookie is not None
    return cookie.value


def opens(ui: Ui, cookie: str) -> bool:
    """Whether a browser holding this cookie gets the dashboard."""
    ui.client.set_cookie(COOKIE, cookie, path="/ui")
    return ui.client.get("/ui/").status_code == 200


def rows(ui: Ui) -> list[Any]:
    with ui.services.views_engine.connect() as conn:
        return list(conn.execute(select(sessions)).all())


def test_a_cookie_copied_before_sign_out_opens_nothing_after(ui: Ui) -> None:
    copied = signed_in_cookie(ui)
    assert len(rows(ui)) == 1
    csrf = ui.csrf("/ui/")
    assert ui.client.post("/ui/logout", data={"csrf_token": csrf}).status_code == 302
    assert rows(ui) == []
    assert not opens(ui, copied)


def test_revoking_the_token_ends_its_session_at_once(ui: Ui) -> None:
    cookie = signed_in_cookie(ui, "contributor")
    ui.services.app.revoke_token(
        ui.issued["contributor"].token_id, Meta("setup", "pmo-head")
    )
    assert not opens(ui, cookie)


def test_revoking_a_membership_ends_the_session_at_once(ui: Ui) -> None:
    subject = f"token:{ui.issued['contributor'].token_id}"
    cookie = signed_in_cookie(ui, "contributor")
    assert opens(ui, cookie)
    ui.services.app.revoke_membership(subject, None, Meta("setup", "pmo-head"))
    assert not opens(ui, cookie)
    assert rows(ui) == []
    assert ui.sign_in("contributor").status_code == 302
    assert ui.client.get("/ui/").status_code == 200


def test_lowering_a_clearance_ends_the_session_raising_does_not(ui: Ui) -> None:
    subject = f"token:{ui.issued['custodian'].token_id}"
    meta = Meta("setup", "pmo-head")
    ui.services.app.set_clearance(subject, "confidential", meta)
    cookie = signed_in_cookie(ui, "custodian")
    ui.services.app.set_clearance(subject, "restricted", meta)
    assert opens(ui, cookie)
    ui.services.app.grant_membership(subject, None, "contributor", meta)
    assert not opens(ui, cookie)
    cookie = signed_in_cookie(ui, "custodian")
    ui.services.app.set_clearance(subject, "internal", meta)
    assert not opens(ui, cookie)


def test_an_idle_session_ends(ui: Ui) -> None:
    cookie = signed_in_cookie(ui)
    idle = ui.services.settings.session_idle_seconds
    with ui.services.views_engine.begin() as conn:
        conn.execute(update(sessions).values(seen_at=sessions.c.seen_at - idle - 1))
    assert not opens(ui, cookie)
    assert rows(ui) == []


def test_a_session_ends_at_its_absolute_lifetime_though_in_use(ui: Ui) -> None:
    cookie = signed_in_cookie(ui)
    lifetime = ui.services.settings.session_lifetime_seconds
    with ui.services.views_engine.begin() as conn:
        conn.execute(
            update(sessions).values(started_at=sessions.c.started_at - lifetime - 1)
        )
    assert not opens(ui, cookie)


def test_a_session_in_use_stays_and_its_id_is_kept_only_hashed(ui: Ui) -> None:
    cookie = signed_in_cookie(ui)
    assert opens(ui, cookie) and opens(ui, cookie)
    reader = Flask(__name__)
    reader.secret_key = load_secret_key(ui.services.settings.data_dir)
    serializer = SecureCookieSessionInterface().get_signing_serializer(reader)
    assert serializer is not None
    session_id = serializer.loads(cookie)["sid"]
    [row] = rows(ui)
    assert session_id not in str(tuple(row))
    assert row.id_hash == hashlib.sha256(session_id.encode()).hexdigest()

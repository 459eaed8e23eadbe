"""Sign-in with an access token, a session cookie, CSRF tokens and sign-out.

The cookie holds only the token's id and the CSRF token (signed, not secret);
every request loads the token again, so revoking it ends the session at once.
"""

from __future__ import annotations

import hmac
import os
import secrets
from pathlib import Path

from flask import Flask, abort, flash, g, redirect, request, session, url_for
from flask.sessions import SecureCookieSessionInterface
from werkzeug.wrappers import Response

from api.ui.common import blueprint, page, services
from service.application import Principal
from service.errors import AuthenticationError
from usecases import access

OPEN_ENDPOINTS = frozenset({"ui.login", "ui.static"})
SECRET_FILE = "ui-session-key"  # noqa: S105 (a file name, not a secret)


class SessionInterface(SecureCookieSessionInterface):
    """The signed cookie session, marked Secure whenever the request came over TLS."""

    def get_cookie_secure(self, app: Flask) -> bool:
        """Secure when served over HTTPS (directly or via a trusted proxy)."""
        return request.is_secure


def load_secret_key(data_dir: Path) -> bytes:
    """The session signing key: a random file in the data dir, made once (0600)."""
    path = data_dir / SECRET_FILE
    if not path.exists():
        data_dir.mkdir(parents=True, exist_ok=True)
        partial = data_dir / f".{SECRET_FILE}.{os.getpid()}.{secrets.token_hex(4)}"
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_hex(32))
        try:
            os.link(partial, path)  # atomic: the first worker to start wins
        except FileExistsError:
            pass
        finally:
            partial.unlink()
    return bytes.fromhex(path.read_text().strip())


def csrf_token() -> str:
    """This session's CSRF token (made on first use)."""
    if "csrf" not in session:
        session["csrf"] = secrets.token_urlsafe(32)
    value: str = session["csrf"]
    return value


def check_csrf() -> None:
    """Refuse a POST whose form does not carry this session's CSRF token."""
    if request.method != "POST":
        return
    sent = request.form.get("csrf_token", "")
    expected = session.get("csrf", "")
    if not expected or not hmac.compare_digest(sent.encode(), expected.encode()):
        abort(403, "the form has expired or did not come from this site; try again")


def _signed_in() -> Principal | None:
    token_id = session.get("token_id")
    if token_id is None:
        return None
    return access.session_principal(services(), access.SessionQuery(str(token_id)))


def require_session() -> Response | None:
    """Load the caller for every page but sign-in; send strangers to sign in."""
    if request.endpoint in OPEN_ENDPOINTS:
        return None
    found = _signed_in()
    if found is None:
        if "token_id" in session:
            session.clear()
            flash("Your session has ended (the token is no longer valid).")
        return redirect(url_for("ui.login", next=request.full_path.rstrip("?")))
    g.principal = found
    return None


def _safe_next(target: str | None) -> str:
    # Only paths inside the UI: never an absolute or scheme-relative URL.
    if target and target.startswith("/") and not target.startswith("//"):
        return request.script_root + target
    return url_for("ui.dashboard")


@blueprint.route("/login", methods=["GET", "POST"])
def login() -> Response | tuple[str, int] | str:
    """Exchange an access token for a session."""
    if request.method == "GET":
        return page("login.html", next=request.args.get("next", ""))
    secret = request.form.get("token", "").strip()
    try:
        found = access.authenticate(services(), access.Authenticate(secret))
    except AuthenticationError:
        return page("login.html", error="That token is not valid.", next=""), 401
    session.clear()
    session["token_id"] = str(found.token_id)
    session["csrf"] = secrets.token_urlsafe(32)
    return redirect(_safe_next(request.form.get("next")))


@blueprint.route("/logout", methods=["POST"])
def logout() -> Response:
    """End the session."""
    session.clear()
    flash("You have signed out.")
    return redirect(url_for("ui.login"))


def init_app(app: Flask, data_dir: Path) -> None:
    """Cookie settings, the signing key, and the per-request checks."""
    app.secret_key = load_secret_key(data_dir)
    app.session_interface = SessionInterface()
    app.config.update(
        SESSION_COOKIE_NAME="pmo_ui",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Strict",
        SESSION_COOKIE_PATH="/ui",
    )
    app.before_request(check_csrf)
    app.before_request(require_session)
    app.jinja_env.globals["csrf_token"] = csrf_token

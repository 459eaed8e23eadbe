"""Sign-in with an access token, a server-side session, CSRF tokens and sign-out.

The signed cookie holds the session id and the CSRF token; the session itself
is a row (api/ui/sessions.py) that sign-out deletes and the idle and absolute
timeouts end. Every request loads the session's token again, so revoking it
ends the session at once; so does revoking a membership or lowering the
clearance of its person (the cookie keeps how often that had happened).
"""

from __future__ import annotations

import hmac
import os
import secrets
from pathlib import Path
from typing import Any

from flask import (
    Flask,
    abort,
    current_app,
    flash,
    g,
    redirect,
    request,
    session,
    url_for,
)
from flask.sessions import SecureCookieSessionInterface
from werkzeug.wrappers import Response

from api.access import scope_request
from api.auth import checked
from api.errors import ApiError
from api.throttle import Throttle
from api.ui import sso
from api.ui.common import blueprint, page, services
from api.ui.sessions import Sessions
from service.application import Principal
from service.errors import AuthenticationError
from usecases import access
from usecases.membership import reach_of
from usecases.root import Services

OPEN_ENDPOINTS = frozenset({"ui.login", "ui.static"}) | sso.OPEN_ENDPOINTS
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


FORM_OVERHEAD = 64 * 1024
IMPORT_LIMIT = 16 * 1024 * 1024
"""The largest CSV file the UI imports (a preview holds its rows in memory, and
the confirm form carries it back); larger ones go through `pmo-ledger import`."""


def check_csrf() -> None:
    """Refuse a POST whose form does not carry this session's CSRF token."""
    if request.method != "POST":
        return
    # Forms that carry a file may be larger than the UI's 64 KiB, up to their limit.
    if request.endpoint == "ui.upload_version":
        limit = services().settings.upload_limit + FORM_OVERHEAD
        request.max_content_length = limit
    elif request.endpoint == "ui.import_rows":  # base64 in the confirm form: 4/3
        request.max_content_length = 2 * IMPORT_LIMIT
        request.max_form_memory_size = 2 * IMPORT_LIMIT
    sent = request.form.get("csrf_token", "")
    expected = session.get("csrf", "")
    if not expected or not hmac.compare_digest(sent.encode(), expected.encode()):
        abort(403, "the form has expired or did not come from this site; try again")


def store() -> Sessions:
    """The server-side session table."""
    store: Sessions = current_app.config["PMO_SESSIONS"]
    return store


def _signed_in() -> Principal | None:
    session_id = session.get("sid")
    if session_id is None:
        return None
    token_id = store().token_of(str(session_id))
    if token_id is None:
        return None
    if "sso" in session:
        return sso.session_person(token_id)
    return access.session_principal(services(), access.SessionQuery(token_id))


def require_session() -> Response | None:
    """Load the caller for every page but sign-in; send strangers to sign in."""
    if request.endpoint in OPEN_ENDPOINTS:
        return None
    found = _signed_in()
    if found is None:
        if "sid" in session:
            session.clear()
            flash("Your session has ended; sign in again.")
        return redirect(url_for("ui.login", next=request.full_path.rstrip("?")))
    if reach_of(services(), found).narrowed > session.get("narrowed", 0):
        # A membership revoked or a clearance lowered since sign-in: what this
        # session showed may no longer be theirs to see, so it ends now.
        store().end(str(session["sid"]))
        session.clear()
        flash("Your access has changed; sign in again.")
        return redirect(url_for("ui.login"))
    g.principal = scope_request(found)
    return None


def _safe_next(target: str | None) -> str:
    # Only paths inside the UI: never an absolute or scheme-relative URL.
    if target and target.startswith("/") and not target.startswith("//"):
        return request.script_root + target
    return url_for("ui.dashboard")


@blueprint.route("/login", methods=["GET", "POST"])
def login() -> Response | tuple[str, int] | tuple[str, int, Any] | str:
    """Exchange an access token for a session."""
    if request.method == "GET":
        return page("login.html", next=request.args.get("next", ""))
    secret = request.form.get("token", "").strip()
    throttle: Throttle = current_app.config["PMO_THROTTLE"]
    try:
        found = checked(throttle, secret)
    except ApiError as error:
        return page("login.html", error=error.detail, next=""), 429, error.headers
    except AuthenticationError:
        return page("login.html", error="That token is not valid.", next=""), 401
    session.clear()
    session["sid"] = store().start(str(found.token_id))
    session["csrf"] = secrets.token_urlsafe(32)
    session["narrowed"] = reach_of(services(), found).narrowed
    return redirect(_safe_next(request.form.get("next")))


@blueprint.route("/logout", methods=["POST"])
def logout() -> Response:
    """End the session, here and on the server: its cookie opens nothing more."""
    session_id = session.get("sid")
    if session_id is not None:
        store().end(str(session_id))
    session.clear()
    flash("You have signed out.")
    return redirect(url_for("ui.login"))


def init_app(app: Flask, services: Services, throttle: Throttle) -> None:
    """Cookie settings, the signing key, the session store, the per-request checks."""
    settings = services.settings
    app.secret_key = load_secret_key(settings.data_dir)
    app.config["PMO_SESSIONS"] = Sessions(
        services.views_engine,
        settings.session_idle_seconds,
        settings.session_lifetime_seconds,
    )
    app.config["PMO_THROTTLE"] = throttle
    sso.init_app(app, services)
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

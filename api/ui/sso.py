"""Sign-in through the organisation's identity provider: the authorization code
flow with PKCE (Authlib), then the same server-side session as a token's."""

from __future__ import annotations

import secrets
from typing import Any

from authlib.integrations.base_client.errors import OAuthError
from authlib.integrations.flask_client import OAuth
from flask import Flask, abort, current_app, redirect, session, url_for
from joserfc.errors import JoseError
from werkzeug.wrappers import Response

from api import oidc
from api.ui.common import blueprint, page, services
from api.ui.sessions import Sessions
from service.application import Principal
from service.errors import AuthenticationError
from usecases.membership import reach_of
from usecases.sign_on import external_principal

OPEN_ENDPOINTS = frozenset({"ui.sso_login", "ui.sso_callback"})


def _client() -> Any:
    oauth: OAuth | None = current_app.extensions.get(
        "authlib.integrations.flask_client"
    )
    if oauth is None:
        abort(404)
    return oauth.create_client("idp")


@blueprint.get("/sso")
def sso_login() -> Response:
    """Send the browser to the identity provider (state, nonce and PKCE kept in
    the signed cookie until it comes back)."""
    response: Response = _client().authorize_redirect(
        url_for("ui.sso_callback", _external=True)
    )
    return response


@blueprint.get("/sso/callback")
def sso_callback() -> Response | tuple[str, int]:
    """Exchange the code, check the ID token, map the groups, start a session."""
    sso = oidc.current()
    client = _client()
    if sso is None:
        abort(404)
    try:
        token = client.authorize_access_token()
        claims = token.get("userinfo") or {}
        if "sub" not in claims:
            raise AuthenticationError("the identity provider sent no ID token")
        found = sso.signed_on(services(), dict(claims))
    except (OAuthError, JoseError, ValueError) as error:
        return page("login.html", error=f"Sign-in refused: {error}", next=""), 401
    except AuthenticationError as error:
        return page("login.html", error=str(error), next=""), 401
    start(found)
    return redirect(url_for("ui.dashboard"))


def start(found: Principal) -> None:
    """A fresh session for someone of the identity provider."""
    sessions: Sessions = current_app.config["PMO_SESSIONS"]
    session.clear()
    session["sid"] = sessions.start(str(found.token_id))
    session["sso"] = {"subject": found.external, "name": found.name, "role": found.role}
    session["csrf"] = secrets.token_urlsafe(32)
    session["narrowed"] = reach_of(services(), found).narrowed


def session_person(token_id: str) -> Principal | None:
    """The person a single sign-on session belongs to (its row must match)."""
    person = session.get("sso")
    if person is None:
        return None
    subject = str(person["subject"]).removeprefix("oidc:")
    found = external_principal(subject, person["name"], person["role"])
    return found if str(found.token_id) == token_id else None


def init_app(app: Flask, services_: Any) -> None:
    """Register the provider with Authlib when single sign-on is configured."""
    sso = oidc.init_app(app, services_)
    if sso is None:
        return
    oauth = OAuth(app)
    config = sso.config
    oauth.register(
        "idp",
        client_id=config.client_id,
        client_secret=config.client_secret,
        server_metadata_url=sso.metadata_url,
        client_kwargs={"scope": config.scopes, "code_challenge_method": "S256"},
    )

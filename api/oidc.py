"""OpenID Connect: the identity provider's keys and its JWT access tokens.

The UI's sign-in (authorization code flow with PKCE) is in api/ui/sso.py; API
clients keep bearer tokens and, where `api_audience` is configured, may send
the provider's JWT access tokens instead, verified here against its JWKS.
"""

from __future__ import annotations

import threading
import time
from typing import Any

import requests
from flask import Flask, current_app, g
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

from service.application import Principal
from service.domain.base import Meta
from service.errors import AuthenticationError
from usecases.root import Services
from usecases.sign_on import SignOn, SignOnConfig, sign_on

ALGORITHMS = ["RS256", "PS256", "ES256", "EdDSA"]
KEYS_MAX_AGE = 3600.0
KEYS_MIN_REFETCH = 30.0
"""An unknown key id refetches the keys (rotation), at most this often."""
TIMEOUT = 10.0
LEEWAY = 5
"""Seconds of clock difference with the provider tolerated on exp, nbf and iat."""


class SingleSignOn:
    """The configured identity provider: its metadata, keys and access tokens."""

    def __init__(self, config: SignOnConfig) -> None:
        self.config = config
        self._lock = threading.Lock()
        self._metadata: dict[str, Any] | None = None
        self._keys: KeySet | None = None
        self._keys_at = 0.0

    @property
    def metadata_url(self) -> str:
        """Where the provider publishes its OpenID configuration."""
        return f"{self.config.issuer}/.well-known/openid-configuration"

    def metadata(self) -> dict[str, Any]:
        """The provider's OpenID configuration (fetched once)."""
        if self._metadata is None:
            self._metadata = _fetch(self.metadata_url)
        return self._metadata

    def key_set(self, *, refresh: bool = False) -> KeySet:
        """The provider's signing keys, refetched hourly or on an unknown key."""
        with self._lock:
            age = time.monotonic() - self._keys_at
            stale = age > KEYS_MAX_AGE or (refresh and age > KEYS_MIN_REFETCH)
            if self._keys is None or stale:
                self._keys = KeySet.import_key_set(
                    _fetch(self.metadata()["jwks_uri"])  # type: ignore[arg-type]
                )
                self._keys_at = time.monotonic()
            return self._keys

    def accepts_access_tokens(self) -> bool:
        """Whether the API takes the provider's access tokens (an audience is set)."""
        return self.config.api_audience is not None

    def claims(self, token: str) -> dict[str, Any]:
        """The verified claims of an access token: signature, issuer, audience,
        expiry; AuthenticationError otherwise."""
        try:
            try:
                decoded = jwt.decode(token, self.key_set(), algorithms=ALGORITHMS)
            except JoseError:
                keys = self.key_set(refresh=True)
                decoded = jwt.decode(token, keys, algorithms=ALGORITHMS)
            jwt.JWTClaimsRegistry(
                leeway=LEEWAY,
                iss={"essential": True, "value": self.config.issuer},
                aud={"essential": True, "value": self.config.api_audience or ""},
                sub={"essential": True},
                exp={"essential": True},
            ).validate(decoded.claims)
        except (JoseError, ValueError) as error:
            raise AuthenticationError(f"access token refused: {error}") from None
        except requests.RequestException:
            raise AuthenticationError(
                "the identity provider's keys could not be fetched"
            ) from None
        return dict(decoded.claims)

    def principal(self, services: Services, token: str) -> Principal:
        """The caller an access token names, memberships aligned with its groups."""
        claims = self.claims(token)
        return self.signed_on(services, claims)

    def signed_on(self, services: Services, claims: dict[str, Any]) -> Principal:
        """The caller verified claims name (from an access token or an ID token)."""
        groups = claims.get(self.config.groups_claim) or []
        if isinstance(groups, str):
            groups = [groups]
        subject = str(claims["sub"])
        name = str(claims.get("name") or claims.get("preferred_username") or subject)
        person = SignOn(subject, name, tuple(str(group) for group in groups))
        # The person signing on is the actor, so the name is sealed under
        # their account's key (erasable with it), not written into free text.
        meta = Meta(
            name,
            "pmo-head",
            f"sign-on; groups at {self.config.issuer}: "
            f"{', '.join(person.groups) or 'none'}",
            g.get("request_id"),
        )
        return sign_on(services, self.config, person, meta)


def looks_like_jwt(secret: str) -> bool:
    """Whether a bearer secret is a compact JWS rather than one of our tokens."""
    return secret.startswith("eyJ") and secret.count(".") == 2


def current() -> SingleSignOn | None:
    """The app's single sign-on, when configured."""
    found: SingleSignOn | None = current_app.config.get("PMO_SSO")
    return found


def init_app(app: Flask, services: Services) -> SingleSignOn | None:
    """Configure single sign-on from PMO_LEDGER_OIDC_CONFIG, if set."""
    path = services.settings.oidc_config
    sso = None if path is None else SingleSignOn(SignOnConfig.load(path))
    app.config["PMO_SSO"] = sso
    return sso


def _fetch(url: str) -> dict[str, Any]:
    response = requests.get(url, timeout=TIMEOUT)
    response.raise_for_status()
    found: dict[str, Any] = response.json()
    return found

"""The ledger key inside a PKCS#11 token (an HSM): it signs there and never leaves.

Ed25519 through CKM_EDDSA (PKCS#11 3.0; SoftHSM2 2.6 has it), so heads,
checkpoints and packs stay the same bytes whichever key signs them. Every
failure to reach the token, log in, find the key or sign becomes
`KeyUnavailableError`; the next use reconnects, initialising the module
again so that it rescans its slots (a token plugged back, a network HSM
restarted).
"""

from __future__ import annotations

import contextlib
import threading
from typing import Final

import pkcs11
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from pkcs11 import Attribute, KeyType, Mechanism, ObjectClass
from pkcs11.exceptions import (
    NoSuchKey,
    NoSuchToken,
    PinExpired,
    PinIncorrect,
    PinInvalid,
    PinLenRange,
    PinLocked,
    PKCS11Error,
    UserAlreadyLoggedIn,
)
from pkcs11.types import Session, SignMixin
from pkcs11.util.ec import encode_named_curve_parameters

from integrity.signing import KeyUnavailableError, key_id
from service.config import ConfigError, Pkcs11Settings

ED25519_OID: Final = "1.3.101.112"
_PIN_REFUSED: Final = (PinIncorrect, PinInvalid, PinLenRange, PinExpired, PinLocked)


class HsmKey:
    """A LedgerKey whose private half is a non-extractable object in a token."""

    _shared: dict[Pkcs11Settings, HsmKey] = {}
    _shared_lock = threading.Lock()

    def __init__(self, settings: Pkcs11Settings) -> None:
        self.settings = settings
        self._lock = threading.Lock()
        self._session: Session | None = None
        self._private: SignMixin | None = None
        self._public: Ed25519PublicKey | None = None
        # The module is loaded once per process and only sees tokens that were
        # there when it was initialised, so every (re)connection starts afresh.
        self._reinitialise = True
        self._refused_pin: str | None = None

    @classmethod
    def shared(cls, settings: Pkcs11Settings) -> HsmKey:
        """One key object per configuration and process.

        Initialising the module again closes every session it has open, so
        the users of one token in a process share one session and one lock.
        """
        with cls._shared_lock:
            found = cls._shared.get(settings)
            if found is None:
                found = cls._shared[settings] = cls(settings)
            return found

    @property
    def where(self) -> str:
        """Token and key label (the PIN is never shown)."""
        s = self.settings
        return f"key {s.key_label!r} in PKCS#11 token {s.token_label!r} ({s.module})"

    def sign(self, data: bytes) -> bytes:
        """Sign in the token with CKM_EDDSA."""
        with self._lock:
            private = self._connect()
            try:
                return bytes(private.sign(data, mechanism=Mechanism.EDDSA))
            except PKCS11Error as error:
                self._drop()
                raise KeyUnavailableError(self._why(error)) from None

    def public_key(self) -> Ed25519PublicKey:
        """The public key, read from the token once and then pinned."""
        with self._lock:
            if self._public is None:
                self._connect()
            assert self._public is not None
            return self._public

    @property
    def key_id(self) -> str:
        """The key id of the token's public key."""
        return key_id(self.public_key())

    def close(self) -> None:
        """Close the session (the next use opens a new one)."""
        with self._lock:
            self._drop()

    def _connect(self) -> SignMixin:
        if self._private is None:
            try:
                self._open()
            except KeyUnavailableError:
                self._reinitialise = True
                raise
        assert self._private is not None
        return self._private

    def _open(self) -> None:
        s = self.settings
        try:
            pin = s.read_pin()
            if pin == self._refused_pin:
                # Trying a refused PIN again would count towards locking it.
                raise KeyUnavailableError(
                    f"{self.where}: the PIN was refused; not tried again until "
                    "it changes"
                )
            lib = pkcs11.lib(s.module)
            if self._reinitialise:
                lib.reinitialize()
                self._reinitialise = False
            token = lib.get_token(token_label=s.token_label)
            try:
                session = token.open(user_pin=pin)
            except UserAlreadyLoggedIn:
                # Login is per process: another session of ours logged in.
                session = token.open()
        except ConfigError as error:
            raise KeyUnavailableError(str(error)) from None
        except _PIN_REFUSED as error:
            self._refused_pin = pin
            raise KeyUnavailableError(self._why(error)) from None
        except PKCS11Error as error:
            raise KeyUnavailableError(self._why(error)) from None
        try:
            private = session.get_key(
                ObjectClass.PRIVATE_KEY, KeyType.EC_EDWARDS, label=s.key_label
            )
            public = session.get_key(
                ObjectClass.PUBLIC_KEY, KeyType.EC_EDWARDS, label=s.key_label
            )
            found = _ed25519_public(bytes(public[Attribute.EC_POINT]))
            if not isinstance(private, SignMixin):
                raise ValueError(f"the key labelled {s.key_label!r} cannot sign")
        except (PKCS11Error, ValueError) as error:
            _close_quietly(session)
            raise KeyUnavailableError(self._why(error)) from None
        if self._public is not None and key_id(found) != key_id(self._public):
            _close_quietly(session)
            raise KeyUnavailableError(
                f"{self.where} is now key {key_id(found)}, not the key "
                f"{key_id(self._public)} this process started with; restart to "
                "sign with the new key"
            )
        self._session, self._private, self._public = session, private, found

    def _drop(self) -> None:
        if self._session is not None:
            _close_quietly(self._session)
        self._session = self._private = None
        self._reinitialise = True

    def _why(self, error: Exception) -> str:
        s = self.settings
        if isinstance(error, NoSuchToken):
            return f"no PKCS#11 token labelled {s.token_label!r} ({s.module})"
        if isinstance(error, NoSuchKey):
            return f"no Ed25519 key labelled {s.key_label!r} in {s.token_label!r}"
        if isinstance(error, _PIN_REFUSED):
            return f"{self.where}: the PIN was refused ({type(error).__name__})"
        detail = str(error).strip() or type(error).__name__
        return f"{self.where} is unavailable: {detail}"


def create_hsm_key(settings: Pkcs11Settings) -> Ed25519PublicKey:
    """Generate the ledger key in the token: sensitive, never extractable.

    Refuses when a key with the label exists (a second key under one label
    would make the signer's choice arbitrary).
    """
    try:
        token = pkcs11.lib(settings.module).get_token(token_label=settings.token_label)
        with token.open(user_pin=settings.read_pin(), rw=True) as session:
            if list(session.get_objects({Attribute.LABEL: settings.key_label})):
                raise KeyUnavailableError(
                    f"token {settings.token_label!r} already holds objects "
                    f"labelled {settings.key_label!r}"
                )
            public, _private = session.generate_keypair(
                KeyType.EC_EDWARDS,
                mechanism=Mechanism.EC_EDWARDS_KEY_PAIR_GEN,
                store=True,
                public_template={
                    Attribute.EC_PARAMS: encode_named_curve_parameters(ED25519_OID),
                    Attribute.LABEL: settings.key_label,
                    Attribute.TOKEN: True,
                    Attribute.VERIFY: True,
                },
                private_template={
                    Attribute.LABEL: settings.key_label,
                    Attribute.TOKEN: True,
                    Attribute.PRIVATE: True,
                    Attribute.SENSITIVE: True,
                    Attribute.EXTRACTABLE: False,
                    Attribute.SIGN: True,
                },
            )
            return _ed25519_public(bytes(public[Attribute.EC_POINT]))
    except (PKCS11Error, ValueError) as error:
        raise KeyUnavailableError(f"cannot create the key: {error!r}") from None


def _ed25519_public(point: bytes) -> Ed25519PublicKey:
    """CKA_EC_POINT: a DER OCTET STRING of the 32 bytes (some tokens give them raw)."""
    if len(point) == 34 and point[:2] == b"\x04\x20":
        point = point[2:]
    if len(point) != 32:
        raise ValueError(f"not an Ed25519 public key ({len(point)} bytes)")
    return Ed25519PublicKey.from_public_bytes(point)


def _close_quietly(session: Session) -> None:
    # A token that is already gone has nothing left to close.
    with contextlib.suppress(PKCS11Error):
        session.close()

"""Webhook targets: refused when they resolve to a private or special address.

The check runs when a subscription is created and again on every delivery,
and the request then goes to the very address that was checked, so a name
that resolves elsewhere later (DNS rebinding) cannot reach an internal host.
Redirects are never followed.
"""

from __future__ import annotations

import http.client
import ipaddress
import socket
import ssl
from collections.abc import Sequence
from urllib.parse import urlsplit

from feed.config import Network

Address = ipaddress.IPv4Address | ipaddress.IPv6Address


class TargetRefusedError(ValueError):
    """A target URL that may not be called."""


def refused_reason(address: Address, allowed: Sequence[Network]) -> str | None:
    """Why an address may not be a target (None: it may)."""
    if any(address in network for network in allowed):
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        return refused_reason(address.ipv4_mapped, allowed)
    for flag in (
        "is_loopback",
        "is_private",
        "is_link_local",
        "is_multicast",
        "is_reserved",
        "is_unspecified",
    ):
        if getattr(address, flag):
            return f"{address} is {flag.removeprefix('is_').replace('_', '-')}"
    if not address.is_global:
        return f"{address} is not a global address"
    return None


def resolve(url: str, allowed: Sequence[Network]) -> Address:
    """The address to connect to for a URL, or TargetRefusedError.

    Every address the name resolves to must be allowed: one bad answer in a
    round-robin set could be picked next time.
    """
    parts = urlsplit(url)
    host = parts.hostname
    if parts.scheme not in ("http", "https") or not host:
        raise TargetRefusedError("only absolute http and https URLs can be targets")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        raise TargetRefusedError("the URL's port is not valid") from None
    try:
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as error:
        raise TargetRefusedError(f"{host} does not resolve: {error}") from None
    addresses = [ipaddress.ip_address(str(info[4][0]).split("%")[0]) for info in found]
    for address in addresses:
        reason = refused_reason(address, allowed)
        if reason is not None:
            raise TargetRefusedError(f"{host} resolves to a refused address: {reason}")
    if not addresses:
        raise TargetRefusedError(f"{host} does not resolve")
    return addresses[0]


def post(
    url: str,
    body: bytes,
    headers: dict[str, str],
    allowed: Sequence[Network],
    timeout: float,
) -> int:
    """POST to a checked address; the response status (OSError if unreachable)."""
    parts = urlsplit(url)
    address = resolve(url, allowed)
    conn = _connection(parts.scheme, parts.hostname or "", parts.port, address, timeout)
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    try:
        conn.request("POST", path, body=body, headers=headers)
        response = conn.getresponse()
        response.read(64 * 1024)  # the answer's body is not used
        return response.status
    finally:
        conn.close()


def _connection(
    scheme: str, host: str, port: int | None, address: Address, timeout: float
) -> http.client.HTTPConnection:
    if scheme == "https":
        return _PinnedHTTPS(host, port, address, timeout)
    return _PinnedHTTP(host, port, address, timeout)


class _PinnedHTTP(http.client.HTTPConnection):
    """Connects to the checked address; the Host header keeps the name."""

    def __init__(
        self, host: str, port: int | None, address: Address, timeout: float
    ) -> None:
        super().__init__(host, port, timeout=timeout)
        self.address = address

    def connect(self) -> None:
        """Open the socket to the pinned address."""
        self.sock = socket.create_connection(
            (str(self.address), self.port), self.timeout
        )


class _PinnedHTTPS(http.client.HTTPSConnection):
    """TLS to the checked address, verifying the certificate for the name."""

    def __init__(
        self, host: str, port: int | None, address: Address, timeout: float
    ) -> None:
        super().__init__(
            host, port, timeout=timeout, context=ssl.create_default_context()
        )
        self.address = address

    def connect(self) -> None:
        """Open the socket to the pinned address, then TLS for the host name."""
        sock = socket.create_connection((str(self.address), self.port), self.timeout)
        self.sock = self._context.wrap_socket(  # type: ignore[attr-defined]
            sock, server_hostname=self.host
        )

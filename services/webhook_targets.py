"""Which URLs a webhook may target: public HTTP(S) hosts only, unless allowed otherwise.

Contract:

* :func:`check_url` validates the form: ``http`` or ``https``, a host, no user info, at
  most :data:`MAX_URL_LENGTH` characters.  It raises :class:`TargetRefused`.
* :func:`resolve_public` resolves the host (without blocking the event loop) and checks
  **every** address: any loopback, private, link-local, multicast, reserved, unspecified
  or otherwise non-global address (IPv4-mapped IPv6 judged by its IPv4 address) refuses
  the target, unless ``allow_private``.  It returns the checked addresses; the delivery
  then connects to one of those very addresses (the Host header and TLS server name keep
  the URL's host), so a name that resolves differently later (DNS rebinding) cannot
  redirect a delivery to a refused address.  It is called when a webhook is created or
  its URL changes, and again before every delivery attempt.
"""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import SplitResult, urlsplit

import trio

MAX_URL_LENGTH = 2048

IpAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


class TargetRefused(ValueError):
    """The URL may not be a webhook target; ``str(error)`` says why (safe to show)."""


def check_url(url: str) -> SplitResult:
    """The parsed URL when its form is acceptable (see the module docstring)."""
    if len(url) > MAX_URL_LENGTH:
        raise TargetRefused(f"the URL is longer than {MAX_URL_LENGTH} characters")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise TargetRefused("the URL cannot be parsed") from None
    if parts.scheme not in ("http", "https"):
        raise TargetRefused("the URL must start with http:// or https://")
    if not parts.hostname:
        raise TargetRefused("the URL has no host")
    if parts.username is not None or parts.password is not None:
        raise TargetRefused("the URL may not carry user info")
    if port == 0:
        raise TargetRefused("the URL's port is invalid")
    return parts


def is_public(address: IpAddress) -> bool:
    """Whether ``address`` is a globally routable unicast address."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return address.is_global and not (
        address.is_multicast or address.is_reserved or address.is_unspecified
    )


async def resolve_public(url: str, *, allow_private: bool) -> list[IpAddress]:
    """The addresses of ``url``'s host, all of them allowed; :class:`TargetRefused` when
    the host does not resolve or any address is refused."""
    parts = check_url(url)
    host = parts.hostname
    assert host is not None
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        literal: IpAddress | None = ipaddress.ip_address(host)
    except ValueError:
        literal = None
    if literal is not None:
        found = [literal]
    else:
        try:
            infos = await trio.socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except OSError:
            raise TargetRefused("the URL's host does not resolve") from None
        found = []
        for info in infos:
            address = ipaddress.ip_address(str(info[4][0]).split("%")[0])
            if address not in found:
                found.append(address)
        if not found:
            raise TargetRefused("the URL's host does not resolve")
    if not allow_private:
        for address in found:
            if not is_public(address):
                raise TargetRefused(
                    "the URL's host is a loopback, private, link-local or other "
                    "non-public address"
                )
    return found

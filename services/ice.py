"""ICE server configuration for WebRTC calls, with time-limited TURN credentials.

Contract: :func:`ice_servers` returns the configured STUN/TURN URLs as RTCIceServer-like
entries.  When a TURN secret is set, ``turn:``/``turns:`` URLs carry credentials of the
standard TURN REST-API scheme (as coturn's ``use-auth-secret``): ``username`` is
``"<expiry unix seconds>:<user_id>"`` and ``credential`` is
``base64(HMAC-SHA1(secret, username))``, valid for ``lifetime`` seconds.  Without a secret
TURN URLs are served without credentials.  Nothing here contacts any server.
"""

from __future__ import annotations

import base64
import hashlib
import hmac

import msgspec

TURN_CREDENTIAL_LIFETIME = 3600
"""Seconds a TURN credential stays valid."""


class IceServer(msgspec.Struct, frozen=True, kw_only=True):
    """One entry of ``RTCConfiguration.iceServers``."""

    urls: list[str]
    username: str | None = None
    credential: str | None = None


def turn_credential(secret: str, user_id: str, *, expires_at: int) -> tuple[str, str]:
    """The TURN REST-API ``(username, credential)`` for ``user_id`` until ``expires_at``."""
    username = f"{expires_at}:{user_id}"
    digest = hmac.new(secret.encode(), username.encode(), hashlib.sha1).digest()
    return username, base64.b64encode(digest).decode("ascii")


def ice_servers(
    urls: tuple[str, ...],
    *,
    user_id: str,
    turn_secret: str | None,
    now: float,
    lifetime: int = TURN_CREDENTIAL_LIFETIME,
) -> list[IceServer]:
    """STUN URLs in one entry, TURN URLs in another (with credentials when possible)."""
    stun = [url for url in urls if url.startswith(("stun:", "stuns:"))]
    turn = [url for url in urls if url.startswith(("turn:", "turns:"))]
    servers: list[IceServer] = []
    if stun:
        servers.append(IceServer(urls=stun))
    if turn and turn_secret is not None:
        username, credential = turn_credential(turn_secret, user_id, expires_at=int(now) + lifetime)
        servers.append(IceServer(urls=turn, username=username, credential=credential))
    elif turn:
        servers.append(IceServer(urls=turn))
    return servers

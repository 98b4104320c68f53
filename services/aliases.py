"""Per-topic anonymous aliases.

A user posting anonymously in a topic appears as ``anon-`` followed by 12 hex digits of
an HMAC-SHA256 of ``topic_id`` and ``user_id`` under a key derived from the server's
secret.  The alias is stable within a topic (a thread can follow one anonymous voice),
differs between topics (aliases cannot be linked across topics), and cannot be turned
back into a user id without the key.  Each post or comment stores the alias it was
written under, so rotating the secret changes only future aliases.
"""

from __future__ import annotations

import hashlib
import hmac

ALIAS_PREFIX = "anon-"
_ALIAS_HEX_DIGITS = 12
_KEY_PURPOSE = b"topicsflow.anonymous-alias.v1"


class AliasMaker:
    """Derives aliases from one secret; holds only the derived key."""

    __slots__ = ("_key",)

    def __init__(self, secret: str | bytes) -> None:
        if not secret:
            raise ValueError("anonymous aliases need a non-empty secret")
        raw = secret.encode() if isinstance(secret, str) else secret
        self._key = hmac.new(raw, _KEY_PURPOSE, hashlib.sha256).digest()

    def alias(self, topic_id: str, user_id: str) -> str:
        """The alias of ``user_id`` in ``topic_id``."""
        digest = hmac.new(self._key, f"{topic_id}\x00{user_id}".encode(), hashlib.sha256)
        return ALIAS_PREFIX + digest.hexdigest()[:_ALIAS_HEX_DIGITS]

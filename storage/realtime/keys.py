"""Cache key construction shared by the Redis cache and its twin."""

from __future__ import annotations

from collections.abc import Sequence

import msgspec

from storage.realtime.protocols import KeyPart


def _part(value: KeyPart) -> str:
    return msgspec.json.encode(value).decode().replace("%", "%25").replace(":", "%3A")


def cache_key(prefix: str, parts: Sequence[KeyPart]) -> str:
    """``prefix:cache:part1:part2…``: each part JSON-encoded with ``:`` escaped.

    So ``1`` and ``"1"`` differ, and a part containing ``:`` cannot imitate two parts.
    """
    if not parts:
        raise ValueError("a cache key needs at least one part")
    return ":".join([prefix, "cache", *(_part(part) for part in parts)])


def tag_key(prefix: str, tag: str) -> str:
    return f"{prefix}:tag:{tag}"

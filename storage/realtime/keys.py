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


def slot_key(prefix: str, group: str, *parts: str) -> str:
    """``prefix:{group}:part…``: every key of ``group`` carries the Redis Cluster hash tag
    ``{group}``, so the keys one Lua script touches together live in one slot (and on one
    shard).  ``prefix`` must not contain braces, or its own would be the tag."""
    if "{" in prefix or "}" in prefix:
        raise ValueError("the Redis key prefix must not contain '{' or '}'")
    return ":".join([prefix, f"{{{group}}}", *parts])

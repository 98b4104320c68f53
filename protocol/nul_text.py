"""U+0000 (NUL) is refused in every string a client sends.

PostgreSQL cannot keep U+0000 in text or JSONB, so a Mongo-wire store on it (FerretDB
on PostgreSQL, the test server and a common deployment) fails the write; C strings,
terminals and many clients cut text at it; no person types it.  Rather than store it on
some backends and fail on others, both ingress points refuse it as ``invalid`` before
any handler runs: REST bodies (:mod:`http_facade.middleware.json_bodies`) and WebSocket
frames (:mod:`protocol.codecs`).

The checks cost nothing for ordinary input: JSON can only carry U+0000 as the escape
``\\u0000``, so the raw bytes are searched for it first; a MessagePack frame can only
carry it as a zero byte, so only frames with one are walked.
"""

from __future__ import annotations

import re
from typing import Any

import msgspec

_JSON_NUL_ESCAPE = re.compile(rb"(?<!\\)(?:\\\\)*\\u0000")
"""``\\u0000`` preceded by an even number of backslashes: an escaped NUL, not the text
``\\u0000`` (whose backslash is itself escaped)."""

NUL_REFUSED = "text must not contain U+0000 (NUL)"


def json_has_nul(payload: bytes) -> bool:
    """Whether a JSON document (raw bytes) carries U+0000 in any string."""
    return b"u0000" in payload and _JSON_NUL_ESCAPE.search(payload) is not None


def value_has_nul(value: Any) -> bool:
    """Whether a decoded value (builtins or msgspec structs) holds U+0000 in any string,
    dictionary key included."""
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, msgspec.Struct):
        value = msgspec.structs.asdict(value)
    if isinstance(value, dict):
        return any(value_has_nul(key) or value_has_nul(item) for key, item in value.items())
    if isinstance(value, list | tuple):
        return any(value_has_nul(item) for item in value)
    return False

"""Identifier generation and key normalisation shared by every backend.

Ids are 26-character strings: 12 hex digits of milliseconds since the epoch followed by
14 hex digits that start random and increase within one millisecond, so ids issued by one
:class:`IdGenerator` sort in issue order and ids from different nodes sort by time.
"""

from __future__ import annotations

import hashlib
import secrets
import threading
import time
import unicodedata
from collections.abc import Callable

_RANDOM_DIGITS = 14
_RANDOM_LIMIT = 16**_RANDOM_DIGITS
_RANDOM_BUFFER_BYTES = 4096
"""Random bytes drawn from the operating system at once (about 500 ids' worth)."""


class IdGenerator:
    """Issues time-sortable ids; thread-safe; one per store.

    The random part comes from the operating system's CSPRNG (:func:`secrets.token_bytes`),
    drawn :data:`_RANDOM_BUFFER_BYTES` at a time: one system call per few hundred ids
    instead of one or two per id (a system call on the event loop lets other threads take
    the GIL).
    """

    def __init__(self, clock: Callable[[], float] = time.time) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._last_millis = -1
        self._last_random = 0
        self._random = b""
        self._random_used = 0

    def new_id(self) -> str:
        """A fresh id, greater than every id this generator issued before."""
        with self._lock:
            millis = max(int(self._clock() * 1000), self._last_millis)
            if millis == self._last_millis:
                self._last_random += 1 + (self._random_bytes(2) & 0x3FF)  # 1..1024
                if self._last_random >= _RANDOM_LIMIT:
                    millis += 1
                    self._last_random = self._random_bytes(7) >> 1  # below _RANDOM_LIMIT // 2
            else:
                self._last_random = self._random_bytes(7) >> 1
            self._last_millis = millis
            return f"{millis:012x}{self._last_random:0{_RANDOM_DIGITS}x}"

    def _random_bytes(self, count: int) -> int:
        """``count`` unused random bytes as an unsigned integer (caller holds the lock)."""
        start = self._random_used
        if start + count > len(self._random):
            self._random, start = secrets.token_bytes(_RANDOM_BUFFER_BYTES), 0
        self._random_used = start + count
        return int.from_bytes(self._random[start:start + count], "big")


def fold(text: str) -> str:
    """The case-insensitive key of ``text``: NFKC-normalised and case-folded.

    Stored beside names and titles under a unique index, because FerretDB has no
    collations; the same function serves both backends so they agree on collisions.
    """
    return unicodedata.normalize("NFKC", text).casefold()


def hash_token(token: str) -> str:
    """SHA-256 hex digest of a secret token: what sessions and one-time tokens store."""
    # surrogatepass: a token decoded from hostile JSON may hold lone surrogates.
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


CONVERSATION_SEPARATOR = "-"


def conversation_id(user_a: str, user_b: str) -> str:
    """The direct-message conversation id of two users, independent of order.

    The two ids sorted and joined by ``-``: a valid protocol identifier (the channel
    ``dm:<conversation id>`` and REST paths use it as is) while user ids are store ids.
    """
    first, second = sorted((user_a, user_b))
    return f"{first}{CONVERSATION_SEPARATOR}{second}"


def conversation_partner(conversation: str, user_id: str) -> str | None:
    """The other participant of ``conversation`` when ``user_id`` is one, else None.

    Exact for store-issued user ids (hex digits, never ``-``): the conversation id is
    rebuilt from the two ids and compared.
    """
    separator = CONVERSATION_SEPARATOR
    candidates = []
    if conversation.startswith(user_id + separator):
        candidates.append(conversation[len(user_id) + 1 :])
    if conversation.endswith(separator + user_id):
        candidates.append(conversation[: -len(user_id) - 1])
    for other in candidates:
        if other and other != user_id and conversation_id(user_id, other) == conversation:
            return other
    return None

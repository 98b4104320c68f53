"""Opaque search cursors and keyset paging over a ranked list.

Contract: a page is the part of a ranked list (best first: score descending, then key
ascending) strictly after the cursor's position.  The cursor also carries the ``now``
the scores were computed at, so later pages rank exactly as the first did.  A cursor is
base64url of a small JSON document; anything that does not decode to one (or is longer
than :data:`MAX_CURSOR_LENGTH`) raises :class:`ValueError`.  Tampering with a cursor
only moves the page: what may be read is decided by the query, never by the cursor.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable, Sequence
from typing import Annotated, TypeVar

import msgspec

MAX_CURSOR_LENGTH = 400
T = TypeVar("T")


class Cursor(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Where a page ends: the ranking time, and the last item's score and key."""

    now: Annotated[float, msgspec.Meta(ge=0)]
    score: float
    key: Annotated[str, msgspec.Meta(max_length=200)]


def encode_cursor(cursor: Cursor) -> str:
    return base64.urlsafe_b64encode(msgspec.json.encode(cursor)).decode().rstrip("=")


def decode_cursor(text: str) -> Cursor:
    """The cursor ``text`` stands for; :class:`ValueError` if it is not one."""
    if len(text) > MAX_CURSOR_LENGTH:
        raise ValueError("cursor too long")
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
        return msgspec.json.decode(raw, type=Cursor)
    except (binascii.Error, ValueError, msgspec.DecodeError) as error:
        raise ValueError("not a cursor") from error


def page_after(
    ranked: Sequence[T],
    rank: Callable[[T], tuple[float, str]],
    after: tuple[float, str] | None,
    limit: int,
) -> tuple[list[T], bool]:
    """Up to ``limit`` items of ``ranked`` after position ``after`` (``rank`` gives an
    item's ``(score, key)``), and whether more follow."""
    if after is not None:
        score, key = after
        ranked = [
            item for item in ranked
            if rank(item)[0] < score or (rank(item)[0] == score and rank(item)[1] > key)
        ]
    return list(ranked[:limit]), len(ranked) > limit

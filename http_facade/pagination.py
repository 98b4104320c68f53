"""The one pagination of the REST API: ``limit`` and an opaque ``cursor`` in, ``next_cursor`` out.

Every list route takes ``limit`` and ``cursor`` in its query string and answers
``next_cursor``: ``null`` on the last page, otherwise the value to send as ``cursor`` for
the next page. A cursor is base64url (unpadded) of a small tagged msgspec document — the
position the route needs (an offset, the id or sequence number to continue before) — and
is opaque to clients: its content may change between releases.

Decoding validates: text that is not a cursor, a cursor of another kind of position, or
one with values out of range is answered 400 ``invalid`` (:class:`ApiError`), never 500.
Tampering with a cursor only moves the page; what may be read is decided by the route.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Sequence
from typing import Annotated, TypeVar

import msgspec
from msgspec import Meta

from http_facade.errors import ApiError
from protocol import limits
from protocol.errors import ErrorCode
from protocol.fields import Identifier

MAX_CURSOR_LENGTH = 400
"""Longest ``cursor`` accepted (search cursors included)."""

CursorText = Annotated[
    str,
    Meta(
        min_length=1,
        max_length=MAX_CURSOR_LENGTH,
        description="Opaque: the `next_cursor` of the previous page.",
    ),
]


class Position(
    msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True, tag_field="k"
):
    """Where a page ends; subclasses name one kind of position with their tag."""


class OffsetPosition(Position, frozen=True, kw_only=True, tag="o"):
    """The next page starts at item ``o`` of the route's ordering."""

    o: Annotated[int, Meta(ge=0, le=1_000_000)]


class BeforeIdPosition(Position, frozen=True, kw_only=True, tag="b"):
    """The next page holds the items just before the item ``b`` (newest first lists)."""

    b: Identifier


class BeforeSeqPosition(Position, frozen=True, kw_only=True, tag="s"):
    """The next page holds the items with a sequence number below ``s``."""

    s: Annotated[int, Meta(ge=1, le=limits.MAX_SAFE_INTEGER)]


P = TypeVar("P", bound=Position)
T = TypeVar("T")


def encode_cursor(position: Position) -> str:
    """The opaque ``next_cursor`` standing for ``position``."""
    return base64.urlsafe_b64encode(msgspec.json.encode(position)).decode().rstrip("=")


def decode_cursor(text: str | None, kind: type[P]) -> P | None:
    """The position of ``cursor`` (None without one); 400 ``invalid`` if it is not a
    cursor of ``kind`` this server issued."""
    if text is None:
        return None
    try:
        if len(text) > MAX_CURSOR_LENGTH:
            raise ValueError("too long")
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
        return msgspec.json.decode(raw, type=kind)
    except (binascii.Error, ValueError, msgspec.DecodeError):
        raise ApiError(ErrorCode.INVALID, "cursor: not one this list issued") from None


def next_cursor(position: Position | None) -> str | None:
    """``encode_cursor(position)``, or None at the end of the list."""
    return None if position is None else encode_cursor(position)


def offset_of(text: str | None) -> int:
    """The offset an offset-cursor stands for (0 without a cursor)."""
    position = decode_cursor(text, OffsetPosition)
    return 0 if position is None else position.o


def slice_page(items: Sequence[T], cursor: str | None, limit: int) -> tuple[list[T], str | None]:
    """One page of a list held whole (bounded lists), and the ``next_cursor`` after it."""
    start = offset_of(cursor)
    page = list(items[start : start + limit])
    end = start + len(page)
    return page, (encode_cursor(OffsetPosition(o=end)) if end < len(items) else None)


def after_offset(start: int, returned: int, limit: int, more: bool) -> str | None:
    """The ``next_cursor`` of a page read at offset ``start`` (``more``: items follow)."""
    if not more or returned == 0:
        return None
    return encode_cursor(OffsetPosition(o=start + min(returned, limit)))


class ListQuery(msgspec.Struct, frozen=True, forbid_unknown_fields=True, kw_only=True):
    """Paging of a short list: the ``next_cursor`` of the previous page, and how many."""

    cursor: CursorText | None = None
    limit: Annotated[int, Meta(ge=1, le=200)] = 100

"""The record of a user's, topic's or room's picture (avatars, topic and room pictures)."""

from __future__ import annotations

import msgspec


class PictureBlob(msgspec.Struct, frozen=True, kw_only=True):
    """One rendition: ``size`` pixels a side, stored under the blob ``key``."""

    size: int
    key: str


class Picture(msgspec.Struct, frozen=True, kw_only=True):
    """One subject's current picture: its resized renditions in the blob store.

    ``subject`` is ``"user:<id>"``, ``"topic:<id>"`` or ``"room:<id>"``; ``version`` is a
    hash of the renditions (it changes whenever the picture does, so URLs that carry it
    may be cached for good); ``blobs`` are the renditions, smallest first; ``set_by`` is
    the user who set it.
    """

    subject: str
    version: str
    content_type: str
    blobs: tuple[PictureBlob, ...]
    set_by: str
    updated_at: float

"""Request and response shapes of the picture routes (:mod:`http_facade.routes.pictures.routes`)."""

from __future__ import annotations

from typing import Annotated

import msgspec
from msgspec import Meta

from protocol.fields import Identifier

Version = Annotated[str, Meta(min_length=1, max_length=32, pattern="^[0-9a-f]+$")]


class PictureSet(msgspec.Struct, frozen=True, forbid_unknown_fields=True, kw_only=True):
    """``file_id``: an image the caller uploaded (``POST /api/files``: PNG, JPEG, GIF or
    WebP) to make the picture from."""

    file_id: Identifier


class PictureQuery(msgspec.Struct, frozen=True, forbid_unknown_fields=True, kw_only=True):
    """``size``: the wanted edge in pixels (the smallest rendition at least this large is
    served, else the largest); ``v``: the version from the picture's URL — when it is the
    current one, the answer may be cached for good."""

    size: Annotated[int, Meta(ge=1, le=4096)] | None = None
    v: Version | None = None


class PictureView(msgspec.Struct, frozen=True, kw_only=True):
    """A subject's picture: ``url`` (relative to the API's origin, with its version) and the
    edge lengths in pixels it is available in; ``updated_at`` in epoch milliseconds."""

    url: str
    version: str
    sizes: list[int]
    updated_at: int

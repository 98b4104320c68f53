"""Request and response shapes of ``/api/files`` (see :mod:`http_facade.routes.files.routes`)."""

from __future__ import annotations

from typing import Annotated

import msgspec
from msgspec import Meta

from protocol import limits
from protocol.fields import Identifier, milliseconds
from storage.records import FileRecord

Signature = Annotated[str, Meta(min_length=64, max_length=64, pattern="^[0-9a-f]{64}$")]


class UploadQuery(msgspec.Struct, frozen=True, forbid_unknown_fields=True, kw_only=True):
    """``filename``: the name to show (sanitised by the server)."""

    filename: Annotated[str, Meta(min_length=1, max_length=255)]


class ReadQuery(msgspec.Struct, frozen=True, forbid_unknown_fields=True, kw_only=True):
    """Optional proof of access for non-owners: the content that carries the file — a
    room message (``room_id`` and ``seq``), a post (``post_id``) or a direct message
    (``direct_message_id``); see :mod:`http_facade.routes.files.readers`."""

    room_id: Identifier | None = None
    seq: Annotated[int, Meta(ge=1, le=limits.MAX_SAFE_INTEGER)] | None = None
    post_id: Identifier | None = None
    direct_message_id: Identifier | None = None


class DownloadQuery(msgspec.Struct, frozen=True, forbid_unknown_fields=True, kw_only=True):
    """A signed link's parameters (from ``GET /api/files/<id>/url``)."""

    expires: Annotated[int, Meta(ge=0, le=limits.MAX_SAFE_INTEGER)]
    signature: Signature


class FileView(msgspec.Struct, frozen=True, kw_only=True):
    """An uploaded file; ``created_at`` in milliseconds since the epoch."""

    id: str
    owner_id: str
    name: str
    content_type: str
    size: int
    created_at: int

    @classmethod
    def of(cls, record: FileRecord) -> FileView:
        """The view of a stored record."""
        return cls(
            id=record.id,
            owner_id=record.owner_id,
            name=record.name,
            content_type=record.content_type,
            size=record.size,
            created_at=milliseconds(record.created_at),
        )


class FileLink(msgspec.Struct, frozen=True, kw_only=True):
    """A download link (relative to the API's origin) valid until ``expires_at`` (epoch ms)."""

    url: str
    expires_at: int

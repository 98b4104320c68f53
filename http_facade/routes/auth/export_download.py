"""Streaming an export's archive so that only a complete read spends its link.

Contract of :func:`archive_response` (``GET /api/exports/{id}/download``, after
:func:`services.accounts.exports.claim_download` claimed the export for this download):

* The archive's first chunk is read before answering: when the blob store is missing or
  the read fails, the claim is given back (the link keeps working) and the answer is 503
  ``unavailable``.
* The rest streams; when the last chunk was handed to the server the link is spent
  (:func:`~services.accounts.exports.finish_download`).  A read that fails or a client
  that goes away part-way gives the claim back instead
  (:func:`~services.accounts.exports.release_download`).  Both run shielded.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncGenerator, AsyncIterator

import trio
from quart import Response

from http_facade.errors import ApiError
from protocol.errors import ErrorCode
from services.accounts import exports
from services.accounts.context import AccountServices
from storage.blob import BlobStore
from storage.records.security import AccountRequest

logger = logging.getLogger(__name__)

UNREADABLE = "the archive could not be read now; the link still works, try it again later"


async def _chunks(blobs: BlobStore, key: str) -> AsyncGenerator[bytes, None]:
    async with blobs.download(key) as chunks:
        async for chunk in chunks:
            yield chunk


async def archive_response(
    services: AccountServices, export: AccountRequest, claimant: str, blobs: BlobStore | None
) -> Response:
    """The streaming answer for a claimed ``export`` (see the module docstring)."""
    if blobs is None:
        await exports.release_download(services, export.id, claimant)
        raise ApiError(ErrorCode.UNAVAILABLE, UNREADABLE)
    reader = _chunks(blobs, export.archive_key or "")
    try:
        first = await reader.__anext__()
    except Exception as error:  # the blob is gone or the store failed: keep the link
        logger.warning("export %s: its archive could not be read: %r", export.id, error)
        await reader.aclose()
        await exports.release_download(services, export.id, claimant)
        raise ApiError(ErrorCode.UNAVAILABLE, UNREADABLE) from None

    async def content() -> AsyncIterator[bytes]:
        complete = False
        try:
            yield first
            async for chunk in reader:
                yield chunk
            complete = True
        finally:
            with trio.CancelScope(shield=True):
                await reader.aclose()
                if complete:
                    await exports.finish_download(services, export.id, claimant)
                else:
                    await exports.release_download(services, export.id, claimant)

    response = Response(content(), content_type="application/zip")
    response.headers["Content-Disposition"] = 'attachment; filename="topicsflow-export.zip"'
    response.headers["Content-Length"] = str(export.size)
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


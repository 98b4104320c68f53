"""Making, removing and serving a subject's picture (blob store + ``store.pictures``).

Contract:

* :func:`set_picture` makes a picture from a file the caller owns
  (:func:`services.file_ownership.require_own_files`: 400 ``invalid`` with one message
  whether the file is someone else's or absent).  The file must be one of the inline image
  types (415 ``unsupported`` otherwise) of at most
  :data:`services.pictures.MAX_SOURCE_BYTES` (413 ``too_large``); it is rendered
  (:func:`services.pictures.render_picture_async`; an undecodable or oversized image is
  415 ``unsupported``), the renditions are uploaded, the record is swapped, and only then
  the replaced picture's blobs are deleted.  Each user sets at most
  :data:`SET_BURST` pictures at once, then one per :data:`SET_INTERVAL_S` seconds on this
  node (429 ``rate_limited``): rendering is CPU work.
* :func:`remove_picture` deletes the record first (every view and URL forgets it at
  once: 404), then the blobs.  A blob that cannot be deleted is left behind and logged,
  never an error for the caller.
* :func:`serve_picture` answers the rendition for ``size`` with an ``ETag`` and
  ``Cache-Control``: ``max-age=31536000, immutable`` when ``v`` names the current
  version, ``no-cache`` otherwise (revalidate: ``If-None-Match`` answers 304).  The
  cache is ``private`` unless the picture is public (avatars).
"""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator

import trio
from quart import Response, request

from http_facade.errors import ApiError
from http_facade.node_access import store
from http_facade.routes.files.blobs import blob_store
from http_facade.routes.pictures.access import no_such_picture
from http_facade.routes.pictures.schemas import PictureQuery, PictureView
from http_facade.routes.pictures.subjects import PictureKind, picture_url, subject_of
from protocol.errors import ErrorCode
from protocol.fields import milliseconds
from services.file_ownership import require_own_files
from services.file_types import INLINE_TYPES
from services.pictures import (
    CONTENT_TYPE,
    MAX_SOURCE_BYTES,
    PictureRefused,
    picture_version,
    render_picture_async,
)
from services.principal import Principal
from services.token_bucket import TokenBucket
from storage.errors import NotFound
from storage.records.pictures import Picture, PictureBlob

logger = logging.getLogger(__name__)

SET_BURST = 5
SET_INTERVAL_S = 10.0
MAX_TRACKED_USERS = 10_000
IMMUTABLE = "max-age=31536000, immutable"
_buckets: dict[str, TokenBucket] = {}


def _rate_limit(user_id: str) -> None:
    now = trio.current_time()
    bucket = _buckets.get(user_id)
    if bucket is None:
        if len(_buckets) >= MAX_TRACKED_USERS:
            _buckets.clear()
        bucket = _buckets[user_id] = TokenBucket(rate=1 / SET_INTERVAL_S, burst=SET_BURST)
    if not bucket.take(now):
        raise ApiError(
            ErrorCode.RATE_LIMITED, "too many picture changes: wait a little",
            retry_after=bucket.seconds_until_token(now),
        )


def view_of(kind: PictureKind, subject_id: str, picture: Picture) -> PictureView:
    """The view of a stored picture."""
    return PictureView(
        url=picture_url(kind, subject_id, picture.version),
        version=picture.version,
        sizes=[blob.size for blob in picture.blobs],
        updated_at=milliseconds(picture.updated_at),
    )


async def _read_source(blob_key: str) -> bytes:
    data = bytearray()
    async with blob_store().download(blob_key) as chunks:
        async for chunk in chunks:
            data.extend(chunk)
            if len(data) > MAX_SOURCE_BYTES:
                raise ApiError(ErrorCode.TOO_LARGE, "the image is too large for a picture")
    return bytes(data)


async def _one(data: bytes) -> AsyncIterator[bytes]:
    yield data


async def _delete_blobs(picture: Picture) -> None:
    for blob in picture.blobs:
        try:
            await blob_store().delete(blob.key)
        except Exception:  # best effort: the record is gone, the blob is only garbage
            logger.warning("a blob of the replaced picture of %s was left", picture.subject)


async def set_picture(
    kind: PictureKind, subject_id: str, principal: Principal, file_id: str
) -> PictureView:
    """Make ``file_id`` the subject's picture (see the module docstring)."""
    await require_own_files(store(), principal.user_id, [file_id])
    source = await store().files.get(file_id)
    if source.content_type not in INLINE_TYPES:
        raise ApiError(ErrorCode.UNSUPPORTED, "a picture is made from a PNG, JPEG, GIF or WebP")
    if source.size > MAX_SOURCE_BYTES:
        raise ApiError(ErrorCode.TOO_LARGE, "the image is too large for a picture")
    _rate_limit(principal.user_id)
    try:
        data = await _read_source(source.blob_key)
    except NotFound:
        raise ApiError(ErrorCode.NOT_FOUND, "the file's contents are gone") from None
    try:
        renditions = await render_picture_async(data)
    except PictureRefused as refused:
        raise ApiError(ErrorCode.UNSUPPORTED, str(refused)) from None
    blobs: list[PictureBlob] = []
    for rendition in renditions:
        stored = await blob_store().upload(
            _one(rendition.data), max_size=len(rendition.data), content_type=CONTENT_TYPE
        )
        blobs.append(PictureBlob(size=rendition.size, key=stored.key))
    picture = Picture(
        subject=subject_of(kind, subject_id),
        version=picture_version(renditions),
        content_type=CONTENT_TYPE,
        blobs=tuple(blobs),
        set_by=principal.user_id,
        updated_at=time.time(),
    )
    replaced = await store().pictures.put(picture)
    if replaced is not None:
        await _delete_blobs(replaced)
    return view_of(kind, subject_id, picture)


async def remove_picture(kind: PictureKind, subject_id: str) -> None:
    """Remove the subject's picture; 404 when it has none."""
    try:
        removed = await store().pictures.delete(subject_of(kind, subject_id))
    except NotFound:
        raise no_such_picture() from None
    await _delete_blobs(removed)


def _rendition(picture: Picture, size: int | None) -> PictureBlob:
    ordered = sorted(picture.blobs, key=lambda blob: blob.size)
    if size is not None:
        for candidate in ordered:
            if candidate.size >= size:
                return candidate
    return ordered[-1]


async def serve_picture(
    kind: PictureKind, subject_id: str, query: PictureQuery, *, public: bool
) -> Response:
    """The rendition's bytes with cache headers (see the module docstring)."""
    try:
        picture = await store().pictures.get(subject_of(kind, subject_id))
    except NotFound:
        raise no_such_picture() from None
    chosen = _rendition(picture, query.size)
    tag = f"{picture.version}-{chosen.size}"
    etag = f'"{tag}"'
    scope = "public" if public else "private"
    cache = f"{scope}, {IMMUTABLE}" if query.v == picture.version else f"{scope}, no-cache"
    headers = {"ETag": etag, "Cache-Control": cache, "X-Content-Type-Options": "nosniff"}
    if request.if_none_match.contains_weak(tag):
        return Response(b"", status=304, headers=headers)
    data = bytearray()
    try:
        async with blob_store().download(chosen.key) as chunks:
            async for chunk in chunks:
                data.extend(chunk)
    except NotFound:
        raise no_such_picture() from None  # replaced meanwhile: the client asks again
    response = Response(bytes(data), content_type=picture.content_type, headers=headers)
    response.headers["Content-Disposition"] = "inline"
    return response

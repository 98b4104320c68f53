"""``/api/files``: uploads, metadata and downloads of file attachments.

Contract:

* ``POST /api/files?filename=<name>`` (login) streams the request body into the blob
  store.  The body is cut off at ``TOPICSFLOW_MAX_UPLOAD_BYTES`` while it is read (413
  ``too_large``; nothing is kept; the body is never buffered whole).  The first bytes
  decide the type (:mod:`services.file_types`): not an allowed type, or not the declared
  ``Content-Type``, is 415 ``unsupported``.  The name is sanitised.  201 with the file.
  Note: the node-wide ``TOPICSFLOW_MAX_REQUEST_BYTES`` check runs first, so the
  effective cap is the smaller of the two settings.
* Reading a file (metadata, link) is allowed to its owner, and to exactly the readers of
  content that carries it, named by query parameters: ``room_id`` and ``seq`` (a room
  message), ``post_id`` (a post) or ``direct_message_id`` (a DM); anyone else gets 404
  ``not_found`` (existence is not disclosed).  :mod:`http_facade.routes.files.readers`
  decides; when the actor it asks does not answer, the client gets that failure
  (503/504/500), not a 404.
* ``GET /api/files/<id>/url`` returns a signed link valid :data:`LINK_SECONDS`;
  ``GET /api/files/<id>/download?expires=&signature=`` needs no login and serves the
  bytes with ``X-Content-Type-Options: nosniff`` and ``Content-Disposition: attachment``
  (``inline`` for the image types of :data:`services.file_types.INLINE_TYPES`).
* ``DELETE /api/files/<id>`` removes the owner's file.
"""

from __future__ import annotations

import time
import urllib.parse
from collections.abc import AsyncIterator

from quart import Blueprint, Response, request
from quart_schema import (
    document_response,
    tag_blueprint,
    validate_querystring,
    validate_response,
)

from http_facade.context import current_context
from http_facade.errors import ApiError
from http_facade.guard import login_required
from http_facade.middleware.security import accepts_any_body
from http_facade.node_access import store
from http_facade.openapi import ErrorBody
from http_facade.replies import Done
from http_facade.routes.files.access import owns_file
from http_facade.routes.files.blobs import (
    LINK_SECONDS,
    blob_store,
    sign_file_link,
    verify_file_link,
)
from http_facade.routes.files.readers import FILE_ID, find_file, readable_file
from http_facade.routes.files.schemas import (
    DownloadQuery,
    FileLink,
    FileView,
    ReadQuery,
    UploadQuery,
)
from protocol.errors import ErrorCode
from protocol.fields import milliseconds
from services.file_types import INLINE_TYPES, SNIFF_BYTES, check_declared, sanitize_filename, sniff
from services.principal import Principal
from storage.errors import TooLarge

blueprint = Blueprint("files", __name__, url_prefix="/api/files")
tag_blueprint(blueprint, ["files"])


@blueprint.post("")
@accepts_any_body
@login_required
@validate_querystring(UploadQuery)
@validate_response(FileView, 201)
async def upload(principal: Principal, query_args: UploadQuery) -> tuple[FileView, int]:
    """Upload one file (the raw request body); see the module docstring."""
    settings = current_context().settings
    declared = request.headers.get("Content-Type")
    chunks = aiter(request.body)
    head = bytearray()
    async for chunk in chunks:
        head.extend(chunk)
        if len(head) >= SNIFF_BYTES:
            break
    if len(head) > settings.max_upload_bytes:
        raise ApiError(ErrorCode.TOO_LARGE, "the file is too large")
    content_type = sniff(bytes(head[:SNIFF_BYTES]))
    if content_type is None:
        raise ApiError(ErrorCode.UNSUPPORTED, "this type of file is not accepted")
    if not check_declared(declared, content_type):
        raise ApiError(ErrorCode.UNSUPPORTED, "the file is not of its declared type")

    async def body() -> AsyncIterator[bytes]:
        yield bytes(head)
        async for rest in chunks:
            yield rest

    try:
        blob = await blob_store().upload(
            body(), max_size=settings.max_upload_bytes, content_type=content_type
        )
    except TooLarge:
        raise ApiError(ErrorCode.TOO_LARGE, "the file is too large") from None
    record = await store().files.create(
        owner_id=principal.user_id,
        name=sanitize_filename(query_args.filename),
        content_type=content_type,
        size=blob.size,
        blob_key=blob.key,
    )
    return FileView.of(record), 201


@blueprint.get("/<file_id>")
@login_required
@validate_querystring(ReadQuery)
@validate_response(FileView)
async def metadata(principal: Principal, file_id: str, query_args: ReadQuery) -> FileView:
    """The file's metadata."""
    return FileView.of(await readable_file(file_id, principal, query_args))


@blueprint.get("/<file_id>/url")
@login_required
@validate_querystring(ReadQuery)
@validate_response(FileLink)
async def link(principal: Principal, file_id: str, query_args: ReadQuery) -> FileLink:
    """A signed download link, valid a few minutes, for whoever holds it."""
    found = await readable_file(file_id, principal, query_args)
    expires_at = int(time.time()) + LINK_SECONDS
    signature = sign_file_link(current_context().settings, found.id, expires_at)
    query = urllib.parse.urlencode({"expires": expires_at, "signature": signature})
    return FileLink(
        url=f"/api/files/{found.id}/download?{query}", expires_at=milliseconds(expires_at)
    )


@blueprint.get("/<file_id>/download")
@validate_querystring(DownloadQuery)
@document_response(ErrorBody, 403)
async def download(file_id: str, query_args: DownloadQuery) -> Response:
    """The file's bytes (any type, streamed) for a valid signed link; 403 ``forbidden``
    for an invalid or expired link.  Only the error answers are in the schema."""
    settings = current_context().settings
    if FILE_ID.fullmatch(file_id) is None:
        raise ApiError(ErrorCode.NOT_FOUND, "no such file")
    valid = verify_file_link(
        settings, file_id, query_args.expires, query_args.signature, now=time.time()
    )
    if not valid:
        raise ApiError(ErrorCode.FORBIDDEN, "the link is invalid or has expired")
    found = await find_file(file_id)
    blobs = blob_store()

    async def content() -> AsyncIterator[bytes]:
        async with blobs.download(found.blob_key) as chunks:
            async for chunk in chunks:
                yield chunk

    disposition = "inline" if found.content_type in INLINE_TYPES else "attachment"
    quoted = urllib.parse.quote(found.name, safe="")
    response = Response(content(), content_type=found.content_type)
    response.headers["Content-Disposition"] = f"{disposition}; filename*=UTF-8''{quoted}"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Length"] = str(found.size)
    response.headers["Cache-Control"] = "private, no-store"
    return response


@blueprint.delete("/<file_id>")
@login_required
@validate_response(Done)
async def delete(principal: Principal, file_id: str) -> Done:
    """Delete the owner's file (the metadata first, then its bytes)."""
    found = await find_file(file_id)
    if not owns_file(principal, found):
        raise ApiError(ErrorCode.NOT_FOUND, "no such file")
    removed = await store().files.delete(file_id)
    await blob_store().delete(removed.blob_key)
    return Done(message="file deleted")

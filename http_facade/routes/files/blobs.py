"""The facade's blob store and signed file links.

Contract:

* :func:`install_blob_store` opens the node's :class:`~storage.blob.BlobStore` while the
  app serves: Azure Blob when ``TOPICSFLOW_AZURE_BLOB_CONNECTION_STRING`` is set, else a
  :class:`~storage.blob.LocalBlobStore` under ``<data_dir>/blobs``.  :func:`blob_store`
  returns it (503 ``unavailable`` when the app is not serving, e.g. bare unit-test apps).
* :func:`sign_file_link` / :func:`verify_file_link` make and check the HMAC-SHA256
  signature of ``/api/files/<id>/download?expires=<unix>&signature=<hex>``, keyed by a
  key derived from ``TOPICSFLOW_SECRET_KEY``; a link is valid until ``expires``.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import AsyncGenerator

from quart import Quart, current_app

from http_facade.context import EXTENSION_KEY
from http_facade.errors import ApiError
from protocol.errors import ErrorCode
from storage.blob import BlobStore, LocalBlobStore, open_azure_blob_store
from topicsflow.settings import Settings

BLOBS_KEY = "topicsflow_blobs"
LINK_SECONDS = 300
"""How long a signed download link stays valid."""


def _link_key(settings: Settings) -> bytes:
    return hashlib.sha256(b"topicsflow-file-links\n" + settings.secret_key.encode()).digest()


def install_blob_store(app: Quart) -> None:
    """Open the blob store for as long as ``app`` serves (see the module docstring)."""

    @app.while_serving
    async def blobs() -> AsyncGenerator[None, None]:
        settings: Settings = app.extensions[EXTENSION_KEY].settings
        if settings.azure_blob_connection_string:
            async with open_azure_blob_store(
                settings.azure_blob_connection_string, settings.azure_blob_container,
                deadline=settings.dependency_deadline_seconds,
            ) as azure:
                app.extensions[BLOBS_KEY] = azure
                gates = app.extensions[EXTENSION_KEY].gates
                gates["azure_blob"] = azure.gate  # shown by /readyz with the others
                yield
                gates.pop("azure_blob", None)
        else:
            app.extensions[BLOBS_KEY] = LocalBlobStore(
                settings.data_dir / "blobs",
                secret=_link_key(settings),
                base_url=settings.public_url.rstrip("/") + "/api/blobs",
            )
            yield
        app.extensions.pop(BLOBS_KEY, None)


def blob_store() -> BlobStore:
    """The serving app's blob store; 503 when there is none."""
    found: BlobStore | None = current_app.extensions.get(BLOBS_KEY)
    if found is None:
        raise ApiError(ErrorCode.UNAVAILABLE, "file storage is not available on this node")
    return found


def sign_file_link(settings: Settings, file_id: str, expires_at: int) -> str:
    """The signature of a download link for ``file_id`` valid until ``expires_at``."""
    message = f"{file_id}\n{expires_at}".encode()
    return hmac.new(_link_key(settings), message, hashlib.sha256).hexdigest()


def verify_file_link(
    settings: Settings, file_id: str, expires_at: int, signature: str, *, now: float
) -> bool:
    """True for an unexpired link signed by this node (constant-time comparison)."""
    if expires_at <= now:
        return False
    return hmac.compare_digest(sign_file_link(settings, file_id, expires_at), signature)
